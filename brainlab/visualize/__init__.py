"""Matplotlib helpers for monitored results: figure grids, a style, traces, rasters, animations.

Matplotlib is imported only when one of them is called, never by ``import brainlab``.
"""

from brainlab.visualize.animation import animate_1D, animate_2D
from brainlab.visualize.figures import get_figure, plot_style1
from brainlab.visualize.plots import line_plot, raster_plot

__all__ = ["animate_1D", "animate_2D", "get_figure", "line_plot", "plot_style1", "raster_plot"]
