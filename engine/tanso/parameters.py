"""Calculator parameters and policy values, validated in plain code with pydantic's error types and messages.

Why not pydantic itself: `tanso check` validates every calculator call and policy value of a ruleset, and
pydantic's import and schema builds were about a quarter of a whole check's instructions. The types
plugins declare are few (text, whole numbers, decimals with bounds, true/false, `Literal`, lists, optional
ones, column expressions), so they are checked here, with the very messages pydantic gives
(`tests/test_parameters.py` compares the two on every kind of value a ruleset can write). A type outside
these is handed to pydantic, imported then.
"""

from __future__ import annotations

import copy
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, ClassVar, Literal, Union

_REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()
# Constraints `Field` takes, in the order pydantic checks a decimal's (digits, then bounds).
_CONSTRAINTS = ("max_digits", "decimal_places", "ge", "le", "min_length")
_TRUE, _FALSE = {"1", "on", "t", "true", "y", "yes"}, {"0", "off", "f", "false", "n", "no"}

Problem = tuple[str, tuple, str]   # pydantic's error type, location, message
Check = Callable[[Any], tuple[Any, list[Problem]]]


class ValidationError(ValueError):
    """Invalid values; `errors()` lists them as pydantic's `ValidationError.errors()` does."""

    def __init__(self, title: str, problems: list[Problem], given: Any):
        self.title, self.problems, self.given = title, problems, given
        super().__init__(f"{len(problems)} validation error(s) for {title}: "
                         + "; ".join(f"{'.'.join(map(str, loc)) or '(value)'}: {msg}" for _, loc, msg in problems))

    def errors(self) -> list[dict[str, Any]]:
        return [{"type": kind, "loc": loc, "msg": msg} for kind, loc, msg in self.problems]


class FieldInfo:
    """A declared parameter: its type (without `Annotated`), default, description and constraints."""

    def __init__(self, default: Any = _REQUIRED, *, description: str | None = None, **constraints: Any):
        unknown = set(constraints) - set(_CONSTRAINTS)
        if unknown:
            raise TypeError(f"Field: unsupported constraint(s) {', '.join(sorted(unknown))}; "
                            f"supported: {', '.join(_CONSTRAINTS)}")
        self.default, self.description = default, description
        self.constraints = {k: v for k, v in constraints.items() if v is not None}
        self.annotation: Any = None
        self.check: Check = _accept

    def is_required(self) -> bool:
        return self.default is _REQUIRED

    @property
    def metadata(self) -> list[types.SimpleNamespace]:
        """One object per constraint (`.ge`, `.le`…), as pydantic's FieldInfo lists annotated_types ones."""
        return [types.SimpleNamespace(**{name: value}) for name, value in self.constraints.items()]

    def __repr__(self) -> str:
        return f"FieldInfo(annotation={self.annotation!r}, default={self.default!r}, {self.constraints})"


def Field(default: Any = _REQUIRED, *, description: str | None = None, ge: Any = None, le: Any = None,  # noqa: N802
          min_length: int | None = None, max_digits: int | None = None, decimal_places: int | None = None) -> Any:
    """A parameter's default, description and constraints, as pydantic's `Field` takes them."""
    return FieldInfo(default, description=description, ge=ge, le=le, min_length=min_length,
                     max_digits=max_digits, decimal_places=decimal_places)


class Custom:
    """A check of its own in `Annotated[T, Custom(...)]`: `accepts(value)` or one error of `kind` saying `message`."""

    def __init__(self, accepts: Callable[[Any], bool], kind: str, message: str):
        self.accepts, self.kind, self.message = accepts, kind, message


