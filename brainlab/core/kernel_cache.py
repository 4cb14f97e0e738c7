"""Get a runnable kernel for a lowered network, compiling only when needed.

The rendered source is hashed. The same hash as the network's last kernel
means the same function; the same hash as a module already imported in this
process means the same module; otherwise the module is imported from the
cache directory, where Numba finds machine code compiled by an earlier
process. A zero-step call makes Numba compile (or load) the specialisation for
the current argument types, so that compile time is measured apart from run
time, and compile errors are translated before anything runs.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Any

from brainlab import profile
from brainlab.codegen.compiler import load_module, translate_exception
from brainlab.codegen.kernel import emit_kernel
from brainlab.codegen.module import RenderedModule
from brainlab.core.lowering import Lowered

__all__ = ["CompileInfo", "KernelHandle", "build_kernel"]


@dataclasses.dataclass
class KernelHandle:
    """A loaded kernel and the module it lives in."""

    module: types.ModuleType
    kernel: Any
    rendered: RenderedModule
    jit: bool


@dataclasses.dataclass(frozen=True)
class CompileInfo:
    """What building the kernel cost.

    Attributes
    ----------
    compiled : bool
        Machine code had to be produced for this run (compiled now, or loaded
        from the disk cache).
    cache_hit : bool
        The machine code came from the disk cache.
    """

    compiled: bool
    cache_hit: bool


def _hint(lowered: Lowered) -> str:
    modes = {o.model.mode for o in lowered.objects}
    hints = []
    if "scalar" in modes:
        hints.append("in a scalar-mode model ST['x'], pre['x'] and post['x'] are single numbers")
    if modes & {"vector", "matrix"}:
        hints.append("vector-mode code runs on whole arrays; keep array and scalar types consistent")
    hints.append("bp.profile.set(jit=False) runs the same code as Python to debug it")
    return "; ".join(hints) + "."


def _show(rendered: RenderedModule, lowered: Lowered) -> None:
    if profile.show_format_code():
        print(rendered.source)
    if profile.show_code_scope():
        import numpy as np

        for name, value in lowered.values.items():
            desc = f"array{np.shape(value)} {np.asarray(value).dtype}" if hasattr(value, "shape") else repr(value)
            print(f"{name:<28} {desc}")


def build_kernel(lowered: Lowered, previous: KernelHandle | None) -> tuple[KernelHandle, CompileInfo]:
    """Return the kernel for ``lowered`` and what it cost to get it.

    Raises
    ------
    CodeError
        If Numba cannot compile the generated code; the message names the
        user's function and line.
    """
    jit = profile.is_jit()
    source = emit_kernel(
        lowered.spec, jit=jit, numba_options=profile.get_numba_profile(), vector_math=profile.is_vector_math()
    )
    rendered = source.render()
    _show(rendered, lowered)
    if previous is not None and previous.rendered.digest == rendered.digest:
        handle = previous
    else:
        module = load_module(rendered, source.injected)
        handle = KernelHandle(module=module, kernel=module.kernel, rendered=rendered, jit=jit)
    if not jit:
        return handle, CompileInfo(compiled=False, cache_hit=False)

    kernel = handle.kernel
    n_signatures = len(kernel.signatures)
    hits_before = sum(kernel.stats.cache_hits.values())
    import numpy as np

    args = [lowered.values[name] for name in lowered.spec.args]
    status = np.zeros(5, dtype=np.int64)
    try:
        kernel(0, 0, np.zeros(1), 0.1, status, *args)
    except Exception as exc:
        from numba.core.errors import NumbaError

        if isinstance(exc, NumbaError):
            error = translate_exception(exc, handle.module, _hint(lowered))
            if error is not None:
                raise error from None
        raise
    compiled = len(kernel.signatures) > n_signatures
    cache_hit = compiled and sum(kernel.stats.cache_hits.values()) > hits_before
    return handle, CompileInfo(compiled=compiled, cache_hit=cache_hit)
