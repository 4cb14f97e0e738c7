"""Shared fixtures: a fresh profile for every test and a private kernel cache."""

import os

import matplotlib
import pytest

matplotlib.use("Agg")

import brainlab as bp


@pytest.fixture(scope="session", autouse=True)
def _kernel_cache(tmp_path_factory):
    """Keep generated kernels of the test run apart from the user's cache."""
    path = os.environ.get("BRAINLAB_TEST_CACHE") or str(tmp_path_factory.mktemp("kernels"))
    os.environ["BRAINLAB_CACHE_DIR"] = path
    return path


@pytest.fixture(autouse=True)
def _fresh_profile():
    """Every test starts from the default settings, as Brian2's test suite does."""
    bp.profile.reset()
    yield
    bp.profile.reset()
