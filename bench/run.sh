#!/usr/bin/env bash
# Run the whole benchmark suite (see bench/README.md); arguments go to bench/suite.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$here/.venv-brainlab/bin/python" ]; then
  echo "bench/run.sh: the benchmark virtualenvs are missing; run bench/setup.sh first." >&2
  exit 1
fi
exec "$here/.venv-brainlab/bin/python" "$here/suite.py" "$@"
