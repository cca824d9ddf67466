"""Run every mutation of the bad-input corpus and check what tests/corpus/README.md promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus_runner import baseline, batched, corpus_results, execute, zygote  # noqa: F401  (fixtures)
from mutations import MUTATIONS, Mutation

TRACEBACK = "Traceback (most recent call last)"


def _param(m: Mutation):
    marks = [pytest.mark.xfail(strict=True, reason=m.xfail)] if m.xfail else []
    if batched(m):   # under pytest-xdist (--dist loadgroup) the batch is run by one worker, once
        marks.append(pytest.mark.xdist_group("corpus-mini"))
    return pytest.param(m, id=m.name, marks=marks)


def test_the_corpus_is_large_and_names_are_unique():
    names = [m.name for m in MUTATIONS]
    assert len(names) == len(set(names))
    assert len(MUTATIONS) >= 100
    assert sum(m.base == "demo" for m in MUTATIONS) >= 12


@pytest.mark.parametrize("m", [_param(m) for m in MUTATIONS])
def test_mutation(m: Mutation, tmp_path: Path, zygote, baseline, request):
    result = request.getfixturevalue("corpus_results").get(m.name) if batched(m) else None
    if isinstance(result, str):
        pytest.fail(f"the mutation could not be run:\n{result}")
    case, outcome = result if result is not None else execute(m, tmp_path, zygote)
    code, stdout, stderr = outcome.code, outcome.stdout, outcome.stderr
    # No traceback, ever; the documented exit code; the stated cause.
    assert TRACEBACK not in stdout and TRACEBACK not in stderr, stderr[-3000:]
    assert code == m.exit, f"exit {code}, expected {m.exit}\n{stderr[-3000:]}\n{stdout[-1500:]}"
    assert re.search(m.cause, outcome.text, re.IGNORECASE | re.DOTALL), f"/{m.cause}/ not in the output:\n{outcome.text[-4000:]}"
    if code not in (0, 5):
        return
    assert outcome.finished, f"exit {code} without a manifest"
    base = baseline(m.base)

    # The rows the mutation targets are rejects.
    rejected = {(r["input_table"], int(r["input_row"])) for r in outcome.rejects}
    missing = [pair for pair in m.rejects if pair not in rejected]
    assert not missing, f"not in rejects.csv: {missing}\n{outcome.files_text[-3000:]}"

    # Conservation: every row of every table a rule reads is in the ledger, rejects or excluded.
    for table in sorted(base.source_tables()):
        expected = m.rows.get(table, base.rows[table])
        first = m.first_row.get(table, 1)
        numbers = set(range(first, first + expected))
        seen = outcome.covered.get(table, set())
        assert seen == numbers, (f"{table}: rows {sorted(numbers - seen)[:10]} are nowhere, "
                                 f"rows {sorted(seen - numbers)[:10]} do not exist ({expected} rows from row {first})")

    # No silent total change: a moved total is explained by a reject (new, or the one declared) or a warning.
    if m.same_total:
        assert outcome.total == base.total, f"total {outcome.total} != {base.total} for a lossless mutation"
    elif outcome.total != base.total:
        new_rejects = outcome.reject_keys() - base.reject_keys()
        explained = bool(m.rejects) or bool(new_rejects) or "warning" in stderr.lower() or m.rows
        assert explained, f"total {base.total} -> {outcome.total} with no new reject or warning"
