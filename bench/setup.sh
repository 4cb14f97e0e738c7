#!/usr/bin/env bash
# Create one virtualenv per peer so that their pins never meet:
#   bench/.venv-brainlab  brainlab itself (editable) + numba
#   bench/.venv-brian2    Brian2 (runtime/Cython and cpp_standalone); Brian2 2.9 needs numpy<2.4
#   bench/.venv-brainpy   BrainPy 2.x on the CPU (brainpy[cpu], JAX)
# Re-running is cheap: an existing environment is only topped up.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"

make_env() {
  local dir="$1"; shift
  if [ ! -x "$dir/bin/python" ]; then
    "$python" -m venv "$dir"
  fi
  "$dir/bin/python" -m pip install --quiet --upgrade pip
  "$dir/bin/python" -m pip install --quiet "$@"
}

echo "[setup] brainlab -> $here/.venv-brainlab"
make_env "$here/.venv-brainlab" -e "$root"
echo "[setup] Brian2 -> $here/.venv-brian2"
make_env "$here/.venv-brian2" "brian2>=2.9" "numpy<2.4" cython setuptools
echo "[setup] BrainPy 2.x -> $here/.venv-brainpy"
make_env "$here/.venv-brainpy" "brainpy[cpu]>=2.4"

for env in brainlab brian2 brainpy; do
  "$here/.venv-$env/bin/python" - "$env" <<'PY'
import importlib, sys
name = {"brainlab": "brainlab", "brian2": "brian2", "brainpy": "brainpy"}[sys.argv[1]]
mod = importlib.import_module(name)
print(f"[setup] {name} {getattr(mod, '__version__', '?')} ready")
PY
done
