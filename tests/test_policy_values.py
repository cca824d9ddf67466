"""`policy("name")` used as a value fits the option's type: `tanso check` names a comparison with a value
the option cannot hold and arithmetic on an option that holds no number (the snapshot
`tests/diagnostics/policy_value_of_the_wrong_kind.expected` shows the messages); a run never raises on
an option whose type the check cannot tell."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from pydantic import Field

from tanso.diagnostics import Diagnostics
from tanso.dsl.parser import parse_text
from tanso.model.policy_values import Kind, option_kind
from tanso.plugins import load_registry
from tanso.run.expressions import Relations, evaluate_check, evaluate_metric


def test_the_kind_of_an_option_follows_its_declared_type():
    assert option_kind(Literal["AR4", "AR5"]) == Kind("text", ("AR4", "AR5"))
    assert option_kind(bool) == Kind("boolean")
    assert option_kind(Optional[Annotated[Decimal, Field(ge=0, le=1)]]) == Kind("number")
    assert option_kind(int | None) == Kind("number")
    assert option_kind(Literal[1, 2]) == Kind("number")
    assert option_kind(str) == Kind("text")


def test_an_option_of_several_kinds_is_not_judged():
    assert option_kind(Union[Decimal, str]) == Kind(None)
    assert option_kind(Literal["a", 1]) == Kind(None)
    assert option_kind(list[str]) == Kind(None)


def _expression(statement: str):
    diagnostics = Diagnostics()
    module = parse_text(f"ruleset r\n{statement}\n", "t.tanso", diagnostics)
    assert not diagnostics.errors, diagnostics.render()
    return module.statements[0]


def test_a_run_gives_a_check_on_text_and_a_number_a_problem_not_a_traceback():
    relations = Relations(ledger="", inputs={}, rules={}, policies={"boundary.approach": "equity_share"},
                          cite=lambda span, column=False: str(span))
    check = evaluate_check(_expression('check c = 1 >= policy("boundary.approach")'), load_registry(), None, relations)
    assert check["passed"] is False
    assert check["problem"] == "'>=' cannot combine the number 1 and the text \"equity_share\" at t.tanso:2:11"
    metric = evaluate_metric(_expression('metric m = 2 * policy("boundary.approach")'), load_registry(), None,
                             relations)
    assert metric["value"] is None and metric["problem"].startswith("'*' cannot combine the number 2")
