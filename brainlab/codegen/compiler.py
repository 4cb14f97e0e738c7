"""Write generated modules to the cache directory, import them, translate errors.

Generated source is stored as ``bl_<hash>.py`` where the hash is that of the
text itself, then imported from that file and registered in ``sys.modules``.
Numba's ``cache=True`` keeps the machine code beside the file, so a new Python
process building the same network loads the kernel instead of compiling it.
``exec`` of a string cannot be cached by Numba, which is why files are used.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tempfile
import traceback
import types
from pathlib import Path

from brainlab import profile
from brainlab.codegen.module import RenderedModule
from brainlab.errors import CodeError

__all__ = ["clear_cache", "describe_failure", "load_module", "module_path", "translate_exception"]

_PREFIX = "bl_"


def module_path(rendered: RenderedModule) -> Path:
    """Return the cache file of a rendered module."""
    return Path(profile.get_cache_dir()) / f"{_PREFIX}{rendered.digest}.py"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)  # another process may have written the same text: fine


def load_module(rendered: RenderedModule, injected: dict[str, object] | None = None) -> types.ModuleType:
    """Import a rendered module from the cache directory (writing it if needed).

    A module already imported in this process is reused: same text, same
    functions, no new compilation.

    Parameters
    ----------
    rendered : RenderedModule
        Source and line origins.
    injected : dict, optional
        Objects to set as module globals before anything is compiled.
    """
    name = f"{_PREFIX}{rendered.digest}"
    module = sys.modules.get(name)
    if module is not None:
        return module
    path = module_path(rendered)
    if not path.exists() or path.read_text(encoding="utf-8") != rendered.source:
        _write_atomically(path, rendered.source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(injected or {})
    module.__brainlab_rendered__ = rendered
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def clear_cache() -> int:
    """Delete every generated kernel in the cache directory.

    Returns
    -------
    int
        Number of generated source files removed (their compiled caches go too).
    """
    root = Path(profile.get_cache_dir())
    if not root.exists():
        return 0
    count = 0
    for path in root.glob(f"{_PREFIX}*.py"):
        path.unlink(missing_ok=True)
        count += 1
    shutil.rmtree(root / "__pycache__", ignore_errors=True)
    return count


_FILE_LINE = re.compile(r'File "([^"]+)", line (\d+)')
_AT_LINE = re.compile(r"at (\S+\.py) \((\d+)\)")


def _generated_locations(text: str, path: str) -> list[int]:
    hits = []
    for regex in (_FILE_LINE, _AT_LINE):
        for match in regex.finditer(text):
            if os.path.basename(match.group(1)) == os.path.basename(path):
                hits.append(int(match.group(2)))
    return hits


def describe_failure(rendered: RenderedModule, lineno: int) -> str:
    """Describe generated line ``lineno`` in the user's terms."""
    origin = rendered.origin_of(lineno)
    if origin is None:
        return f"generated line {lineno}"
    text = f"in {origin.label}"
    if origin.origin is not None and origin.user_line:
        user_code = origin.origin.lines.get(origin.user_line, "").strip()
        text += f", {origin.origin.filename}, line {origin.user_line}: `{user_code}`"
    return text + f"\n  generated code: `{origin.generated}`"


def _first_message_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    # Numba prefixes with the phase ("Failed in nopython mode pipeline ..."): skip it.
    useful = [ln for ln in lines if not ln.startswith(("Failed in", "During:", "File ", "^"))]
    if not useful:
        return lines[0] if lines else type(exc).__name__
    # "No implementation of function ... found for signature:" is followed by the signature.
    if useful[0].endswith(":") and len(useful) > 1:
        return f"{useful[0]} {useful[1].lstrip('>').strip()}"
    return useful[0]


def translate_exception(exc: BaseException, module: types.ModuleType, hint: str = "") -> CodeError | None:
    """Turn an exception raised while compiling or running generated code into a CodeError.

    Returns ``None`` if the exception does not come from the generated module.
    The message names the user's function, file and line, quotes the generated
    line and gives the reason in one line, followed by ``hint``.
    """
    rendered: RenderedModule | None = getattr(module, "__brainlab_rendered__", None)
    path = getattr(module, "__file__", None)
    if rendered is None or path is None:
        return None
    text = str(exc) + "\n" + "".join(traceback.format_tb(exc.__traceback__))
    hits = _generated_locations(text, path)
    # Prefer a line that maps back to user code; Numba lists the innermost first.
    located = [h for h in hits if (o := rendered.origin_of(h)) is not None and o.user_line]
    lineno = (located or hits or [None])[0]
    where = describe_failure(rendered, lineno) if lineno else "in the generated kernel"
    kind = "cannot be compiled" if type(exc).__module__.startswith("numba") else "failed while running"
    message = f"Model code {kind} {where}\n  reason: {_first_message_line(exc)}"
    if hint:
        message += f"\n  hint: {hint}"
    message += f"\n  (full generated source: {path})"
    return CodeError(message)
