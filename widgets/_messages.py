"""The message area of the panels: escaped, clipped, coloured text in an ``ipywidgets.HTML``.

Messages often quote what a user typed, so they are HTML-escaped, stripped of
control characters and clipped before they reach the page.
"""

from __future__ import annotations

import html
import re
from types import MappingProxyType

__all__ = ["COLOURS", "MAX_MESSAGE", "message_html"]

#: Longest message shown (characters); longer ones end with "...".
MAX_MESSAGE = 1000
#: Text colour by level.
COLOURS = MappingProxyType({"error": "#b00020", "warning": "#8a5300", "ok": "#1b5e20", "info": "#333333"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def message_html(text: object, level: str = "info") -> tuple[str, str]:
    """Return ``(plain, markup)``: the clipped text, and the HTML that shows it in the colour of ``level``."""
    plain = str(text)
    if len(plain) > MAX_MESSAGE:
        plain = plain[: MAX_MESSAGE - 3] + "..."
    safe = _CONTROL.sub("\ufffd", html.escape(plain, quote=True)).replace("\n", "<br>")
    colour = COLOURS.get(level, COLOURS["info"])
    return plain, f'<div style="color:{colour};white-space:pre-wrap;font-family:monospace">{safe}</div>'
