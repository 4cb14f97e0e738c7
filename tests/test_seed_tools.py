"""The examples of the seed's ``brainpy.tools`` docstrings, as written there but for the import."""

import pytest

from brainlab.tools import DictPlus, get_identifiers, word_replace


# fmt: off
def test_get_identifiers_example(capsys):
    expr = '3-a*_b+c5+8+f(A - .3e-10, tau_2)*17'
    ids = get_identifiers(expr)
    print(sorted(list(ids)))
    assert capsys.readouterr().out == "['A', '_b', 'a', 'c5', 'f', 'tau_2']\n"
    ids = get_identifiers(expr, include_numbers=True)
    print(sorted(list(ids)))
    assert capsys.readouterr().out == "['.3e-10', '17', '3', '8', 'A', '_b', 'a', 'c5', 'f', 'tau_2']\n"


def test_word_replace_example(capsys):
    expr = 'a*_b+c5+8+f(A)'
    print(word_replace(expr, {'a':'banana', 'f':'func'}))
    assert capsys.readouterr().out == "banana*_b+c5+8+func(A)\n"


def test_dictplus_example():
    d = DictPlus({'a': 10, 'b': 20})
    assert d.a == 10
    assert d['a'] == 10
    with pytest.raises(KeyError) as info:
        d.c  # this will raise a KeyError
    assert repr(info.value) == "KeyError('c')"
    d.c = 30  # but you can assign a value to a non-existing item
    assert d.c == 30
# fmt: on
