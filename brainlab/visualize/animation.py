"""Animations of monitored histories: a 2-D group as an image, 1-D profiles as moving lines.

Both functions build a ``matplotlib.animation.FuncAnimation`` whose frames are
every ``frame_step``-th recorded step, then save it (GIF through Pillow, MP4
through ffmpeg) or show it. Matplotlib is imported only inside the functions.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from brainlab import profile
from brainlab.errors import ModelUseError

if TYPE_CHECKING:
    from matplotlib.animation import FuncAnimation
    from matplotlib.figure import Figure

__all__ = ["animate_1D", "animate_2D"]

# Writer per file extension; ffmpeg additionally has to be installed.
_WRITERS = {".gif": "pillow", ".mp4": "ffmpeg"}
_CURVE_KEYS = frozenset({"ys", "xs", "legend"})


# -- shared helpers ------------------------------------------------------------------


def _check_positive(func: str, name: str, value: Any, *, integer: bool = False, optional: bool = False) -> None:
    """Raise unless ``value`` is a positive number (a positive int if ``integer``)."""
    if optional and value is None:
        return
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        what = "a positive integer" if integer else "a positive number"
        raise ModelUseError(f"{func}: '{name}' must be {what}, got {value!r}.")


def _check_common(
    func: str, dt: float | None, frame_delay: float, frame_step: int, gif_dpi: float | None, video_fps: float | None
) -> float:
    """Validate the arguments both animations share and return the time step in ms."""
    _check_positive(func, "frame_delay", frame_delay)
    _check_positive(func, "frame_step", frame_step, integer=True)
    _check_positive(func, "gif_dpi", gif_dpi, optional=True)
    _check_positive(func, "video_fps", video_fps, optional=True)
    step = profile.get_dt() if dt is None else dt
    _check_positive(func, "dt", step)
    return float(step)


def _writer_name(func: str, save_path: str | os.PathLike | None) -> str | None:
    """Return the matplotlib writer for ``save_path``, or None when nothing is saved.

    Checked before any drawing, so that a bad path fails at once rather than
    after the figure has been built.
    """
    if save_path is None:
        return None
    if not isinstance(save_path, str | os.PathLike):
        raise ModelUseError(f"{func}: 'save_path' must be a file path (str or os.PathLike), got {save_path!r}.")
    extension = os.path.splitext(os.fspath(save_path))[1].lower()
    writer = _WRITERS.get(extension)
    if writer is None:
        supported = ", ".join(repr(ext) for ext in _WRITERS)
        raise ModelUseError(
            f"{func}: cannot save an animation as {os.fspath(save_path)!r}; 'save_path' must end with one of "
            f"{supported} (GIF needs nothing beyond matplotlib, MP4 needs ffmpeg)."
        )
    from matplotlib import animation

    if writer == "ffmpeg" and not animation.writers.is_available("ffmpeg"):
        raise ModelUseError(
            f"{func}: cannot save {os.fspath(save_path)!r}: ffmpeg is not installed, and matplotlib needs it to "
            f"write MP4 files. Save a '.gif' instead, or install ffmpeg (e.g. 'apt-get install ffmpeg' or "
            f"'conda install -c conda-forge ffmpeg') and make sure it is on the PATH."
        )
    return writer


def _frame_steps(num_steps: int, frame_step: int) -> np.ndarray:
    """Return the recorded step shown by each frame: ``ceil(num_steps / frame_step)`` of them."""
    return np.arange(0, num_steps, frame_step)


def _time_label(step: int, dt: float) -> str:
    """Return the title of the frame showing ``step``; rounding hides float noise (3 * 0.1)."""
    time = np.format_float_positional(round(step * dt, 9), trim="-")
    return f"Time: {time} ms"


def _new_figure(func: str, figsize: Sequence[float] | None) -> Figure:
    """Create the figure of an animation."""
    if figsize is not None:
        try:
            width, height = (float(v) for v in figsize)
        except (TypeError, ValueError):
            raise ModelUseError(
                f"{func}: 'figsize' must be (width, height) in inches, got {figsize!r}; e.g. figsize=(6, 6)."
            ) from None
        figsize = (width, height)
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize)


def _finish(
    fig: Figure,
    anim: FuncAnimation,
    writer: str | None,
    save_path: str | os.PathLike | None,
    frame_delay: float,
    gif_dpi: float | None,
    video_fps: float | None,
    show: bool,
) -> Figure:
    """Save or show the animation and return its figure.

    The animation is kept on the figure (``fig.animation``): matplotlib stops an
    animation that is garbage collected, so a caller holding only the figure
    would otherwise see a frozen first frame.
    """
    fig.animation = anim
    if writer is not None:
        # Without video_fps the file plays at the pace of the on-screen animation.
        fps = video_fps if video_fps is not None else 1000.0 / frame_delay
        anim.save(os.fspath(save_path), writer=writer, fps=fps, dpi=gif_dpi)
    elif show:
        import matplotlib.pyplot as plt

        plt.show()
    return fig


def _animate(fig: Figure, update: Any, num_frames: int, frame_delay: float) -> FuncAnimation:
    """Wrap ``update(k)`` (which draws frame ``k``) into a FuncAnimation."""
    from matplotlib.animation import FuncAnimation

    # blit=False: the time is shown in the title, outside the axes area that
    # blitting would redraw. ``update`` still returns its artists.
    return FuncAnimation(fig, update, frames=num_frames, interval=frame_delay, blit=False)


# -- animate_2D ----------------------------------------------------------------------


def _grid_history(values: ArrayLike, net_size: Sequence[int]) -> np.ndarray:
    """Return ``values`` as ``(num_steps, height, width)``, checking it against ``net_size``."""
    size = tuple(net_size) if isinstance(net_size, Sequence) else (net_size,)
    if len(size) != 2 or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in size):
        raise ModelUseError(
            f"animate_2D: 'net_size' must be (height, width), two positive integers, got {net_size!r}; "
            f"for a group of 100 neurons on a square grid use net_size=(10, 10)."
        )
    height, width = (int(v) for v in size)
    arr = np.asarray(values)
    if arr.ndim == 3 and arr.shape[1:] == (height, width):
        grid = arr
    elif arr.ndim == 2 and arr.shape[1] == height * width:
        grid = arr.reshape(arr.shape[0], height, width)
    else:
        raise ModelUseError(
            f"animate_2D: 'values' has shape {arr.shape}, which does not fit net_size={(height, width)}; "
            f"pass a history of shape (num_steps, {height * width}) or (num_steps, {height}, {width})."
        )
    if grid.shape[0] == 0:
        raise ModelUseError("animate_2D: 'values' has no time steps (shape[0] == 0); monitor a run first.")
    if not np.issubdtype(grid.dtype, np.number) and grid.dtype != bool:
        raise ModelUseError(f"animate_2D: 'values' must be numeric, got dtype {grid.dtype}.")
    return grid.astype(float, copy=False)


def animate_2D(
    values: ArrayLike,
    net_size: Sequence[int],
    dt: float | None = None,
    val_min: float | None = None,
    val_max: float | None = None,
    cmap: str | None = None,
    frame_delay: float = 1.0,
    frame_step: int = 1,
    title_size: float = 10,
    figsize: Sequence[float] | None = None,
    gif_dpi: float | None = None,
    video_fps: float | None = None,
    save_path: str | os.PathLike | None = None,
    show: bool = True,
) -> Figure:
    """Animate the state of a 2-D neuron group as a sequence of images.

    Each frame draws the state of one recorded step on the ``height x width``
    grid of the group, with the time in the title. One colour scale is used
    for all frames, so that frames can be compared.

    Parameters
    ----------
    values : array_like
        History of shape ``(num_steps, height * width)`` or
        ``(num_steps, height, width)``, for example ``group.mon.V``.
    net_size : (int, int)
        ``(height, width)`` of the group.
    dt : float, optional
        Time between recorded steps in ms; default ``brainlab.profile.get_dt()``.
    val_min, val_max : float, optional
        Ends of the colour scale; default the smallest and largest value over
        all frames.
    cmap : str, optional
        Matplotlib colormap name; default matplotlib's.
    frame_delay : float, default 1.0
        Time between frames on screen, in ms.
    frame_step : int, default 1
        Show every ``frame_step``-th step: ``ceil(num_steps / frame_step)`` frames.
    title_size : float, default 10
        Font size of the time title.
    figsize : (float, float), optional
        Figure size in inches.
    gif_dpi : float, optional
        Resolution of the saved frames (with ``figsize`` it sets the movie size
        in pixels); default matplotlib's.
    video_fps : float, optional
        Frames per second of the saved file; default ``1000 / frame_delay``.
    save_path : str or os.PathLike, optional
        Save to this file instead of showing: ``.gif`` (Pillow) or ``.mp4``
        (needs ffmpeg).
    show : bool, default True
        Show the animation (``matplotlib.pyplot.show()``) when nothing is saved.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.animation`` holds the ``FuncAnimation`` (for example
        for ``fig.animation.to_jshtml()`` in a notebook).
    """
    func = "animate_2D"
    step_dt = _check_common(func, dt, frame_delay, frame_step, gif_dpi, video_fps)
    grid = _grid_history(values, net_size)
    writer = _writer_name(func, save_path)
    finite = grid[np.isfinite(grid)]
    if finite.size == 0 and (val_min is None or val_max is None):
        raise ModelUseError(
            "animate_2D: 'values' holds no finite number (all NaN or infinite), so the colour scale cannot "
            "be taken from the data; pass val_min and val_max, or check the run for divergence."
        )
    low = float(finite.min()) if val_min is None else float(val_min)
    high = float(finite.max()) if val_max is None else float(val_max)
    if low > high:
        raise ModelUseError(
            f"animate_2D: the colour scale is empty: val_min={low!r} > val_max={high!r}; "
            f"pass val_min <= val_max (or leave either as None for the data's extreme)."
        )
    steps = _frame_steps(grid.shape[0], frame_step)

    fig = _new_figure(func, figsize)
    ax = fig.add_subplot()
    image = ax.imshow(grid[0], cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    fig.colorbar(image, ax=ax)
    ax.set_axis_off()
    title = ax.set_title(_time_label(0, step_dt), fontsize=title_size)

    def update(frame: int) -> list:
        step = int(steps[frame])
        image.set_data(grid[step])
        title.set_text(_time_label(step, step_dt))
        return [image, title]

    anim = _animate(fig, update, steps.size, frame_delay)
    return _finish(fig, anim, writer, save_path, frame_delay, gif_dpi, video_fps, show)


# -- animate_1D ----------------------------------------------------------------------


def _curves(func: str, name: str, spec: Any, ys_ndim: int) -> list[dict[str, Any]]:
    """Normalise one argument of animate_1D to a list of ``{'ys', 'xs', 'legend'}`` dicts.

    ``ys`` must have ``ys_ndim`` dimensions (2 for dynamical curves, one row per
    step; 1 for static ones); ``xs`` defaults to ``0 .. n - 1``.
    """
    items = list(spec) if isinstance(spec, list | tuple) else [spec]
    shape_hint = "(num_steps, n)" if ys_ndim == 2 else "(n,)"
    curves = []
    for k, item in enumerate(items):
        where = f"'{name}[{k}]'" if isinstance(spec, list | tuple) else f"'{name}'"
        if isinstance(item, Mapping):
            unknown = set(item) - _CURVE_KEYS
            if "ys" not in item or unknown:
                raise ModelUseError(
                    f"{func}: {where} is a dict with keys {sorted(map(str, item))}; it needs 'ys' and may have "
                    f"'xs' and 'legend', nothing else."
                )
            ys, xs, legend = item["ys"], item.get("xs"), item.get("legend")
        elif isinstance(item, np.ndarray):
            ys, xs, legend = item, None, None
        else:
            raise ModelUseError(
                f"{func}: {where} must be a numpy array {shape_hint} or a dict {{'ys': ..., 'xs': ..., "
                f"'legend': ...}}, got {type(item).__name__}."
            )
        try:
            ys = np.asarray(ys, dtype=float)
        except (TypeError, ValueError):
            raise ModelUseError(f"{func}: the values of {where} must be numbers, got {ys!r:.80}.") from None
        if ys.ndim != ys_ndim or ys.shape[-1] == 0:
            raise ModelUseError(f"{func}: the values of {where} must have shape {shape_hint}, got shape {ys.shape}.")
        n = ys.shape[-1]
        xs = np.arange(n, dtype=float) if xs is None else np.asarray(xs, dtype=float).reshape(-1)
        if xs.size != n:
            raise ModelUseError(
                f"{func}: 'xs' of {where} has {xs.size} values but each curve has {n} points; "
                f"give one x value per point (or leave 'xs' out for 0..{n - 1})."
            )
        curves.append({"ys": ys, "xs": xs, "legend": None if legend is None else str(legend)})
    return curves


def _padded_range(arrays: list[np.ndarray]) -> tuple[float, float] | None:
    """Return ``(low, high)`` over the finite values of ``arrays`` with a 5 % margin, or None."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return None
    low, high = min(float(a.min()) for a in finite), max(float(a.max()) for a in finite)
    # A flat range would make matplotlib warn about identical limits.
    pad = 0.05 * (high - low) if high > low else max(0.05 * abs(high), 0.5)
    return low - pad, high + pad


