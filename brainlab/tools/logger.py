"""Print generated code and the names it runs with (BrainPy 0.3's ``tools.logger``).

Both functions print: showing code to a person is their whole job. They return ``None``.
"""

from __future__ import annotations

import types
from collections.abc import Container, Mapping
from typing import Any

import numpy as np

__all__ = ["show_code_scope", "show_code_str"]

# Arrays larger than this are shown by shape and dtype instead of by value.
_SHOWN_ELEMENTS = 10


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.size > _SHOWN_ELEMENTS:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    return repr(value)


def show_code_scope(code_scope: Mapping[str, Any], ignores: Container[str] = ()) -> None:
    """Print a code scope as ``name = value`` lines.

    Modules, dunder names (``__builtins__``) and the names in ``ignores`` are
    left out; arrays of more than ten elements are shown by shape and dtype.

    Parameters
    ----------
    code_scope : mapping
        ``name -> value``, e.g. from :func:`brainlab.tools.get_func_scope`.
    ignores : container of str, optional
        Names not to print.
    """
    for name, value in code_scope.items():
        if name in ignores or isinstance(value, types.ModuleType) or (name.startswith("__") and name.endswith("__")):
            continue
        print(f"{name} = {_describe(value)}")


def show_code_str(func_code: str) -> None:
    """Print source code with line numbers.

    Parameters
    ----------
    func_code : str
        The code.
    """
    lines = func_code.rstrip("\n").split("\n")
    width = len(str(len(lines)))
    for number, line in enumerate(lines, start=1):
        print(f"{number:>{width}}  {line}")