class Parameters:
    """Base of calculator and boundary parameters: fields from the annotations, as pydantic models declare them.

    Unknown parameters are errors, values are frozen. A subclass may define `validate_together(self)`, raising
    ValueError when fields valid alone do not go together (pydantic's after-`model_validator`)."""

    model_fields: ClassVar[dict[str, FieldInfo]] = {}

    def __init_subclass__(cls, **kwargs: Any):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {})
        inherited = cls.model_fields
        fields = {}
        for name, annotation in typing.get_type_hints(cls, include_extras=True).items():
            if typing.get_origin(annotation) is ClassVar or name.startswith("_"):
                continue
            if name in own:
                fields[name] = _field(cls.__name__, name, annotation, cls.__dict__.get(name, _REQUIRED))
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                fields[name] = inherited[name]
        for name, value in cls.__dict__.items():
            if type(value).__name__ == "PydanticDescriptorProxy":
                raise TypeError(f"{cls.__name__}.{name}: pydantic validators do not apply to tanso.contracts."
                                "Parameters; define validate_together(self) instead")
        cls.model_fields = fields

    def __init__(self, **data: Any):
        cls = type(self)
        values, problems = {}, []
        for name, field in cls.model_fields.items():
            if name in data:
                values[name], found = field.check(data[name])
                problems += [(kind, (name, *loc), msg) for kind, loc, msg in found]
            elif field.is_required():
                problems.append(("missing", (name,), "Field required"))
            else:
                values[name] = copy.deepcopy(field.default)
        problems += [("extra_forbidden", (name,), "Extra inputs are not permitted")
                     for name in data if name not in cls.model_fields]
        if problems:
            raise ValidationError(cls.__name__, problems, data)
        self.__dict__.update(values)
        try:
            self.validate_together()
        except ValueError as error:
            raise ValidationError(cls.__name__, [("value_error", (), f"Value error, {error}")], data) from None

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> Parameters:
        return cls(**data)

    @classmethod
    def model_construct(cls, **values: Any) -> Parameters:
        """An instance of `values` as given (defaults for the others), without validation."""
        made = object.__new__(cls)
        fields = cls.model_fields
        made.__dict__.update({n: values[n] if n in values else copy.deepcopy(f.default) for n, f in fields.items()})
        return made

    def validate_together(self) -> None:
        """Raise ValueError if the parameters, each valid, do not go together."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is frozen: parameter '{name}' cannot be set")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={v!r}' for n, v in self.__dict__.items())})"


def validate_value(annotation: Any, value: Any) -> Any:
    """`value` as `annotation` takes it (a policy option's type), or ValidationError."""
    result, problems = _checker(annotation)(value)
    if problems:
        raise ValidationError(str(annotation), problems, value)
    return result


def _field(owner: str, name: str, annotation: Any, declared: Any) -> FieldInfo:
    if isinstance(declared, FieldInfo):
        field = declared
    elif hasattr(declared, "is_required") and hasattr(declared, "metadata"):   # pydantic's Field(...)
        default = _REQUIRED if declared.is_required() else (
            declared.default_factory() if declared.default_factory is not None else declared.default)
        field = FieldInfo(default, description=declared.description,
                          **{k: v for k, v in _constraints(declared.metadata).items()})
    else:
        field = FieldInfo(declared)
    metadata: tuple = ()
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *rest = typing.get_args(annotation)
        metadata = tuple(rest)
    field.annotation = annotation
    try:
        field.check = _checker(annotation, (*metadata, field))
    except TypeError as error:
        raise TypeError(f"{owner}.{name}: {error}") from None
    return field


def _constraints(metadata: Any) -> dict[str, Any]:
    """The constraints of `Annotated` metadata: tanso's `Field`, pydantic's `Field` or annotated_types."""
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(item.constraints)
            continue
        for inner in (item, *getattr(item, "metadata", ())):
            found.update({k: getattr(inner, k) for k in _CONSTRAINTS if getattr(inner, k, None) is not None})
    return found


def _checker(annotation: Any, metadata: tuple = ()) -> Check:
    """A function validating values of `annotation` (with the constraints and checks in `metadata`)."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *rest = typing.get_args(annotation)
        return _checker(inner, (*rest, *metadata))
    custom = [m for m in metadata if isinstance(m, Custom)]
    if custom:
        return _custom(custom[0])
    limits = _constraints(metadata)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (Union, types.UnionType) and type(None) in args and len(args) == 2:
        return _optional(_checker(next(a for a in args if a is not type(None)), metadata))
    if origin is Literal:
        return _literal(args)
    if origin is list and len(args) == 1 and set(limits) <= {"min_length"}:
        return _list(_checker(args[0]), limits.get("min_length"))
    simple = {str: _str, bool: _bool, int: _int}.get(annotation)
    if simple is not None and not limits:
        return simple
    if annotation is Decimal:
        return _decimal(limits)
    return _pydantic(annotation, metadata)


def _accept(value: Any) -> tuple[Any, list[Problem]]:
    return value, []


def _str(value: Any) -> tuple[Any, list[Problem]]:
    if isinstance(value, str):
        return value, []
    return None, [("string_type", (), "Input should be a valid string")]


def _bool(value: Any) -> tuple[Any, list[Problem]]:
    if isinstance(value, bool):
        return value, []
    if isinstance(value, str):
        text = value.lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, []
        return None, [("bool_parsing", (), "Input should be a valid boolean, unable to interpret input")]
    # A decimal counts as a number here only when whole and within 64 bits, as pydantic-core reads it.
    if isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite() and value == int(value)
                                  and abs(value) < 2 ** 63):
        if value in (0, 1):
            return value == 1, []
        return None, [("bool_parsing", (), "Input should be a valid boolean, unable to interpret input")]
    return None, [("bool_type", (), "Input should be a valid boolean")]


def _int(value: Any) -> tuple[Any, list[Problem]]:
    if isinstance(value, int):
        return int(value), []
    if isinstance(value, str):
        try:
            return int(value.strip()), []
        except ValueError:
            return None, [("int_parsing", (), "Input should be a valid integer, unable to parse string as an integer")]
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None, [("finite_number", (), "Input should be a finite number")]
        if value == value.to_integral_value():
            return int(value), []
        return None, [("int_from_float", (), "Input should be a valid integer, got a number with a fractional part")]
    return None, [("int_type", (), "Input should be a valid integer")]


def _decimal(limits: dict[str, Any]) -> Check:
    def check(value: Any) -> tuple[Any, list[Problem]]:
        if isinstance(value, str):
            try:
                value = Decimal(value.strip())
            except InvalidOperation:
                return None, [("decimal_parsing", (), "Input should be a valid decimal")]
        elif isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        elif not isinstance(value, Decimal):
            return None, [("decimal_type", (), "Decimal input should be an integer, float, string or Decimal object")]
        if not value.is_finite():
            return None, [("finite_number", (), "Input should be a finite number")]
        problem = _digits(value, limits.get("max_digits"), limits.get("decimal_places"))
        if problem:
            return None, [problem]
        if "le" in limits and not value <= limits["le"]:
            return None, [("less_than_equal", (), f"Input should be less than or equal to {limits['le']}")]
        if "ge" in limits and not value >= limits["ge"]:
            return None, [("greater_than_equal", (), f"Input should be greater than or equal to {limits['ge']}")]
        return value, []
    return check


def _digits(value: Decimal, max_digits: int | None, places: int | None) -> Problem | None:
    """pydantic's digit count: of the normalised value, decimals counting as digits."""
    if max_digits is None and places is None:
        return None
    _, digit_tuple, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    decimals = max(-exponent, 0)
    digits = len(digit_tuple) + exponent if exponent >= 0 else max(len(digit_tuple), decimals)
    if max_digits is not None and digits > max_digits:
        return ("decimal_max_digits", (), f"Decimal input should have no more than {max_digits} digits in total")
    if places is not None and decimals > places:
        return ("decimal_max_places", (), f"Decimal input should have no more than {places} decimal places")
    if max_digits is not None and places is not None and digits - decimals > max(max_digits - places, 0):
        return ("decimal_whole_digits", (),
                f"Decimal input should have no more than {max(max_digits - places, 0)} digits before the decimal point")
    return None


def _literal(choices: tuple) -> Check:
    shown = [repr(c) for c in choices]
    message = "Input should be " + (shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}")

    def check(value: Any) -> tuple[Any, list[Problem]]:
        for choice in choices:
            if type(choice) is type(value) and choice == value:
                return choice, []
        for choice in choices:   # pydantic's lax match: a number for an equal int or bool, never for a text
            if isinstance(choice, int) and isinstance(value, (int, Decimal)) and value == choice:
                return choice, []
        return None, [("literal_error", (), message)]
    return check


def _list(item: Check, min_length: int | None) -> Check:
    def check(value: Any) -> tuple[Any, list[Problem]]:
        if not isinstance(value, (list, tuple, set, frozenset)):
            return None, [("list_type", (), "Input should be a valid list")]
        values, problems = [], []
        for i, element in enumerate(value):
            checked, found = item(element)
            values.append(checked)
            problems += [(kind, (i, *loc), msg) for kind, loc, msg in found]
        if not problems and min_length is not None and len(values) < min_length:
            items = "item" if min_length == 1 else "items"
            problems.append(("too_short", (), f"List should have at least {min_length} {items} after validation, "
                                              f"not {len(values)}"))
        return (None if problems else values), problems
    return check


def _optional(inner: Check) -> Check:
    def check(value: Any) -> tuple[Any, list[Problem]]:
        return (None, []) if value is None else inner(value)
    return check


def _custom(custom: Custom) -> Check:
    def check(value: Any) -> tuple[Any, list[Problem]]:
        return (value, []) if custom.accepts(value) else (None, [(custom.kind, (), custom.message)])
    return check


def _pydantic(annotation: Any, metadata: tuple) -> Check:
    """A type this module does not know: validated by pydantic, imported on first use."""
    adapter: list[Any] = []

    def check(value: Any) -> tuple[Any, list[Problem]]:
        from pydantic import TypeAdapter
        from pydantic import ValidationError as PydanticError

        if not adapter:
            extra = [m for m in metadata if not isinstance(m, FieldInfo)]
            limits = _constraints(metadata)
            if limits:
                from pydantic import Field as PydanticField
                extra.append(PydanticField(**limits))
            adapter.append(TypeAdapter(typing.Annotated[(annotation, *extra)] if extra else annotation))
        try:
            return adapter[0].validate_python(value), []
        except PydanticError as error:
            return None, [(e["type"], tuple(e["loc"]), e["msg"]) for e in error.errors()]
    return check