def animate_1D(
    dynamical_vars: ArrayLike | Mapping[str, Any] | Sequence[ArrayLike | Mapping[str, Any]],
    static_vars: ArrayLike | Mapping[str, Any] | Sequence[ArrayLike | Mapping[str, Any]] = (),
    dt: float | None = None,
    xlim: Sequence[float] | None = None,
    ylim: Sequence[float] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    frame_delay: float = 50.0,
    frame_step: int = 1,
    title_size: float = 10,
    figsize: Sequence[float] | None = None,
    gif_dpi: float | None = None,
    video_fps: float | None = None,
    save_path: str | os.PathLike | None = None,
    show: bool = True,
) -> Figure:
    """Animate one-dimensional profiles, for example the potential along a chain.

    Each dynamical variable is a line whose y values change from frame to
    frame; static variables are lines drawn once and left unchanged (a
    threshold, a reference profile).

    Parameters
    ----------
    dynamical_vars : numpy.ndarray, dict or list of them
        A history ``ys`` of shape ``(num_steps, n)`` (one profile of ``n``
        points per step), or a dict ``{'ys': ys, 'xs': xs, 'legend': label}``
        where ``xs`` (``n`` values, default ``0 .. n - 1``) and ``legend`` are
        optional, or a list of these. All must have the same ``num_steps``.
    static_vars : numpy.ndarray, dict or list of them, default ()
        Fixed curves, as above but with ``ys`` of shape ``(n,)``.
    dt : float, optional
        Time between recorded steps in ms; default ``brainlab.profile.get_dt()``.
    xlim, ylim : (float, float), optional
        Axis limits; default the range of all curves over all frames (ylim
        with a 5 % margin), so that the axes do not move.
    xlabel, ylabel : str, optional
        Axis labels.
    frame_delay : float, default 50.0
        Time between frames on screen, in ms.
    frame_step : int, default 1
        Show every ``frame_step``-th step: ``ceil(num_steps / frame_step)`` frames.
    title_size : float, default 10
        Font size of the time title.
    figsize : (float, float), optional
        Figure size in inches.
    gif_dpi : float, optional
        Resolution of the saved frames; default matplotlib's.
    video_fps : float, optional
        Frames per second of the saved file; default ``1000 / frame_delay``.
    save_path : str or os.PathLike, optional
        Save to this file instead of showing: ``.gif`` (Pillow) or ``.mp4``
        (needs ffmpeg).
    show : bool, default True
        Show the animation (``matplotlib.pyplot.show()``) when nothing is saved.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.animation`` holds the ``FuncAnimation``. Its axes
        hold the dynamical lines first, in the given order, then the static ones.
    """
    func = "animate_1D"
    step_dt = _check_common(func, dt, frame_delay, frame_step, gif_dpi, video_fps)
    dynamic = _curves(func, "dynamical_vars", dynamical_vars, ys_ndim=2)
    if not dynamic:
        raise ModelUseError(f"{func}: 'dynamical_vars' is empty; give at least one (num_steps, n) history.")
    static = _curves(func, "static_vars", static_vars, ys_ndim=1)
    lengths = [c["ys"].shape[0] for c in dynamic]
    if len(set(lengths)) > 1:
        raise ModelUseError(
            f"{func}: the dynamical variables have different numbers of time steps {lengths}; "
            f"they are animated together, so pass histories of the same run."
        )
    writer = _writer_name(func, save_path)
    steps = _frame_steps(lengths[0], frame_step)

    fig = _new_figure(func, figsize)
    ax = fig.add_subplot()
    lines = [ax.plot(c["xs"], c["ys"][0], label=c["legend"])[0] for c in dynamic]
    for c in static:
        ax.plot(c["xs"], c["ys"], label=c["legend"])
    curves = dynamic + static
    if xlim is None:
        xs = np.concatenate([c["xs"] for c in curves])
        xlim = (float(xs.min()), float(xs.max())) if xs.max() > xs.min() else None
    if ylim is None:
        ylim = _padded_range([c["ys"] for c in curves])
    if xlim is not None:
        ax.set_xlim(xlim[0], xlim[1])
    if ylim is not None:
        ax.set_ylim(ylim[0], ylim[1])
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if any(c["legend"] for c in curves):
        ax.legend()
    title = ax.set_title(_time_label(0, step_dt), fontsize=title_size)

    def update(frame: int) -> list:
        step = int(steps[frame])
        for line, c in zip(lines, dynamic, strict=True):
            line.set_ydata(c["ys"][step])
        title.set_text(_time_label(step, step_dt))
        return [*lines, title]

    anim = _animate(fig, update, steps.size, frame_delay)
    return _finish(fig, anim, writer, save_path, frame_delay, gif_dpi, video_fps, show)
