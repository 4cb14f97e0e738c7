"""Names and numbers of the equation language: what an identifier or a numeric field may be.

Part of the security core of :mod:`brainlab.equations`, with
:mod:`brainlab.equations.validate`, which checks expressions: the limits, the
function table, the reserved names, the description of rejected characters, and
the checks of identifiers and of numbers typed into forms.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from brainlab.errors import EquationError

__all__ = [
    "MATH_FUNCTIONS",
    "MAX_ABS_NUMBER",
    "MAX_AST_DEPTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INT_DIGITS",
    "MAX_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "RESERVED_NAMES",
    "check_identifier",
    "check_number",
]


#: Functions an expression may call, with their number of arguments. Every name is
#: a NumPy function of the same name (the code generator emits ``np.<name>``).
MATH_FUNCTIONS: Mapping[str, int] = MappingProxyType(
    {
        "exp": 1,
        "log": 1,
        "log10": 1,
        "sqrt": 1,
        "sin": 1,
        "cos": 1,
        "tan": 1,
        "tanh": 1,
        "sinh": 1,
        "cosh": 1,
        "arctan": 1,
        "abs": 1,
        "expm1": 1,
        "log1p": 1,
        "minimum": 2,
        "maximum": 2,
        "clip": 3,
    }
)
#: Names the engine and the generated code use, which a model may not declare:
#: ``t`` and ``dt`` (time and time step, which an expression may read where the
#: caller passes them in ``names``), ``_t``, ``_dt`` and ``_i`` (arguments and loop
#: index of generated functions), ``ST``, ``pre`` and ``post`` (the state arrays of
#: step functions), ``np`` and ``bp`` (the modules the generated code imports),
#: and ``spike`` and ``input`` (fields of every neuron group).
RESERVED_NAMES: frozenset[str] = frozenset(
    {"t", "dt", "_t", "_dt", "_i", "ST", "pre", "post", "np", "bp", "spike", "input"}
)
#: Longest expression, in characters.
MAX_LENGTH = 400
#: Deepest nesting of parentheses.
MAX_DEPTH = 20
#: Most syntax nodes in one expression.
MAX_NODES = 300
#: Deepest nesting of syntax nodes (a sum of 30 terms is 30 deep).
MAX_AST_DEPTH = 32
#: Largest magnitude of a number, in expressions and numeric fields.
MAX_ABS_NUMBER = 1e15
#: Largest magnitude of a constant exponent of ``**``.
MAX_EXPONENT = 8
#: Most digits of an integer literal (checked before the text is parsed).
MAX_INT_DIGITS = 16
#: Longest identifier.
MAX_NAME_LENGTH = 32
_MAX_SHOWN = f"{MAX_ABS_NUMBER:g}".replace("e+", "e")  # "1e15"
_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset("0123456789")
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
# Python's builtins, without what IPython adds to that module (display, get_ipython, ...): the
# same text must be accepted in a script, a notebook and a Voila app.
_IPYTHON_ADDITIONS = frozenset({"display", "get_ipython", "__IPYTHON__", "__IPYTHON__active"})
_BUILTINS = frozenset(name for name in dir(builtins) if name not in _IPYTHON_ADDITIONS)
_CONTROL_NAMES = {
    "\x00": "NULL",
    "\t": "CHARACTER TABULATION",
    "\n": "LINE FEED",
    "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}
_CHAR_HINTS = {
    "^": "use ** for powers (^ is not the power)",
    ";": "one expression per line",
    "\n": "one expression per line",
    "\r": "one expression per line",
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    ":": "':' belongs only after a statement keyword such as 'threshold:'; slices, lambdas and ':=' are not allowed",
    "{": "sets, dictionaries and format strings are not allowed",
    "}": "sets, dictionaries and format strings are not allowed",
    "#": "comments are not allowed inside an expression",
    "\\": "backslashes (escapes, line continuations) are not allowed",
    "%": "the modulo operator is not allowed",
    "&": "write 'and' in conditions",
    "|": "write 'or' in conditions",
    "~": "write 'not' in conditions",
    "@": "matrix multiplication is not allowed; use *",
    "\x00": "the text contains a NUL byte",
}


def _describe_char(ch: str) -> str:
    """Describe one character for a message: ``'^'`` or ``U+0435 (CYRILLIC SMALL LETTER IE)``."""
    if ch.isascii() and ch.isprintable() and ch != " ":
        return repr(ch)
    name = unicodedata.name(ch, None) or _CONTROL_NAMES.get(ch, "a control character")
    return f"U+{ord(ch):04X} ({name})"


def _char_hint(ch: str) -> str | None:
    """Suggest a fix for a rejected character, or return None."""
    if ch in _CHAR_HINTS:
        return _CHAR_HINTS[ch]
    if ch.isascii():
        return None
    plain = unicodedata.normalize("NFKC", ch)
    if plain.isascii() and plain.isprintable() and plain.strip():
        return f"it looks like {plain!r}; retype it as a plain ASCII character"
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK SMALL LETTER ") and name.count(" ") == 3:
        return f"write Greek letters as names, e.g. {name.rsplit(' ', 1)[1].lower()}"
    return "only ASCII letters, digits and operators are allowed; the character may be a look-alike or invisible"


def _shown(name: str) -> str:
    """Quote ``name`` for a message if it is a harmless identifier-like word, else return ``''``."""
    if name and len(name) <= 40 and all(ch in _WORD_CHARS for ch in name):
        return f"'{name}'"
    return ""


def _identifier_problem(name: str, what: str, allow_reserved: bool = False) -> tuple[str, str | None, int] | None:
    """Say why ``name`` is not a valid identifier: (reason, hint, index of the fault), or None if it is."""
    if len(name) == 0:
        return f"{what} is empty", None, 0
    if len(name) > MAX_NAME_LENGTH:
        return f"{what} is too long ({len(name)} characters; at most {MAX_NAME_LENGTH})", None, MAX_NAME_LENGTH
    for index, ch in enumerate(name):
        if ch not in _WORD_CHARS:
            hint = "names use only ASCII letters, digits and '_'"
            if not ch.isascii():
                hint += f"; {_char_hint(ch)}"
            return f"{what} contains the character {_describe_char(ch)}", hint, index
    # From here on, name is made of ASCII letters, digits and '_' only: safe to repeat.
    if name[0] == "_":
        return f"{what} '{name}' starts with '_'", "names starting with '_' are reserved for the engine", 0
    if name[0] in _DIGITS:
        return f"{what} '{name}' starts with a digit", "names start with a letter (write 2*V for a product)", 0
    if not _NAME_PATTERN.fullmatch(name):  # pragma: no cover - the checks above cover the pattern
        return f"{what} '{name}' is not a valid name", None, 0
    if name in _KEYWORDS:
        return f"{what} '{name}' is a Python keyword", f"choose another name, such as '{name[:30]}_1'", 0
    if name in MATH_FUNCTIONS:
        return f"{what} '{name}' is the name of a math function", f"choose another name, such as '{name}_1'", 0
    if name in _BUILTINS:
        return f"{what} '{name}' is a Python built-in name", f"choose another name, such as '{name[:30]}_1'", 0
    if name in RESERVED_NAMES and not allow_reserved:
        hint = "reserved names are " + ", ".join(sorted(RESERVED_NAMES))
        return f"{what} '{name}' is reserved by the engine", hint, 0
    return None


def check_identifier(name: str, *, line: int | None = None, column: int | None = None, what: str = "name") -> str:
    """Check that ``name`` may be declared as a variable, parameter or model name.

    A valid name matches ``[A-Za-z][A-Za-z0-9_]{0,31}`` (ASCII only), and is not a
    Python keyword (hard or soft), a Python built-in, a name of
    :data:`MATH_FUNCTIONS` or a name of :data:`RESERVED_NAMES`.

    Parameters
    ----------
    name : str
        The name to check.
    line, column : int, optional
        Position of the name in the model text (1-based), for the message. A fault
        inside the name is reported at ``column`` plus its index.
    what : str
        What the name is, for the message (``"parameter name"``).

    Returns
    -------
    str
        ``name``, unchanged.

    Raises
    ------
    EquationError
        If the name is not valid; the message says why.
    """
    if not isinstance(name, str):
        raise EquationError(f"{what} must be text, got {type(name).__name__}", line, column)
    problem = _identifier_problem(str.__str__(name), what)
    if problem is not None:
        reason, hint, index = problem
        raise EquationError(reason, line, None if column is None else column + index, hint)
    return name


def check_number(
    value: Any,
    *,
    field: str,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """Check a value typed into a numeric field (parameter, initial value, dt, duration).

    Parameters
    ----------
    value : int or float
        The value. Python and NumPy integers and floats are accepted; booleans,
        strings (even ``"1e3"``: text is never converted) and anything else are not.
    field : str
        Name of the field, for the message (``"parameter 'tau'"``).
    positive : bool
        Require ``value > 0``.
    minimum, maximum : float, optional
        Inclusive bounds.

    Returns
    -------
    float
        The value as a Python float.

    Raises
    ------
    EquationError
        If the value is not a finite number of magnitude at most
        :data:`MAX_ABS_NUMBER` within the bounds.
    """
    if isinstance(value, bool | np.bool_):
        raise EquationError(f"{field} must be a number, not a boolean", hint="type a number such as 1.0")
    if isinstance(value, str | bytes | bytearray):
        raise EquationError(
            f"{field} must be a number, got text",
            hint="numeric fields take numbers such as 10.0; text is never converted",
        )
    if not isinstance(value, int | float | np.integer | np.floating):
        raise EquationError(f"{field} must be a number, got {type(value).__name__}")
    if isinstance(value, int | np.integer) and abs(int(value)) > MAX_ABS_NUMBER:
        raise EquationError(f"{field} is too large (its magnitude must be at most {_MAX_SHOWN})")
    number = float(value)
    if not math.isfinite(number):
        raise EquationError(f"{field} must be a finite number, got {number}")
    if abs(number) > MAX_ABS_NUMBER:
        raise EquationError(f"{field} is too large (its magnitude must be at most {_MAX_SHOWN}), got {number:g}")
    if positive and not number > 0:
        raise EquationError(f"{field} must be positive (> 0), got {number:g}")
    if minimum is not None and number < minimum:
        raise EquationError(f"{field} must be at least {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise EquationError(f"{field} must be at most {maximum:g}, got {number:g}")
    return number
