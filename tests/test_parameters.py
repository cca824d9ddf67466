"""`tanso.parameters` validates calculator parameters and policy values as pydantic did, without importing it:
the same values accepted, the same values refused with the same error types, places and messages (which
`tanso check` shows). pydantic, still a dependency (ruleset tests), is the reference here."""

from __future__ import annotations

import pickle
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

import pydantic
import pytest

from tanso.contracts import COLUMN_EXPRESSION_EXPECTED, ColumnExpression, Field, Parameters, ValidationError
from tanso.dsl import ast
from tanso.parameters import Custom, validate_value
from tanso.plugins import load_registry
from tanso_ghgp.revision import ALL_OPTIONS

# Every kind of value a ruleset can write as a parameter or policy value: names and texts, numbers (negative
# ones too), true/false, lists of these.
VALUES = ["x", "", "true", "No", " yes ", "12", " 12 ", "-3", "1_000", "1.5", "1e3", " 2.5 ", "nan", "inf",
          Decimal("0"), Decimal("1"), Decimal("2"), Decimal("-2"), Decimal("1.5"), Decimal("0.33"), Decimal("1E+2"),
          Decimal("2.000"), Decimal("1.10000000000000000"), Decimal("-1.0000000000001"), Decimal("1E+40"),
          Decimal("0E-20"), Decimal("123456789012345678901234567890123456789"), Decimal("1.1234567890123"),
          True, False, [], ["a"], ["a", "b"], ["a", Decimal("1")], [True, "b", Decimal("2")], [[]], None]

TYPES = [str, bool, int, Decimal, Literal["AR4", "AR5", "AR6"], Literal[True], Literal[False], Literal["a", 1],
         list[str], list[Decimal], Optional[str], Optional[int], str | None, Optional[list[str]],
         Annotated[Decimal, pydantic.Field(ge=0, le=1)], Optional[Annotated[Decimal, pydantic.Field(ge=0)]],
         Annotated[Decimal, pydantic.Field(ge=0, max_digits=38, decimal_places=12)],
         Annotated[Decimal, pydantic.Field(max_digits=5, decimal_places=2)],
         Annotated[list[str], pydantic.Field(min_length=1)], Annotated[list[str], pydantic.Field(min_length=2)]]


def _ours(annotation: Any) -> Any:
    """The same type with tanso's Field in place of pydantic's."""
    if typing.get_origin(annotation) is Annotated:
        base, *metadata = typing.get_args(annotation)
        limits = {k: getattr(m, k) for fi in metadata for m in fi.metadata for k in
                  ("ge", "le", "min_length", "max_digits", "decimal_places") if getattr(m, k, None) is not None}
        return Annotated[base, Field(**limits)]
    if typing.get_origin(annotation) in (typing.Union, type(str | None)):
        return Optional[_ours(next(a for a in typing.get_args(annotation) if a is not type(None)))]
    return annotation


def _pydantic(annotation: Any, value: Any) -> tuple[Any, list[tuple]]:
    try:
        return pydantic.TypeAdapter(annotation).validate_python(value), []
    except pydantic.ValidationError as error:
        return None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]


def _tanso(annotation: Any, value: Any) -> tuple[Any, list[tuple]]:
    try:
        return validate_value(_ours(annotation), value), []
    except ValidationError as error:
        return None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]


@pytest.mark.parametrize("annotation", TYPES, ids=str)
def test_a_value_is_accepted_or_refused_as_pydantic_does(annotation):
    for value in VALUES:
        expected, got = _pydantic(annotation, value), _tanso(annotation, value)
        assert got == expected and type(got[0]) is type(expected[0]), (annotation, value)


@pytest.mark.parametrize("option", ALL_OPTIONS, ids=[o.name for o in ALL_OPTIONS])
def test_every_policy_option_validates_as_pydantic_does(option):
    for value in [*VALUES, option.default, option.revised]:
        try:
            ours = validate_value(option.type, value), []
        except ValidationError as error:
            ours = None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]
        assert ours == _pydantic(_theirs(option.type), value), value


def _theirs(annotation: Any) -> Any:
    """The same type with pydantic's Field in place of tanso's."""
    if typing.get_origin(annotation) is Annotated:
        base, *metadata = typing.get_args(annotation)
        limits = {k: v for m in metadata for k, v in m.constraints.items()}
        return Annotated[base, pydantic.Field(**limits)]
    if typing.get_origin(annotation) is typing.Union:
        return Optional[_theirs(next(a for a in typing.get_args(annotation) if a is not type(None)))]
    return annotation


