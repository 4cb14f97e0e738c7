"""Inputs: currents as arrays, and neuron groups that emit spikes.

``constant_current``, ``spike_current`` and ``ramp_current`` build the time
series given to ``net.run(inputs=...)``; ``PoissonInput``, ``SpikeTimeInput``
and ``FreqInput`` are neuron groups that run inside the compiled kernel.
"""

from brainlab.inputs.currents import constant_current, ramp_current, spike_current
from brainlab.inputs.groups import FreqInput, PoissonInput, SpikeTimeInput

__all__ = ["FreqInput", "PoissonInput", "SpikeTimeInput", "constant_current", "ramp_current", "spike_current"]
