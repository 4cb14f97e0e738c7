"""brainlab.visualize.animate_1D / animate_2D: drawn frames, frame counts, GIF/MP4 output, errors."""

import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.animation as mpl_animation
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from brainlab import profile, visualize
from brainlab.errors import ModelUseError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    # Draw every figure once: matplotlib warns when an animation that never
    # rendered is garbage collected, which would happen here for the tests that
    # only inspect the first frame.
    for num in plt.get_fignums():
        plt.figure(num).canvas.draw()
    plt.close("all")


class RecordingWriter(mpl_animation.AbstractMovieWriter):
    """A movie writer that writes nothing and records what each saved frame shows.

    ``Animation.save`` draws every frame through the animation's frame function and
    then calls ``grab_frame``, so the records are the state of the drawn artists.
    """

    def __init__(self, snapshot):
        super().__init__(fps=10)
        self.snapshot = snapshot
        self.frames = []

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi)

    def grab_frame(self, **savefig_kwargs):
        self.frames.append(self.snapshot(self.fig))

    def finish(self):
        pass


def record(fig, snapshot, tmp_path):
    writer = RecordingWriter(snapshot)
    fig.animation.save(str(tmp_path / "unused.rec"), writer=writer)
    return writer.frames


def image_state(fig):
    ax = fig.axes[0]
    image = ax.images[0]
    return np.array(image.get_array()), ax.get_title(), image.get_clim()


def lines_state(fig):
    ax = fig.axes[0]
    return [np.array(line.get_ydata()) for line in ax.lines], ax.get_title()


def gif_frames(path):
    with Image.open(path) as im:
        return im.n_frames, im.size, im.info.get("duration")


@pytest.mark.subprocess
def test_importing_brainlab_does_not_load_matplotlib_animation():
    code = "import sys, brainlab, brainlab.visualize; print('matplotlib.animation' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_names():
    assert visualize.animate_1D is not None and visualize.animate_2D is not None
    assert {"animate_1D", "animate_2D"} <= set(visualize.__all__)


# -- animate_2D ----------------------------------------------------------------------


def grid_values(num_steps=7, num=12):
    """Every step distinct, so that frames (and GIF frames) differ."""
    return np.arange(num_steps * num, dtype=float).reshape(num_steps, num) ** 1.5


@pytest.mark.parametrize("frame_step", [1, 2, 3, 7, 10])
def test_animate_2D_frames_show_the_right_step(tmp_path, frame_step):
    values = grid_values()
    fig = visualize.animate_2D(values, (3, 4), dt=0.1, frame_step=frame_step, show=False)
    frames = record(fig, image_state, tmp_path)
    assert len(frames) == math.ceil(7 / frame_step)
    for k, (array, title, clim) in enumerate(frames):
        step = k * frame_step
        np.testing.assert_array_equal(array, values[step].reshape(3, 4))
        assert title == f"Time: {np.format_float_positional(round(step * 0.1, 9), trim='-')} ms"
        assert clim == (values.min(), values.max())  # one scale for all frames


def test_animate_2D_title_time_and_profile_dt(tmp_path):
    with profile.temporary(dt=0.25):
        fig = visualize.animate_2D(grid_values(), (3, 4), frame_step=3, show=False, title_size=7)
    titles = [t for _, t, _ in record(fig, image_state, tmp_path)]
    assert titles == ["Time: 0 ms", "Time: 0.75 ms", "Time: 1.5 ms"]
    assert fig.axes[0].title.get_fontsize() == 7
    fig = visualize.animate_2D(grid_values(), (3, 4), dt=0.1, frame_step=3, show=False)
    assert [t for _, t, _ in record(fig, image_state, tmp_path)] == ["Time: 0 ms", "Time: 0.3 ms", "Time: 0.6 ms"]


def test_animate_2D_accepts_3d_history_and_colour_limits(tmp_path):
    values = grid_values().reshape(7, 3, 4)
    fig = visualize.animate_2D(values, (3, 4), dt=1.0, val_min=-1.0, val_max=2.0, cmap="gray", show=False)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-1.0, 2.0)
    assert image.get_cmap().name == "gray"
    frames = record(fig, image_state, tmp_path)
    np.testing.assert_array_equal(frames[4][0], values[4])
    # Only one limit given: the other comes from the data.
    fig = visualize.animate_2D(values, (3, 4), val_max=1e6, show=False)
    assert fig.axes[0].images[0].get_clim() == (0.0, 1e6)


