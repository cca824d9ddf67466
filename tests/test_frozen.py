"""`tanso.frozen.frozen` behaves as `@dataclass(frozen=True)`: the same construction (positional, keyword,
defaults, factories, errors), equality, hashes, repr, read-only fields, `dataclasses` functions and pickles;
`tanso.frozen.mutable` as a plain `@dataclass` (the same, with writable fields and no hash)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from tanso.frozen import frozen, mutable


DECORATORS = {"frozen": (dataclass(frozen=True), frozen), "mutable": (dataclass, mutable)}


def _pair(kind: str = "frozen"):
    """The same class declared both ways: by `dataclasses`, then by `tanso.frozen`."""
    made = []
    for decorate in DECORATORS[kind]:
        @decorate
        class Node:
            name: str
            line: int = 1
            tags: tuple = field(default_factory=tuple)
            note: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

            @property
            def label(self) -> str:
                return f"{self.name}:{self.line}"
        made.append(Node)
    return made


CALLS = [(("a",), {}), (("a", 2), {}), (("a", 2, ("x",), {"k": 1}), {}), ((), {"name": "b", "tags": (1,)}),
         (("a",), {"note": {"n": 2}}), ((), {}), (("a",), {"name": "b"}), (("a",), {"nope": 1}),
         (("a", 1, (), {}, 5), {})]


@pytest.mark.parametrize("kind", DECORATORS)
@pytest.mark.parametrize("args,kwargs", CALLS)
def test_construction_equals_a_dataclass(args, kwargs, kind):
    ours, theirs = (_call(cls, args, kwargs) for cls in reversed(_pair(kind)))
    if isinstance(theirs, TypeError):
        assert isinstance(ours, TypeError)
        return
    assert ours.__dict__ == theirs.__dict__ and list(ours.__dict__) == list(theirs.__dict__)
    assert repr(ours) == repr(theirs) and ours.label == theirs.label
    if kind == "frozen":
        assert hash(ours) == hash(theirs)


def _call(cls, args, kwargs):
    try:
        return cls(*args, **kwargs)
    except TypeError as error:
        return error


def test_equality_hash_and_dataclass_functions():
    theirs_cls, ours_cls = _pair()
    one, same, other = ours_cls("a", 1, (), {"x": 1}), ours_cls("a", 1, (), {"y": 2}), ours_cls("b")
    assert one == same and hash(one) == hash(same) and one != other       # `note` is not compared or hashed
    assert one != theirs_cls("a", 1, (), {"x": 1})                         # another class is never equal
    assert dataclasses.is_dataclass(one) and [f.name for f in dataclasses.fields(one)] == ["name", "line", "tags", "note"]
    moved = dataclasses.replace(one, line=7)
    assert moved.line == 7 and moved.name == "a" and type(moved) is ours_cls
    assert dataclasses.asdict(one) == {"name": "a", "line": 1, "tags": (), "note": {"x": 1}}
    assert ours_cls.__match_args__ == theirs_cls.__match_args__


def test_a_mutable_one_is_writable_equal_by_fields_and_unhashable_as_a_dataclass():
    theirs_cls, ours_cls = _pair("mutable")
    one, same = ours_cls("a", 1, (), {"x": 1}), ours_cls("a", 1, (), {"y": 2})
    assert one == same and one != ours_cls("b") and one != theirs_cls("a", 1, (), {"x": 1})
    assert ours_cls.__hash__ is None and theirs_cls.__hash__ is None
    with pytest.raises(TypeError):
        hash(one)
    one.line = 5
    del one.note
    assert one.line == 5 and not hasattr(one, "note")
    moved = dataclasses.replace(same, line=7)
    assert moved.line == 7 and type(moved) is ours_cls and dataclasses.asdict(moved)["tags"] == ()
    assert ours_cls.__match_args__ == theirs_cls.__match_args__


def test_fields_are_read_only():
    node = _pair()[1]("a")
    with pytest.raises(FrozenInstanceError):
        node.name = "b"
    with pytest.raises(FrozenInstanceError):
        del node.line


def test_copies_and_pickles_are_equal():
    node = Node("a", 3, ("t",))
    assert pickle.loads(pickle.dumps(node)) == node and copy.deepcopy(node) == node and copy.copy(node) == node


@frozen
class Node:   # a module-level class, for pickle
    name: str
    line: int = 1
    tags: tuple = ()


def test_a_class_keeps_its_docstring_or_is_given_one_naming_its_fields():
    theirs_cls, ours_cls = _pair()
    assert ours_cls.__doc__ == "Node(name, line, tags, note)" and theirs_cls.__doc__.startswith("Node(name: ")
    assert Node.__doc__ == "Node(name, line, tags)" and Documented.__doc__ == "Said by hand."


@mutable
class Documented:
    """Said by hand."""

    text: str
