"""Dataclasses whose methods are shared functions, not code generated for each class.

Why: Python 3.11's `dataclasses` compiles every generated method with its own `exec` (six for a frozen
class, three for a plain one, ~1 ms a class); `tanso check` creates the syntax tree's classes before it reads
a file. `frozen` makes a class a dataclass (`dataclasses.fields`, `replace`, `asdict` and `is_dataclass`
work, pickles are the same) and gives it `__init__`, `__eq__`, `__hash__`, `__repr__` and read-only
attributes that behave as `@dataclass(frozen=True)`'s; `mutable` gives it those of a plain `@dataclass`
(writable attributes, no hash). `tests/test_frozen.py` compares them.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import MISSING, FrozenInstanceError
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    """`@dataclass(frozen=True)`, without generating code."""
    return _dataclass(cls, read_only=True)


def mutable(cls: T) -> T:
    """`@dataclass`, without generating code."""
    return _dataclass(cls, read_only=False)


def _dataclass(cls: T, read_only: bool) -> T:
    # A class without a docstring is given one naming its fields, as `dataclasses` does, but not through
    # `inspect.signature` (half of what `dataclasses` spends on such a class).
    undocumented = not cls.__dict__.get("__doc__")
    if undocumented:
        cls.__doc__ = cls.__name__
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    if undocumented:
        cls.__doc__ = f"{cls.__name__}({', '.join(names)})"
    compared, hashed = _values([f.name for f in fields if f.compare]), _values(
        [f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = [f.name for f in fields if f.repr]
    post_init = getattr(cls, "__post_init__", None)

    def bind(args: tuple, kwargs: dict[str, Any]) -> tuple:
        """The field values of a call with keywords or defaults, or the TypeError a generated __init__ raises."""
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}.__init__() takes {len(names) + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        unknown = [k for k in kwargs if k not in names or names.index(k) < len(args)]
        if unknown:
            given = "got multiple values for argument" if unknown[0] in names else "got an unexpected keyword argument"
            raise TypeError(f"{cls.__name__}.__init__() {given} '{unknown[0]}'")
        values, missing = list(args), []
        for field in fields[len(args):]:
            if field.name in kwargs:
                values.append(kwargs[field.name])
            elif field.default is not MISSING:
                values.append(field.default)
            elif field.default_factory is not MISSING:
                values.append(field.default_factory())
            else:
                missing.append(field.name)
        if missing:
            raise TypeError(f"{cls.__name__}.__init__() missing {len(missing)} required argument(s): "
                            + ", ".join(f"'{m}'" for m in missing))
        return tuple(values)

    # The defaults of the fields after the required ones, for a positional call that leaves them out (the parser's).
    required = next((i for i, f in enumerate(fields) if f.default is not MISSING or f.default_factory is not MISSING),
                    len(fields))
    plain_tail = (tuple(f.default for f in fields[required:])
                  if all(f.default_factory is MISSING for f in fields[required:]) else None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs or len(args) != len(names):
            if not kwargs and plain_tail is not None and required <= len(args) < len(names):
                args += plain_tail[len(args) - required:]
            else:
                args = bind(args, kwargs)
        self.__dict__.update(zip(names, args))
        if post_init is not None:
            post_init(self)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(hashed(self))

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    own = cls.__dict__
    methods = [("__init__", __init__), ("__eq__", __eq__), ("__repr__", __repr__)]
    if read_only:
        methods += [("__setattr__", _setattr), ("__delattr__", _delattr)]
    for name, method in methods:
        if name not in own:
            setattr(cls, name, method)
    if own.get("__hash__") is None and own["__eq__"] is __eq__:
        cls.__hash__ = __hash__ if read_only else None   # @dataclass leaves a mutable class unhashable
    return cls


def _values(names: list[str]) -> Callable[[Any], tuple]:
    """The tuple of these attributes, as a generated method compares and hashes it."""
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return operator.attrgetter(*names) if names else (lambda obj: ())


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")
