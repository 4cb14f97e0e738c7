"""``Session``: a network in repeat mode, rerun in one worker thread whenever something changes.

A live lab needs three things from a run: the kernel must keep serving widget
messages while it runs, a new slider value must win over the run in progress,
and a Stop must act within a fraction of a second. The session gets them from
the engine's chunked run: the network runs in a background thread (the Numba
kernel releases the GIL), and between chunks a callback draws the views and
returns ``True`` when the run has been superseded or stopped.

Every run starts from the state as built (or the initial values set in the
panel): the engine's repeat mode restarts time at 0 but would otherwise
continue from the last state (and its ``t_last_spike``), which is not what a
slider rerun means.

Changes are applied on the caller's thread (so a bad value fails at once and
the previous one stays), then a rerun is requested. Requests from sliders are
debounced: the worker waits until they have settled for ``debounce`` seconds,
so a drag gives one rerun, not one per pixel.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import numpy as np
import traitlets

import brainlab as bp
from brainlab.core.inputs import input_items
from brainlab.errors import BrainlabError, ModelUseError
from brainlab_widgets.frames import Frame, StreamingView

__all__ = ["Session"]

_STATES = ("idle", "waiting", "running", "done", "stopped", "error")


class _Cancelled(Exception):
    """Internal: a request was superseded while the worker waited for it to settle."""


class Session(traitlets.HasTraits):
    """Run a network again and again, in the background, as its parameters change.

    The session is a controller; :attr:`widget` holds its Run, Stop and Reset
    buttons, a progress bar, the status line and the error area. Views (a
    :class:`~brainlab_widgets.raster_view.RasterView`, a
    :class:`~brainlab_widgets.trace_view.TraceView`, or any object with
    ``draw(frame)`` and ``clear()``) are drawn while it runs.

    Parameters
    ----------
    network : brainlab.Network
        The network; it is switched to repeat mode, so its kernel is compiled
        once and reused by every rerun.
    duration : float
        Length of each run (ms). Repeat mode keeps it fixed.
    inputs : tuple or list, optional
        The run's inputs, ``(target, 'ST.field', value[, op])`` items as for
        :meth:`brainlab.Network.run`. Their values can be changed with
        :meth:`set_input` (same shape).
    debounce : float
        Seconds that requested reruns must settle before one starts.
    frame_interval : float
        Least seconds between two drawn frames of a run (the first and last
        frames are always drawn).
    views : sequence, optional
        Views to draw.
    dt : float, optional
        Time step of the runs (ms); default: the profile's at creation. Runs
        use it even if the profile changes later.

    Attributes
    ----------
    state : str
        ``'idle'``, ``'waiting'`` (a rerun is settling), ``'running'``,
        ``'done'``, ``'stopped'`` or ``'error'``.
    run_id : int
        Number of runs started.
    structure_version : int
        Increases when a connection is rewired (panels then rebuild their controls).
    reset_count : int
        Increases on every :meth:`reset` (panels then show the values as built).
    run_button, stop_button, reset_button : ipywidgets.Button
    progress : ipywidgets.FloatProgress
    status : ipywidgets.HTML
        Timings of the last run; :attr:`last_status` is its plain text.
    error_area : ipywidgets.HTML
        The last error (escaped); :attr:`last_error` is the exception.
    timings : dict
        ``compile_ms``, ``run_ms``, ``draw_ms``, ``first_frame_ms`` (from the
        change that asked for the run to its first drawn frame), ``frames``,
        ``fps``, ``recompiled``, ``steps_done``, ``n_steps``, ``stopped`` and
        ``stop_ms`` (from :meth:`stop` to the end of the run, when stopped).
    """

    state = traitlets.Unicode("idle", help="What the session is doing.")
    run_id = traitlets.Int(0, help="Runs started so far.")
    structure_version = traitlets.Int(0, help="Bumped when the network's structure changes.")
    reset_count = traitlets.Int(0, help="Bumped on every reset.")

    def __init__(
        self,
        network: bp.Network,
        duration: float,
        inputs: Any = (),
        *,
        debounce: float = 0.1,
        frame_interval: float = 0.045,
        views: Sequence[StreamingView] = (),
        dt: float | None = None,
    ):
        super().__init__()
        if not isinstance(network, bp.Network):
            raise ModelUseError(f"Session needs a brainlab.Network, got {type(network).__name__}.")
        duration = float(duration)
        if not np.isfinite(duration) or duration <= 0:
            raise ModelUseError(f"Session: the duration must be a positive number of ms, got {duration!r}.")
        network.mode = "repeat"
        self.network = network
        self.duration = duration
        self.dt = bp.profile.get_dt() if dt is None else float(dt)
        self.inputs = [tuple(item) for item in input_items(inputs)]
        self.debounce = float(debounce)
        self.frame_interval = float(frame_interval)
        self.views: list[StreamingView] = list(views)
        self.timings: dict[str, Any] = {}
        self.last_error: BaseException | None = None
        self.last_status = ""
        self.last_info: Any = None
        # What "as built" means for Reset and for every rerun.
        self._built_state = {id(obj): obj.ST.data.copy() for obj in network.objects}
        self._built_pars = {id(obj): obj.pars.copy() for obj in network.objects}
        self._built_inputs = list(self.inputs)
        self._initial: dict[tuple[int, str], float] = {}

        self._cond = threading.Condition()
        self._run_lock = threading.Lock()  # held by the worker for the whole of a run
        self._generation = 0  # bumped by every request: a run of an older generation stops
        self._requested: str | None = None  # None, 'now' or 'settle'
        self._requested_at = 0.0
        self._stop = False
        self._stop_at = 0.0
        self._closed = False
        self._worker: threading.Thread | None = None

        self.run_button = w.Button(description="Run", icon="play", button_style="success")
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="danger")
        self.reset_button = w.Button(description="Reset", icon="undo")
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, layout=w.Layout(width="160px"))
        self.status = w.HTML(layout=w.Layout(min_height="1.5em"))
        self.error_area = w.HTML()
        self.run_button.on_click(lambda _b: self.run())
        self.stop_button.on_click(lambda _b: self.stop())
        self.reset_button.on_click(lambda _b: self.reset())
        # CSS classes: hooks for the browser tests and for app styling.
        for widget, css in ((self.run_button, "bl-run"), (self.stop_button, "bl-stop"), (self.status, "bl-status")):
            widget.add_class(css)
        buttons = w.HBox([self.run_button, self.stop_button, self.reset_button, self.progress])
        self.widget = w.VBox([buttons, self.status, self.error_area])
        self._show_status("Ready: press Run or move a slider.")

    # -- display ---------------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def add_view(self, view: StreamingView) -> None:
        """Draw ``view`` during the next runs."""
        self.views.append(view)

    # -- changes ---------------------------------------------------------------------------------------------

    def set_parameter(self, obj: Any, name: str, value: Any, *, rerun: bool = True) -> None:
        """Set ``obj.pars[name]`` and rerun (debounced).

        The value is checked by the engine first: a bad one raises
        :class:`~brainlab.errors.ModelUseError` and the previous value stays.
        Parameters are runtime data, so the rerun does not recompile.
        """
        self._check_member(obj)
        obj.pars[name] = value
        if rerun:
            self.request_run()

    def set_initial(self, obj: Any, field: str, value: float, *, rerun: bool = True) -> None:
        """Start every run with ``obj.ST[field]`` equal to ``value`` in all elements."""
        self._check_member(obj)
        if field not in obj.ST.keys():
            raise ModelUseError(f"{obj.name!r} has no state field {field!r}; its fields are {obj.ST.keys()}.")
        value = _finite(value, f"the initial {field} of {obj.name!r}")
        self._initial[(id(obj), field)] = value
        if rerun:
            self.request_run()

    def clear_initial(self, obj: Any, field: str, *, rerun: bool = True) -> None:
        """Start runs with ``obj.ST[field]`` as built again."""
        self._initial.pop((id(obj), field), None)
        if rerun:
            self.request_run()

    def initial_value(self, obj: Any, field: str) -> float | None:
        """Return the initial value set with :meth:`set_initial`, or ``None`` (as built)."""
        return self._initial.get((id(obj), field))

    def built_state(self, obj: Any, field: str) -> np.ndarray:
        """Return ``obj``'s state field as built (a copy)."""
        return self._built_state[id(obj)][obj.ST.index[field]].copy()

    def set_input(self, index: int, value: Any, *, rerun: bool = True) -> None:
        """Change the value of input ``index`` of :attr:`inputs` (its shape must stay).

        Raises
        ------
        ModelUseError
            If there is no such input, or the value has another shape or is not finite.
        """
        if not 0 <= index < len(self.inputs):
            raise ModelUseError(f"Session has {len(self.inputs)} input(s); there is no input number {index}.")
        target, key, old, *op = self.inputs[index]
        if np.shape(value) != np.shape(old):
            raise ModelUseError(
                f"The input {key!r} of {target.name!r} has shape {np.shape(old)}; a rerun in repeat mode needs "
                f"the same shape, got {np.shape(value)}."
            )
        array = np.asarray(value, dtype=float)
        if not np.isfinite(array).all():
            raise ModelUseError(f"The input {key!r} of {target.name!r} must be finite, got {value!r}.")
        self.inputs[index] = (target, key, float(array) if array.ndim == 0 else array, *op)
        if rerun:
            self.request_run()

    def apply_connection(self, old: Any, new: Any) -> None:
        """Put the connection ``new`` in place of ``old`` (or add it when ``old`` is None), then rerun.

        The run in progress is stopped first. The structure changes, so the
        next run compiles. On an error the network is left as it was.
        """
        self.stop()
        with self._run_lock:
            if old is None:
                self.network.add(new)
            else:
                self.network.replace(old, new)
            self._built_state[id(new)] = new.ST.data.copy()
            self._built_pars[id(new)] = new.pars.copy()
        self.structure_version += 1
        self.run()

    def _check_member(self, obj: Any) -> None:
        owner = getattr(obj, "parent", obj)
        if not any(owner is o for o in self.network.objects):
            raise ModelUseError(f"{getattr(obj, 'name', obj)!r} is not part of this session's network.")

    # -- control ---------------------------------------------------------------------------------------------

    def request_run(self) -> None:
        """Rerun once requests have settled for ``debounce`` seconds; a run in progress stops at once."""
        self._request("settle")

    def run(self) -> None:
        """Run now (a run in progress is stopped and started again)."""
        self._request("now")

    def _request(self, kind: str) -> None:
        with self._cond:
            if self._closed:
                raise ModelUseError("This session was closed; create a new Session.")
            self._generation += 1
            self._requested = "now" if kind == "now" or self._requested == "now" else kind
            self._requested_at = time.perf_counter()
            self._stop = False
            self._ensure_worker()
            self._cond.notify_all()
        if self.state not in ("running",):
            self.state = "waiting"

    def stop(self) -> None:
        """Stop the run in progress at its next chunk boundary, keeping what it computed; cancel waiting reruns."""
        with self._cond:
            if self._running and not self._stop:
                self._stop_at = time.perf_counter()
            self._stop = True
            self._requested = None
            self._generation += 1
            running = self._running
            self._cond.notify_all()
        if not running and self.state == "waiting":  # a settling rerun was cancelled before it started
            self.state = "stopped"
            self._show_status("Stopped before the run started.")

    def reset(self) -> None:
        """Stop, put state, parameters, inputs and initial values back as built, and clear the views."""
        self.stop()
        with self._run_lock:
            for obj in self.network.objects:
                built = self._built_pars.get(id(obj))
                if built is None:
                    continue
                for key, value in built.items():
                    if obj.pars[key] is not value:
                        obj.pars[key] = value
                self._restore(obj)
            self.inputs = list(self._built_inputs)
            self._initial.clear()
            for view in self.views:
                view.clear()
        self.progress.value = 0.0
        self.error_area.value = ""
        self.last_error = None
        self.state = "idle"
        self.reset_count += 1
        self._show_status("Reset: state, parameters and inputs are as built.")

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until no run is requested or running; return False on timeout (for scripts and tests)."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while self._requested is not None or self._running:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        """Stop the worker thread; the session cannot run afterwards."""
        with self._cond:
            self._closed = True
            self._stop = True
            self._generation += 1
            self._cond.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5.0)

    @property
    def compile_count(self) -> int:
        """How many times the network's kernel was compiled (or loaded) so far."""
        return self.network.compile_count

    # -- the worker ------------------------------------------------------------------------------------------

    _running = False

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="brainlab-session", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while self._requested is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                try:
                    generation, requested_at = self._settled_request()
                except _Cancelled:
                    continue
                self._requested = None
                self._running = True
            try:
                self._run_once(generation, requested_at)
            finally:
                with self._cond:
                    self._running = False
                    idle = self._requested is None
                    self._cond.notify_all()
                if idle and self.state in ("running", "waiting"):  # the superseding request was stopped too
                    self.state = "stopped"

    def _settled_request(self) -> tuple[int, float]:
        """Wait (holding the condition) until a 'settle' request is ``debounce`` old; return its generation."""
        while self._requested == "settle":
            left = self._requested_at + self.debounce - time.perf_counter()
            if left <= 0:
                break
            self._cond.wait(left)
            if self._closed:
                raise _Cancelled
        if self._requested is None:  # stopped while settling
            raise _Cancelled
        return self._generation, self._requested_at

    def _run_once(self, generation: int, requested_at: float) -> None:
        with self._run_lock:
            if generation != self._generation:
                return  # superseded while acquiring the lock
            for obj in self.network.objects:
                self._restore(obj)
            self.run_id += 1
            run_id = self.run_id
            self.state = "running"
            self.error_area.value = ""
            self.progress.value = 0.0
            clock = {"last": None, "draw": 0.0, "frames": 0, "first": None}

            def callback(progress: Any) -> bool:
                if generation != self._generation:
                    return True
                now = time.perf_counter()
                done = progress.steps_done >= progress.n_steps
                if done or clock["last"] is None or now - clock["last"] >= self.frame_interval:
                    self._draw(progress.steps_done, progress.n_steps, run_id, done, clock)
                    clock["last"] = time.perf_counter()
                    if clock["first"] is None:
                        clock["first"] = clock["last"] - requested_at
                return False

            try:
                same_dt = bp.profile.get_dt() == self.dt
                with contextlib.nullcontext() if same_dt else bp.profile.temporary(dt=self.dt):
                    info = self.network.run(self.duration, inputs=self.inputs, callback=callback)
            except Exception as exc:  # shown in the panel: Voila would drop it otherwise
                if clock["last"] is not None:  # it ran for a while: show how far (a failed build shows nothing new)
                    self._draw_final(run_id, clock)
                self._fail(exc)
                return
            self.last_info = info
            superseded = info.stopped and generation != self._generation and not self._stop
            if info.stopped and not superseded and clock["last"] is not None:
                self._draw_final(run_id, clock)
            self.timings = {
                "compile_ms": 1e3 * info.compile_s,
                "run_ms": 1e3 * info.run_s,
                "draw_ms": 1e3 * clock["draw"],
                "first_frame_ms": None if clock["first"] is None else 1e3 * clock["first"],
                "frames": clock["frames"],
                "fps": clock["frames"] / info.run_s if info.run_s > 0 else 0.0,
                "recompiled": bool(info.compiled),
                "steps_done": info.steps_done,
                "n_steps": info.n_steps,
                "stopped": bool(info.stopped),
                # From the Stop request to the end of the run: the chunk in progress, then the last frame.
                "stop_ms": 1e3 * (time.perf_counter() - self._stop_at) if info.stopped and self._stop else None,
            }
            if superseded:
                return  # the next run reports
            self.state = "stopped" if info.stopped else "done"
            self._show_status(_describe(run_id, self.timings, info.cache_hit))

    def _draw(self, steps_done: int, n_steps: int, run_id: int, final: bool, clock: dict) -> None:
        net = self.network
        frame = Frame(net, run_id, steps_done, n_steps, net.ts, net.dt, final=final)
        t0 = time.perf_counter()
        for view in list(self.views):
            try:
                view.draw(frame)
            except Exception as exc:  # a broken view must not kill the run or hide the others
                self._show_error(f"{type(view).__name__} could not draw: {type(exc).__name__}: {exc}")
        self.progress.value = frame.fraction
        clock["draw"] += time.perf_counter() - t0
        clock["frames"] += 1

    def _draw_final(self, run_id: int, clock: dict) -> None:
        """Draw what a stopped or failed run left (its monitors are cut to the steps done)."""
        steps = min((obj.mon.array(f).shape[0] for obj in self.network.objects for f in obj.mon.fields), default=0)
        if self.network.ts.size:
            self._draw(steps, self.network.ts.size, run_id, True, clock)

    def _restore(self, obj: Any) -> None:
        """Put ``obj``'s state back as built, then apply the initial values set in the panel."""
        built = self._built_state.get(id(obj))
        if built is None:
            return
        for field, row in obj.ST.index.items():
            obj.ST[field] = built[row]  # item assignment bumps the state version: delay buffers refill
        for (key, field), value in self._initial.items():
            if key == id(obj):
                obj.ST[field] = value

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.state = "error"
        if isinstance(exc, BrainlabError):
            text = f"{type(exc).__name__}: {exc}"
        else:  # not ours: the traceback's last lines say where
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        self._show_error(text + " The results so far are kept; change the value and run again.")
        self._show_status(f"Run {self.run_id} failed.")

    def _show_error(self, text: str) -> None:
        self.error_area.value = f'<pre style="color:#b00020;white-space:pre-wrap">{html.escape(text)}</pre>'

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error (for panels whose change was refused); the run and its results stay."""
        self.last_error = exc if isinstance(exc, BaseException) else None
        self._show_error(str(exc) if not isinstance(exc, BaseException) else f"{type(exc).__name__}: {exc}")

    def _show_status(self, text: str) -> None:
        self.last_status = text
        self.status.value = f'<span style="font-family:monospace">{html.escape(text)}</span>'


def _describe(run_id: int, t: dict, cache_hit: bool) -> str:
    """Return the status line of a finished run."""
    built = ("compiled (from the disk cache)" if cache_hit else "compiled") if t["recompiled"] else "no recompile"
    end = "stopped at" if t["stopped"] else "ran"
    first = "" if t["first_frame_ms"] is None else f" · change → first frame {t['first_frame_ms']:.0f} ms"
    if t.get("stop_ms") is not None:
        first += f" · Stop took {t['stop_ms']:.0f} ms"
    return (
        f"run {run_id}: build {t['compile_ms']:.0f} ms ({built}) · {end} {t['steps_done']}/{t['n_steps']} steps "
        f"in {t['run_ms']:.0f} ms · draw {t['draw_ms']:.0f} ms ({t['frames']} frames, {t['fps']:.0f}/s){first}"
    )


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ModelUseError(f"{what} must be a number, got {value!r}.")
    if not np.isfinite(value):
        raise ModelUseError(f"{what} must be finite, got {value!r}.")
    return float(value)