def _twin(model: type[Parameters]) -> type[pydantic.BaseModel]:
    """The pydantic model the class would have been (column expressions taken as they come)."""
    fields = {}
    for name, field in model.model_fields.items():
        custom = typing.get_origin(field.annotation) is typing.Union and ast.BinaryOp in typing.get_args(field.annotation)
        annotation = Any if custom else _theirs(Annotated[field.annotation, field]) if field.constraints else field.annotation
        fields[name] = (annotation, ... if field.is_required() else field.default)
    return pydantic.create_model(f"{model.__name__}Twin", __config__=pydantic.ConfigDict(extra="forbid"), **fields)


def _registered_models() -> list[type[Parameters]]:
    registry = load_registry()
    models = {c.parameters for c in registry.calculators.values()} | {b.parameters for b in registry.boundary_methods.values()}
    return sorted(models, key=lambda m: m.__name__)


@pytest.mark.parametrize("model", _registered_models(), ids=lambda m: m.__name__)
def test_every_plugin_parameter_class_validates_as_its_pydantic_twin(model):
    twin = _twin(model)
    fields = list(model.model_fields)
    calls = [{}, {"nope": "x"}, {"nope": "x", "also": Decimal(1)}]
    for name in fields:
        custom = typing.get_origin(model.model_fields[name].annotation) is typing.Union
        for value in VALUES if not custom else [v for v in VALUES if isinstance(v, str)]:
            calls.append({name: value, **{n: "x" for n in fields if n != name and model.model_fields[n].is_required()}})
    calls.append({n: "x" for n in reversed(fields)} | {"zz": True})
    for raw in calls:
        try:
            ours = model.model_validate(raw), []
        except ValidationError as error:
            ours = None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]
        try:
            made = twin.model_validate(raw)
            theirs = made.model_dump(), []
        except pydantic.ValidationError as error:
            theirs = None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]
        if ours[1] and ours[1][0][0] == "value_error":   # validate_together, which the twin does not have
            assert theirs[1] == [] and model.validate_together is not Parameters.validate_together, raw
        else:
            assert ours[1] == theirs[1], raw
            assert ours[1] or ours[0].__dict__ == theirs[0], raw


def test_a_column_expression_is_a_text_or_an_arithmetic_tree():
    assert validate_value(ColumnExpression, "amount") == "amount"
    tree = ast.BinaryOp("*", ast.Name(("a",), None), ast.Name(("b",), None), None)
    assert validate_value(ColumnExpression, tree) is tree
    for value in (Decimal(5), True, ["a"], ast.Name(("a",), None)):
        with pytest.raises(ValidationError) as raised:
            validate_value(ColumnExpression, value)
        assert raised.value.errors() == [{"type": "column_expression", "loc": (), "msg": COLUMN_EXPRESSION_EXPECTED}]


class _Mapped(Parameters):
    table: str = Field(description="input table")
    columns: list[str] = Field(default=["a"], min_length=1)
    code: Annotated[str, Custom(lambda v: isinstance(v, str) and v.isupper(), "code", "an upper-case code")] = "X"

    def validate_together(self) -> None:
        if self.table in self.columns:
            raise ValueError("table and columns differ")


def test_parameters_are_frozen_values_with_their_defaults_copied():
    one, two = _Mapped.model_validate({"table": "t"}), _Mapped.model_validate({"table": "t"})
    assert one == two and one.columns == ["a"] and one.columns is not two.columns
    assert repr(one) == "_Mapped(table='t', columns=['a'], code='X')"
    assert pickle.loads(pickle.dumps(one)) == one
    with pytest.raises(TypeError, match="frozen"):
        one.table = "u"
    assert [n for n, f in _Mapped.model_fields.items() if f.is_required()] == ["table"]
    assert _Mapped.model_fields["columns"].metadata[0].min_length == 1


def test_checks_of_their_own_and_of_fields_together_are_errors_as_pydantic_reports_them():
    with pytest.raises(ValidationError) as raised:
        _Mapped.model_validate({"table": "t", "code": "x"})
    assert raised.value.errors() == [{"type": "code", "loc": ("code",), "msg": "an upper-case code"}]
    with pytest.raises(ValidationError) as raised:
        _Mapped.model_validate({"table": "a"})
    assert raised.value.errors() == [{"type": "value_error", "loc": (), "msg": "Value error, table and columns differ"}]


def test_a_type_it_does_not_know_is_validated_by_pydantic():
    assert validate_value(dict[str, int], {"a": "1"}) == {"a": 1}
    with pytest.raises(ValidationError) as raised:
        validate_value(dict[str, int], {"a": "x"})
    assert [(e["type"], e["loc"]) for e in raised.value.errors()] == [("int_parsing", ("a",))]


def test_a_pydantic_validator_on_parameters_is_refused_where_the_class_is_defined():
    with pytest.raises(TypeError, match="validate_together"):
        class _Old(Parameters):
            a: str

            @pydantic.model_validator(mode="after")
            def _check(self):
                return self
