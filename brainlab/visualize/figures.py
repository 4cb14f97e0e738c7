"""Figure set-up: a constrained-layout figure with its grid, and a publication style."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

from brainlab.errors import ModelUseError

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.gridspec import GridSpec

__all__ = ["get_figure", "plot_style1"]


def get_figure(n_row: int, n_col: int, len_row: float = 3, len_col: float = 6) -> tuple[Figure, GridSpec]:
    """Create a constrained-layout figure with an ``n_row`` x ``n_col`` grid.

    Parameters
    ----------
    n_row, n_col : int
        Number of rows and columns of the grid.
    len_row : float, default 3
        Height of each row, in inches.
    len_col : float, default 6
        Width of each column, in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The new figure, of size ``(n_col * len_col, n_row * len_row)``.
    gs : matplotlib.gridspec.GridSpec
        Its grid; ``fig.add_subplot(gs[0, 0])`` adds an axes.
    """
    # Imported here so that importing brainlab never loads matplotlib.
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec

    for name, value in (("n_row", n_row), ("n_col", n_col)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ModelUseError(f"get_figure: '{name}' must be a positive integer, got {value!r}.")
    fig = plt.figure(figsize=(n_col * len_col, n_row * len_row), layout="constrained")
    return fig, GridSpec(n_row, n_col, figure=fig)


def plot_style1(
    fontsize: float = 22,
    axes_edgecolor: str = "black",
    figsize: str | tuple[float, float] = "5,4",
    lw: float = 1,
) -> None:
    """Apply a plot style for publication figures.

    The style changes matplotlib's global ``rcParams`` and so affects every
    later figure; wrap the plotting in ``matplotlib.rc_context()`` to limit it.

    Parameters
    ----------
    fontsize : float, default 22
        Font size of labels, titles, ticks and legends.
    axes_edgecolor : str, default 'black'
        Colour of the axes frame.
    figsize : str or tuple of float, default '5,4'
        Default figure size in inches, as ``'width,height'`` or a tuple.
    lw : float, default 1
        Line width of plotted lines and of the axes frame.
    """
    import matplotlib as mpl

    if isinstance(figsize, str):
        try:
            width, height = (float(part) for part in figsize.split(","))
        except ValueError:
            raise ModelUseError(
                f"plot_style1: 'figsize' must look like '5,4' (width,height in inches), got {figsize!r}."
            ) from None
    else:
        width, height = figsize
    mpl.rcParams.update(
        {
            "font.size": fontsize,
            "axes.labelsize": fontsize,
            "axes.titlesize": fontsize,
            "xtick.labelsize": fontsize,
            "ytick.labelsize": fontsize,
            "legend.fontsize": fontsize,
            "axes.edgecolor": axes_edgecolor,
            "axes.linewidth": lw,
            "lines.linewidth": lw,
            "figure.figsize": (width, height),
            # Open frames read better in print.
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
