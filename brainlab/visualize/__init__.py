"""Matplotlib helpers for monitored results: figure grids, a style, traces, rasters.

Matplotlib is imported only when one of them is called, never by ``import brainlab``.
"""

from brainlab.visualize.figures import get_figure, plot_style1
from brainlab.visualize.plots import line_plot, raster_plot

__all__ = ["get_figure", "line_plot", "plot_style1", "raster_plot"]
