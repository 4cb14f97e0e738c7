"""Workloads of the benchmark suite, one module per model and peer."""
