"""``ast2code``: an AST back to source text, with chosen indentation and wrapped long lines.

:func:`ast.unparse` writes the code; this module only changes whitespace, so
the text parses to the same tree. Lines are re-indented token-aware (the lines
inside a multi-line string literal are left as they are) and a line longer than
``line_length`` is broken between two tokens: inside brackets, where Python
joins lines implicitly, preferably after a comma or an operator; outside
brackets with a backslash. A single token longer than the limit (a long string)
stays on a line of its own.

(The module is not called ``ast2code`` so that ``bp.tools.ast2code`` stays the function.)
"""

from __future__ import annotations

import ast
import dataclasses
import io
import keyword
import tokenize

__all__ = ["ast2code"]

# ast.unparse indents by four spaces per level.
_UNPARSE_INDENT = 4
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
# A line may end after a comma or a binary operator, or before one of these keywords.
_BINARY = frozenset({"+", "-", "*", "/", "//", "%", "**", "@", "|", "&", "^", "<<", ">>", "=", "->", ":"})
_BINARY |= frozenset({"==", "!=", "<", "<=", ">", ">=", ":="})
_BEFORE = frozenset({"and", "or", "if", "else", "for", "in", "not", "is"})
# No break before these (they end what precedes them) or after these (they start what follows).
_NOT_BEFORE = frozenset({",", ")", "]", "}", ":", ".", ";"})
_NOT_AFTER = frozenset({".", "~", "not", "lambda", "await", "is"})
_SKIP = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python >= 3.12 splits f-strings into tokens
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


@dataclasses.dataclass(frozen=True)
class _Break:
    """A place between two tokens of a line where it may be broken (columns of the line)."""

    end: int  # where the text of the line before the break ends
    start: int  # where the text after it starts
    depth: int  # brackets open there: 0 needs a backslash
    good: bool  # after a comma or a binary operator, or before `and`, `or`, `if`, `for` ...


def _ends_operand(token: tokenize.TokenInfo | None) -> bool:
    if token is None:
        return False
    if token.type == tokenize.NAME:
        return not keyword.iskeyword(token.string) or token.string in ("True", "False", "None")
    return token.type in (tokenize.NUMBER, tokenize.STRING) or token.string in _CLOSE


def _breakable(before: tokenize.TokenInfo, prior: tokenize.TokenInfo | None, after: tokenize.TokenInfo) -> bool | None:
    """Return whether a break between ``before`` and ``after`` reads well; ``None`` if there should be none.

    ``prior`` is the token before ``before``: it tells a binary operator from a unary one.
    """
    operator = before.type == tokenize.OP and before.string in _BINARY
    binary = operator and _ends_operand(prior)
    if after.string in _NOT_BEFORE or (operator and not binary):
        return None
    if before.string in _NOT_AFTER and not binary:
        return None
    if after.string in _OPEN and _ends_operand(before):
        return None  # between a function and its call, or an array and its subscript
    return before.string == "," or binary or (after.type == tokenize.NAME and after.string in _BEFORE)


def _scan(text: str) -> tuple[set[int], dict[int, list[_Break]]]:
    """Return the rows inside multi-line tokens and the possible breaks of every row (1-based rows)."""
    inside: set[int] = set()
    breaks: dict[int, list[_Break]] = {}
    depth = fstring = 0
    previous = prior = None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        (row, col), (end_row, _) = token.start, token.end
        inside.update(range(row + 1, end_row + 1))
        if token.type in _SKIP or token.type == tokenize.ENDMARKER:
            previous = prior = None
            continue
        if token.type == _FSTRING_START:
            fstring += 1
        if previous is not None and previous.end[0] == row and fstring == 0:
            good = _breakable(previous, prior, token)
            if good and previous.string == "=" and depth:
                good = False  # a keyword argument's name and value belong together
            if good is not None:
                breaks.setdefault(row, []).append(_Break(previous.end[1], col, depth, good))
        if token.type == _FSTRING_END:
            fstring -= 1
        if token.type == tokenize.OP and token.string in _OPEN:
            depth += 1
        elif token.type == tokenize.OP and token.string in _CLOSE:
            depth -= 1
        previous, prior = (token if end_row == row else None), previous
    return inside, breaks


def _choose(candidates: list[_Break], start: int, room: int) -> _Break | None:
    """Return the best break of a piece of line that starts at column ``start`` and has ``room`` columns.

    The longest piece wins, less a penalty for a break that is not after a comma
    or an operator, one that needs a backslash, and one deep inside brackets.
    """

    def width(b: _Break) -> int:
        return b.end - start + (0 if b.depth else 2)  # 2: the ' \\' of a backslash break

    usable = [b for b in candidates if b.start > start and b.end > start]
    fitting = [b for b in usable if width(b) <= room]
    if not fitting:
        return usable[0] if usable else None  # an over-long token: break right after it

    def score(b: _Break) -> float:
        penalty = (0 if b.good else 0.3) + (0.15 if b.depth == 0 else 0.05 * (b.depth - 1))
        return width(b) / room - penalty

    return max(fitting, key=score)


def _wrap(line: str, candidates: list[_Break], prefix: str, continuation: str, line_length: int) -> list[str]:
    """Return ``line`` (its text starting at column ``len(prefix)``) broken to fit ``line_length``."""
    pieces = []
    start, lead = len(prefix), prefix
    while len(lead) + len(line) - start > line_length:
        chosen = _choose(candidates, start, line_length - len(lead))
        if chosen is None:
            break
        text = line[start : chosen.end].rstrip()
        pieces.append(lead + text + ("" if chosen.depth else " \\"))
        start, lead = chosen.start, continuation
    pieces.append(lead + line[start:])
    return pieces


def _reformat(text: str, indent: int, line_length: int) -> str:
    try:
        inside, breaks = _scan(text)
    except (tokenize.TokenError, SyntaxError):  # a fragment such as an unbalanced slice of a call
        return text
    out = []
    for row, line in enumerate(text.split("\n"), start=1):
        if row in inside:  # a line of a multi-line string: part of its value
            out.append(line)
            continue
        leading = len(line) - len(line.lstrip(" "))
        level = leading // _UNPARSE_INDENT
        prefix = " " * (level * indent)
        shift = len(prefix) - leading
        candidates = [dataclasses.replace(b, end=b.end + shift, start=b.start + shift) for b in breaks.get(row, [])]
        continuation = " " * ((level + 2) * indent)
        out += _wrap(prefix + line[leading:], candidates, prefix, continuation, line_length)
    return "\n".join(out)


def ast2code(ast_node: ast.AST, indent: int = 4, line_length: int = 100) -> str:
    r"""Decompile an AST into Python source.

    Parameters
    ----------
    ast_node : ast.AST
        A tree (or any node) as made by :mod:`ast`, e.g. ``ast.parse(source)``.
    indent : int, optional
        Spaces per indentation level (default 4).
    line_length : int, optional
        Lines longer than this are broken (continuation lines are indented two
        levels deeper). Default 100.

    Returns
    -------
    str
        Source text; ``ast.parse(ast2code(tree))`` gives a tree equal to ``tree``.

    Examples
    --------
    >>> import ast
    >>> print(ast2code(ast.parse("def f(x):\n  return x+1"), indent=2))
    def f(x):
      return x + 1
    """
    if indent < 1 or line_length < 1:
        raise ValueError(f"indent and line_length must be positive, got {indent} and {line_length}.")
    if isinstance(ast_node, list):
        ast_node = ast.Module(body=ast_node, type_ignores=[])
    return _reformat(ast.unparse(ast_node), indent, line_length)
