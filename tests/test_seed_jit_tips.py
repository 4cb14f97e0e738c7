"""The seed's "Tips on JIT Programming": writing into arrays from step functions."""

import numpy as np

import brainlab as bp

array_to_store = np.zeros(100)


def update_global(_i):
    array_to_store[_i] = np.random.random()


def update_argument(_i, array_to_store):
    array_to_store[_i] = np.random.random()


def test_a_global_array_is_a_parameter_copied_into_the_group():
    neu = bp.NeuType("test", ST=bp.NeuState(), steps=update_global)
    group = bp.NeuGroup(neu, geometry=1)
    group.run(5.0)  # 50 steps
    # As the seed warns, the global itself is not modified ...
    assert not array_to_store.any()
    # ... but in brainlab the array is runtime data: the group's copy holds the values.
    stored = group.pars["array_to_store"]
    assert np.all((stored[:50] > 0) & (stored[:50] < 1)) and not stored[50:].any()


def test_an_array_passed_as_an_argument_is_written():
    store = np.zeros(100)
    neu = bp.NeuType("test", ST=bp.NeuState(), steps=update_argument,
                     requires={"array_to_store": bp.types.Array(dim=1)})  # fmt: skip
    group = bp.NeuGroup(neu, geometry=1, satisfies={"array_to_store": store})
    group.run(3.0)
    assert group.array_to_store is store
    assert np.count_nonzero(store) == 30