def test_animate_2D_figure_and_returned_animation():
    fig = visualize.animate_2D(grid_values(), (3, 4), figsize=(4, 3), frame_delay=20, show=False)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert tuple(fig.get_size_inches()) == (4.0, 3.0)
    assert isinstance(fig.animation, mpl_animation.FuncAnimation)
    assert fig.animation.event_source.interval == 20


def test_animate_2D_writes_gif(tmp_path):
    path = tmp_path / "grid.gif"
    fig = visualize.animate_2D(
        grid_values(), (3, 4), frame_step=2, frame_delay=40, figsize=(4, 3), gif_dpi=50, save_path=path
    )
    assert isinstance(fig, matplotlib.figure.Figure)
    assert path.read_bytes()[:6] in (b"GIF87a", b"GIF89a")
    n_frames, size, duration = gif_frames(path)
    assert n_frames == 4  # ceil(7 / 2)
    assert size == (200, 150)  # figsize * gif_dpi
    assert duration == 40  # fps = 1000 / frame_delay


def test_animate_2D_gif_uses_video_fps(tmp_path):
    path = tmp_path / "grid.GIF"  # the extension is case-insensitive
    visualize.animate_2D(grid_values(), (3, 4), video_fps=10, save_path=str(path))
    assert gif_frames(path)[0] == 7
    assert gif_frames(path)[2] == 100


def test_show_is_called_only_without_save_path(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: calls.append(1))
    visualize.animate_2D(grid_values(), (3, 4))
    assert calls == [1]
    visualize.animate_1D(grid_values(), show=False)
    assert calls == [1]
    visualize.animate_1D(grid_values(), save_path=tmp_path / "a.gif")
    visualize.animate_2D(grid_values(), (3, 4), save_path=tmp_path / "b.gif", show=True)
    assert calls == [1]


def test_mp4_without_ffmpeg_raises_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(mpl_animation.writers, "is_available", lambda name: False)
    for call in (
        lambda: visualize.animate_2D(grid_values(), (3, 4), save_path=tmp_path / "a.mp4"),
        lambda: visualize.animate_1D(grid_values(), save_path=tmp_path / "a.mp4"),
    ):
        with pytest.raises(ModelUseError, match=r"ffmpeg is not installed.*'\.gif'.*apt-get install ffmpeg"):
            call()
    assert plt.get_fignums() == []  # failed before drawing anything
    assert not (tmp_path / "a.mp4").exists()


def test_mp4_is_written_when_ffmpeg_is_available(tmp_path):
    if not mpl_animation.writers.is_available("ffmpeg"):
        with pytest.raises(ModelUseError, match="ffmpeg is not installed"):
            visualize.animate_2D(grid_values(), (3, 4), save_path=tmp_path / "a.mp4")
        return
    path = tmp_path / "a.mp4"
    visualize.animate_2D(grid_values(), (4, 3), save_path=path)
    assert path.stat().st_size > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"net_size": (3, 5)}, r"shape \(7, 12\).*net_size=\(3, 5\)"),
        ({"net_size": (12,)}, "net_size"),
        ({"net_size": (0, 12)}, "net_size"),
        ({"net_size": (3.0, 4)}, "net_size"),
        ({"values": np.zeros((7, 4, 3))}, r"\(num_steps, 3, 4\)"),
        ({"values": np.zeros((0, 12))}, "no time steps"),
        ({"values": np.full((2, 12), np.nan)}, "no finite"),
        ({"values": np.array([["a"] * 12])}, "numeric"),
        ({"val_min": 2.0, "val_max": 1.0}, "val_min"),
        ({"frame_step": 0}, "frame_step"),
        ({"frame_step": 1.5}, "frame_step"),
        ({"frame_delay": -1}, "frame_delay"),
        ({"dt": 0.0}, "'dt'"),
        ({"video_fps": 0}, "video_fps"),
        ({"gif_dpi": -5}, "gif_dpi"),
        ({"figsize": "big"}, "figsize"),
        ({"save_path": "movie.avi"}, r"'\.gif', '\.mp4'"),
        ({"save_path": "movie"}, r"'\.gif', '\.mp4'"),
        ({"save_path": 42}, "save_path"),
    ],
)
def test_animate_2D_errors(kwargs, message):
    args = {"values": grid_values(), "net_size": (3, 4), "show": False} | kwargs
    with pytest.raises(ModelUseError, match=f"animate_2D: .*{message}"):
        visualize.animate_2D(**args)
    assert plt.get_fignums() == []


# -- animate_1D ----------------------------------------------------------------------


