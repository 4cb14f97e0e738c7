"""Many runs of a model: BrainPy 0.3's process pools and parameter sweeps on any executor.

* :func:`process_pool`, :func:`process_pool_lock` — the seed's API: one
  function, a list of tuples or dicts, local worker processes.
* :func:`sweep` — the same idea with a progress bar and results that survive a
  failing parameter set, on a local process pool or any
  ``concurrent.futures.Executor``: a Dask cluster's executor runs the sweep on
  many machines (``pip install 'brainlab[distributed]'``).
* :func:`grid` — the Cartesian product of parameter values, as the dicts a
  sweep takes.
"""

from brainlab.running.pool import process_pool, process_pool_lock
from brainlab.running.sweep import grid, sweep
from brainlab.running.tasks import SweepFailure

__all__ = ["SweepFailure", "grid", "process_pool", "process_pool_lock", "sweep"]
