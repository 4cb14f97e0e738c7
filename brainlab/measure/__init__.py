"""Measurements on monitored histories: spike rasters, firing rates, synchrony indices.

Every function takes arrays and returns arrays or floats; none plots.
"""

from brainlab.measure.oscillation import population_frequency
from brainlab.measure.spike_trains import firing_rate, raster_plot
from brainlab.measure.synchrony import cross_correlation, voltage_fluctuation

__all__ = ["cross_correlation", "firing_rate", "population_frequency", "raster_plot", "voltage_fluctuation"]
