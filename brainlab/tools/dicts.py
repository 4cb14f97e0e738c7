"""``DictPlus``: a dictionary whose keys can also be read and written as attributes.

Reading a missing key as an attribute raises :class:`KeyError`, as BrainPy 0.3
does. Names that start with ``_`` are the exception: copy, pickle, NumPy and
IPython probe objects for such names (``__deepcopy__``, ``__array__``,
``_ipython_canary_method_should_not_exist_``) and expect
:class:`AttributeError` when they are absent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

__all__ = ["DictPlus"]


def _plain(value: Any) -> Any:
    """Return ``value`` with every dictionary inside it (at any depth) a plain ``dict``."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _missing(obj: dict, name: str) -> Exception:
    """Return the error for a missing key ``name`` used as an attribute (see the module docstring)."""
    if name.startswith("_"):
        return AttributeError(f"{type(obj).__name__!r} object has no attribute or key {name!r}")
    return KeyError(name)


class DictPlus(dict):
    """A ``dict`` with attribute access to its keys.

    ``d.a`` reads ``d['a']`` and ``d.a = 1`` sets it (creating the key);
    ``del d.a`` deletes it. Keys that are also names of ``dict`` methods
    (``d['keys']``) stay reachable by subscription only.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`dict`.

    Raises
    ------
    KeyError
        When a missing key is read (or deleted) as an attribute.
    AttributeError
        Instead of ``KeyError`` for missing names that start with ``_``, so that
        ``copy``, ``pickle``, ``hasattr(d, '__array__')`` and IPython work.

    Examples
    --------
    >>> d = DictPlus({'a': 10, 'b': 20})
    >>> d.a
    10
    >>> d.c = 30
    >>> d['c']
    30
    >>> d.to_dict()
    {'a': 10, 'b': 20, 'c': 30}
    """

    # All the data lives in the dict itself: instances have no __dict__, so an
    # attribute assignment can only mean a key.
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: methods and class attributes win.
        try:
            return self[name]
        except KeyError:
            raise _missing(self, name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise _missing(self, name) from None

    def __dir__(self) -> Iterable[str]:
        # Tab completion of keys in IPython and Jupyter.
        keys = [k for k in self if isinstance(k, str) and k.isidentifier()]
        return sorted({*super().__dir__(), *keys})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def __or__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Any) -> Any:
        if not isinstance(other, dict):
            return NotImplemented
        merged = type(self)(other)
        merged.update(self)
        return merged

    def copy(self) -> DictPlus:
        """Return a shallow copy (a ``DictPlus``)."""
        return type(self)(self)

    def deepcopy(self) -> DictPlus:
        """Return a deep copy (a ``DictPlus``; values are copied with :func:`copy.deepcopy`)."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        """Return a plain ``dict`` of the items; nested dictionaries become plain ``dict`` too."""
        return _plain(self)
