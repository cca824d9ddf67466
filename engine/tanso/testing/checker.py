"""One run against one case's expectations: exact amounts (or within the case's tolerance), the
rows that must be rejected or excluded, metrics and checks; a message with file:line per failure."""

from __future__ import annotations

import difflib
from decimal import Decimal, localcontext
from typing import Any, Iterable

from tanso.testing.files import CaseSpec

_PRECISION = 100  # decimal digits for differences and sums: more than any DECIMAL(38,18) holds


def _fmt(value: Any) -> str:
    if isinstance(value, Decimal):
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return str(value)


def query(con, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


class Checker:
    """Compares one run with one case's expectations; collects a message per failure."""

    def __init__(self, spec: CaseSpec, result, ruleset):
        self.spec, self.result, self.ruleset = spec, result, ruleset
        self.con = result.connection
        self.expect = spec.model.expect
        self.failures: list[str] = []

    def fail(self, path: tuple, message: str) -> None:
        self.failures.append(f"{self.spec.where('expect', *path)}: {message}")

    def amount(self, path: tuple, what: str, expected: Decimal, got: Decimal | None) -> None:
        got = Decimal(0) if got is None else Decimal(got)
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            diff = got - expected
            ok = abs(diff) <= self.expect.tolerance
        if not ok:
            self.fail(path, f"{what} expected {_fmt(expected)} got {_fmt(got)} (diff {_fmt(diff)})")

    def sum_ledger(self, column: str, where: str = "TRUE", params: Iterable[Any] = ()) -> Decimal | None:
        """The inventory amount: each ledger row's value times its entity's boundary weight."""
        return query(self.con, f"SELECT sum({column} * boundary_weight) FROM run_ledger WHERE {where}", params)[0][0]

    def run(self) -> list[str]:
        e = self.expect
        if e.total is not None:
            self.amount(("total",), "total", e.total, self.sum_ledger("co2e_kg"))
        for index, item in enumerate(e.totals):
            where, params, label = ["scope = ?"], [item.scope], [f"scope {item.scope}"]
            for column, value in (("category", item.category), ("basis", item.basis)):
                if value is not None:
                    where.append(f"{column} = ?")
                    params.append(value)
                    label.append(f"{column} {value}")
            self.amount(("totals", index), f"total of {' '.join(label)}", item.co2e_kg,
                        self.sum_ledger("co2e_kg", " AND ".join(where), params))
        for rule, expected in e.rules.items():
            if rule not in self.ruleset.rules:
                hint = difflib.get_close_matches(rule, list(self.ruleset.rules), n=1)
                self.fail(("rules", rule), f"rule {rule} is not in the ruleset"
                          + (f" (did you mean '{hint[0]}'?)" if hint else f"; rules: {', '.join(self.ruleset.rules)}"))
                continue
            self.amount(("rules", rule), f"rule {rule}", expected, self.sum_ledger("co2e_kg", "rule_id = ?", [rule]))
        for gas, expected in e.gases.items():
            self.amount(("gases", gas), f"gas {gas} amount (kg)", expected, self.sum_ledger("amount", "gas = ?", [gas]))
        self.rows("rejects", e.rejects, "run_rejects", e.rejects_count)
        self.rows("excluded", e.excluded, "run_excluded", e.excluded_count)
        for metric, expected, found in self.declared("metric", e.metrics, self.result.metrics):
            if found["problem"] is not None or found["value"] is None:
                self.fail(("metrics", metric), f"metric {metric} expected {_fmt(expected)} but it could not be "
                          f"computed: {found['problem'] or 'no value'}")
            else:
                self.amount(("metrics", metric), f"metric {metric}", expected, found["value"])
        for check, expected, found in self.declared("check", e.checks, self.result.checks):
            if found["passed"] != expected:
                why = f" ({found['problem']})" if found["problem"] else ""
                self.fail(("checks", check), f"check {check} expected to {'pass' if expected else 'fail'}, "
                          f"it {'passed' if found['passed'] else 'failed'}{why}")
        return self.failures

    def declared(self, kind: str, expected: dict, results: list[dict]):
        """(id, expected, result) for each expected metric or check the run has; a missing one fails."""
        by_id = {r["id"]: r for r in results}
        for item_id, value in expected.items():
            if item_id in by_id:
                yield item_id, value, by_id[item_id]
            else:
                self.fail((f"{kind}s", item_id), f"{kind} {item_id} is not in the ruleset"
                          + (f"; {kind}s: {', '.join(by_id)}" if by_id else ""))

    def rows(self, key: str, expected: list, table: str, count: int | None) -> None:
        with_rule = key == "rejects"
        columns = "row_id, rule_id, reason" if with_rule else "row_id, coalesce(exclusion_id, rule_id), reason"
        actual = query(self.con, f"SELECT {columns} FROM {table} ORDER BY ALL")
        noun = "reject" if with_rule else "exclusion"
        for index, item in enumerate(expected):
            same_row = [r for r in actual if r[0] == item.row_id]
            match = [r for r in same_row
                     if (not with_rule or item.rule is None or r[1] == item.rule)
                     and (item.reason_contains is None or item.reason_contains in (r[2] or ""))]
            if match:
                continue
            wanted = [f"row {item.row_id}"]
            if with_rule and item.rule is not None:
                wanted.append(f"rule {item.rule}")
            if item.reason_contains is not None:
                wanted.append(f"reason containing {item.reason_contains!r}")
            seen = "; ".join(f"{r[1] or '(input)'}: {r[2]}" for r in same_row)
            self.fail((key, index), f"expected a {noun} of {', '.join(wanted)}; "
                      + (f"row {item.row_id} has: {seen}" if same_row else f"row {item.row_id} has none"))
        if count is not None and count != len(actual):
            shown = ", ".join(f"{r[0]} ({r[1] or 'input'})" for r in actual[:10]) + (" …" if len(actual) > 10 else "")
            self.fail((f"{key}_count",), f"{key}_count expected {count} got {len(actual)}"
                      + (f": {shown}" if actual else ""))
