"""Slider values on their step grid, so that a browser does not move them when it first draws them.

A browser's slider snaps its value to ``min + k * step`` when it draws it and
sends the snapped value back to the kernel, which applies it like a user's move:
τ = 12.5 on a grid of 0.2 from 0 becomes 12.4 before anyone touches the slider.
:func:`align_to_grid` moves ``min`` up to the grid point below the value (inside
the range the kernel checks against), so that the value is a grid point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["align_all", "align_to_grid"]


def align_to_grid(slider: Any) -> None:
    """Raise ``slider.min`` (by less than one step) so that ``slider.value`` is ``min + k * step``."""
    step, value, low = float(slider.step), float(slider.value), float(slider.min)
    if not (step > 0 and math.isfinite(value) and math.isfinite(low)) or isinstance(slider.value, int):
        return
    k = math.floor((value - low) / step + 1e-9)
    aligned = float(f"{value - k * step:.12g}")
    if low < aligned <= value:
        slider.min = aligned


def align_all(sliders: Iterable[Any]) -> None:
    """Align every float slider of ``sliders`` (see :func:`align_to_grid`)."""
    for slider in sliders:
        align_to_grid(slider)
