"""brainlab.visualize: figure grid, plot style, line plots and rasters (Agg backend)."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from brainlab import visualize
from brainlab.errors import ModelUseError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.subprocess
def test_importing_brainlab_does_not_load_matplotlib():
    code = "import sys, brainlab.visualize, brainlab.measure; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_get_figure_size_and_grid():
    fig, gs = visualize.get_figure(2, 3, len_row=2, len_col=4)
    assert tuple(fig.get_size_inches()) == (12.0, 4.0)
    assert gs.get_geometry() == (2, 3)
    ax = fig.add_subplot(gs[1, 2])
    assert ax.get_figure() is fig


def test_get_figure_rejects_bad_rows():
    with pytest.raises(ModelUseError, match="n_row"):
        visualize.get_figure(0, 1)


def test_line_plot_draws_one_line_per_id():
    ts = np.arange(50) * 0.1
    values = np.arange(50 * 4, dtype=float).reshape(50, 4)
    _, ax = plt.subplots()
    out = visualize.line_plot(ts, values, plot_ids=[1, 3], ax=ax, legend="V", xlim=(0, 2), title="t", ylabel="V")
    assert out is ax
    assert len(ax.lines) == 2
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), ts)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), values[:, 3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["V-1", "V-3"]
    assert ax.get_xlim() == (0.0, 2.0)
    assert ax.get_title() == "t" and ax.get_ylabel() == "V" and ax.get_xlabel() == "Time (ms)"


def test_line_plot_defaults_to_first_element_on_current_axes():
    ts = np.arange(10.0)
    ax = visualize.line_plot(ts, np.ones((10, 2, 2)))  # a 2-D group history
    assert ax is plt.gca()
    assert len(ax.lines) == 1 and ax.get_legend() is None
    ax = visualize.line_plot(ts, np.ones((10, 2, 2)), plot_ids=3)
    assert len(ax.lines) == 2


def test_line_plot_errors():
    with pytest.raises(ModelUseError, match="plot_ids"):
        visualize.line_plot(np.arange(5.0), np.ones((5, 2)), plot_ids=[2])
    with pytest.raises(ModelUseError, match="one row per time step"):
        visualize.line_plot(np.arange(4.0), np.ones((5, 2)))


def test_raster_plot_points_and_limits():
    ts = np.arange(100) * 0.5
    sp = np.zeros((100, 6))
    sp[10, 2] = sp[20, 2] = sp[20, 5] = 1.0
    ax = visualize.raster_plot(ts, sp, markersize=3, color="r")
    assert ax is plt.gca()
    assert len(ax.lines) == 1
    line = ax.lines[0]
    np.testing.assert_array_equal(line.get_xydata(), [[5.0, 2.0], [10.0, 2.0], [10.0, 5.0]])
    assert line.get_linestyle() == "None" and line.get_marker() == "."
    assert line.get_markersize() == 3
    assert ax.get_xlim() == (0.0, 49.5)
    assert ax.get_ylim() == (-0.5, 5.5)
    assert ax.get_ylabel() == "Neuron index"


def test_raster_plot_on_given_axes_with_limits():
    _, (a1, a2) = plt.subplots(1, 2)
    sp = np.eye(4)
    visualize.raster_plot(np.arange(4.0), sp, ax=a2, xlim=(1, 2), ylim=(0, 3), title="r")
    assert len(a1.lines) == 0 and len(a2.lines) == 1
    assert len(a2.lines[0].get_xdata()) == 4
    assert a2.get_xlim() == (1.0, 2.0) and a2.get_ylim() == (0.0, 3.0)
    assert a2.get_title() == "r"


def test_plot_style1_sets_rcparams():
    with matplotlib.rc_context():
        visualize.plot_style1(fontsize=15, axes_edgecolor="blue", figsize="6,3", lw=2)
        assert matplotlib.rcParams["font.size"] == 15
        assert matplotlib.rcParams["axes.edgecolor"] == "blue"
        assert list(matplotlib.rcParams["figure.figsize"]) == [6.0, 3.0]
        assert matplotlib.rcParams["lines.linewidth"] == 2
        fig = plt.figure()
        assert tuple(fig.get_size_inches()) == (6.0, 3.0)
    with pytest.raises(ModelUseError, match="figsize"):
        visualize.plot_style1(figsize="big")