def test_animate_1D_lines_follow_the_frames(tmp_path):
    a = np.sin(np.arange(9 * 5).reshape(9, 5))
    b = np.cos(np.arange(9 * 3).reshape(9, 3))
    xs_b = [0.0, 2.0, 4.0]
    threshold = np.full(5, 0.5)
    fig = visualize.animate_1D(
        [a, {"ys": b, "xs": xs_b, "legend": "b"}],
        static_vars={"ys": threshold, "legend": "threshold"},
        dt=0.5,
        frame_step=4,
        show=False,
    )
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(5))
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), xs_b)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["b", "threshold"]
    frames = record(fig, lines_state, tmp_path)
    assert len(frames) == 3  # steps 0, 4, 8
    for k, (ys, title) in enumerate(frames):
        np.testing.assert_array_equal(ys[0], a[4 * k])
        np.testing.assert_array_equal(ys[1], b[4 * k])
        np.testing.assert_array_equal(ys[2], threshold)  # static: never changes
        assert title == f"Time: {2 * k:g} ms"


def test_animate_1D_default_limits_cover_all_frames():
    ys = np.zeros((5, 4))
    ys[3, 2] = 10.0  # only a later frame reaches 10
    fig = visualize.animate_1D(ys, static_vars=[np.full(4, -2.0)], show=False)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 3.0)
    low, high = ax.get_ylim()
    assert low < -2.0 and high > 10.0
    assert ax.get_legend() is None


def test_animate_1D_explicit_limits_labels_and_flat_data():
    fig = visualize.animate_1D(
        {"ys": np.ones((3, 2))}, xlim=(-1, 5), ylim=(0, 3), xlabel="x (mm)", ylabel="V", figsize=(3, 2), show=False
    )
    ax = fig.axes[0]
    assert ax.get_xlim() == (-1.0, 5.0) and ax.get_ylim() == (0.0, 3.0)
    assert ax.get_xlabel() == "x (mm)" and ax.get_ylabel() == "V"
    assert tuple(fig.get_size_inches()) == (3.0, 2.0)
    fig = visualize.animate_1D(np.ones((3, 2)), show=False)  # flat data still gets a usable y range
    low, high = fig.axes[0].get_ylim()
    assert low < 1.0 < high


def test_animate_1D_writes_gif(tmp_path):
    path = tmp_path / "profile.gif"
    ys = np.linspace(0, 1, 10 * 6).reshape(10, 6)
    fig = visualize.animate_1D(ys, frame_step=3, figsize=(3, 2), gif_dpi=40, save_path=path)
    assert isinstance(fig, matplotlib.figure.Figure)
    n_frames, size, duration = gif_frames(path)
    assert n_frames == 4  # ceil(10 / 3)
    assert size == (120, 80)
    assert duration == 50  # default frame_delay 50 ms -> 20 fps


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dynamical_vars": []}, "empty"),
        ({"dynamical_vars": np.zeros(5)}, r"'dynamical_vars' must have shape \(num_steps, n\)"),
        ({"dynamical_vars": np.zeros((5, 0))}, r"shape \(num_steps, n\)"),
        ({"dynamical_vars": [np.zeros((5, 2)), np.zeros((4, 2))]}, r"different numbers of time steps \[5, 4\]"),
        ({"dynamical_vars": {"xs": [1, 2]}}, "needs 'ys'"),
        ({"dynamical_vars": {"ys": np.zeros((5, 2)), "y": 1}}, "nothing else"),
        ({"dynamical_vars": {"ys": np.zeros((5, 2)), "xs": [0, 1, 2]}}, "'xs' of 'dynamical_vars' has 3 values"),
        ({"dynamical_vars": [np.zeros((5, 2)), [1.0, 2.0]]}, r"'dynamical_vars\[1\]' must be a numpy array"),
        ({"static_vars": np.zeros((5, 2))}, r"'static_vars' must have shape \(n,\)"),
        ({"static_vars": {"ys": ["a", "b"]}}, "'static_vars' must be numbers"),
        ({"static_vars": [{"ys": np.zeros(2), "xs": [1.0]}]}, r"'xs' of 'static_vars\[0\]' has 1 values"),
        ({"frame_step": -2}, "frame_step"),
        ({"frame_delay": 0}, "frame_delay"),
        ({"dt": -0.1}, "'dt'"),
        ({"save_path": "out.png"}, r"'\.gif', '\.mp4'"),
    ],
)
def test_animate_1D_errors(kwargs, message):
    args = {"dynamical_vars": np.zeros((5, 2)), "show": False} | kwargs
    with pytest.raises(ModelUseError, match=f"animate_1D: .*{message}"):
        visualize.animate_1D(**args)
    assert plt.get_fignums() == []
