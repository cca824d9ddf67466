"""Groups of plan-time Arrow tables without Acero (tanso.plan.arrow_groups): the same groups, maxima and
matches as Python's own definition, groups in the order of their first rows; and planning a factor product
does not import pyarrow.acero (it imports pyarrow.dataset and, where installed, pandas)."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tanso.plan.arrow_groups import distinct, group_ids, group_max, member_of

ROOT = Path(__file__).resolve().parents[1]
TEXT = st.sampled_from([None, "a", "b", "c", "dd"])


@st.composite
def tables(draw):
    """A table of 1–3 text key columns (NULLs included), a nullable decimal column, in one or two chunks."""
    n, width = draw(st.integers(0, 40)), draw(st.integers(1, 3))
    keys = [tuple(draw(TEXT) for _ in range(width)) for _ in range(n)]
    values = [draw(st.one_of(st.none(), st.integers(0, 999).map(lambda i: Decimal(i).scaleb(-3)))) for _ in range(n)]
    names = [f"c{i}" for i in range(width)]
    table = pa.table({**{name: pa.array([k[i] for k in keys], pa.string()) for i, name in enumerate(names)},
                      "v": pa.array(values, pa.decimal128(38, 12))})
    cut = draw(st.integers(0, n))
    return pa.concat_tables([table.slice(0, cut), table.slice(cut)]), names, keys, values


@settings(max_examples=300, deadline=None)
@given(tables())
def test_groups_are_numbered_in_the_order_of_their_first_rows(case):
    table, names, keys, _ = case
    first = list(dict.fromkeys(keys))
    ids, count = group_ids(table, names)
    assert count == len(first)
    assert ids.to_pylist() == [first.index(k) for k in keys]
    assert distinct(table, names).to_pylist() == [dict(zip(names, k)) for k in first]


@settings(max_examples=300, deadline=None)
@given(tables())
def test_a_groups_maximum_ignores_nulls(case):
    table, names, keys, values = case
    largest: dict[tuple, Decimal] = {}
    for key, value in zip(keys, values):
        if value is not None:
            largest[key] = max(largest.get(key, value), value)
    ids, _ = group_ids(table, names)
    assert group_max(table.column("v"), ids).to_pylist() == [largest.get(k) for k in dict.fromkeys(keys)]


@settings(max_examples=300, deadline=None)
@given(tables(), st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=5))
def test_a_row_is_a_member_as_in_a_join_where_null_matches_nothing(case, others):
    table, names, keys, _ = case
    others = [o[:len(names)] for o in others]
    other_table = pa.table({name: pa.array([o[i] for o in others], pa.string()) for i, name in enumerate(names)})
    expected = [key in set(others) and None not in key for key in keys]
    assert member_of(table, other_table, names).to_pylist() == expected


def test_planning_a_factor_product_does_not_import_acero(tmp_path):
    probe = ("import sys\nfrom tanso.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
             "print('pyarrow.acero' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "engine"), str(ROOT / "plugins")])}
    done = subprocess.run([sys.executable, "-c", probe, "evaluate", str(ROOT / "rulesets" / "ghgp-current"),
                           "--data", str(ROOT / "examples" / "acme" / "data"), "--select", "s1.stationary",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
