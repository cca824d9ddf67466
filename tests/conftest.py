"""Shared helpers: write a small ruleset and data folder into tmp_path and evaluate it for real.

Everything runs on the real DuckDB engine and the installed plugins; nothing is mocked.
"""

from __future__ import annotations

import csv
import os
import textwrap
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, settings

from tanso.plugins import load_registry
from tanso.run import RunResult, evaluate, prepare

# pytest-xdist's workers start with COLUMNS=80 and LINES=24 (set by execnet); one process has neither, and the
# terminal width decides how reports lay out long lines. Tests that want a width set it themselves.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)


REPO = Path(__file__).resolve().parents[1]
ACME_RULESET = REPO / "examples" / "acme" / "ruleset"
ACME_DATA = REPO / "examples" / "acme" / "data"

# Hypothesis: each property states the examples it runs in the suite (sized for CI, which keeps the suite
# under 10 minutes); `pytest --hypothesis-profile=deep` runs DEEP_EXAMPLES of every property instead (the
# deep run, minutes per property). Neither has a deadline: an example's time is the machine's load, not a bug.
DEEP_EXAMPLES = 500
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("deep", settings.get_profile("ci"), max_examples=DEEP_EXAMPLES)
settings.load_profile("ci")


def examples(n: int) -> int:
    """`n` examples in the suite, DEEP_EXAMPLES under the deep profile (read when the test module is
    imported, after pytest has loaded the profile its command line names)."""
    return DEEP_EXAMPLES if settings.default.max_examples == DEEP_EXAMPLES else n


FACTOR_META = {"publisher": "test", "edition": "t1", "licence": "CC0-1.0"}

# A factor file: per-gas combustion factors, as in the GHG Protocol tools.
FUEL_FACTORS = [
    {"factor_id": "DIESEL-CO2", "fuel": "diesel", "gas": "CO2", "value": "2.68", "unit": "kg", "per": "l"},
    {"factor_id": "DIESEL-CH4", "fuel": "diesel", "gas": "CH4", "value": "0.11", "unit": "g", "per": "l"},
    {"factor_id": "DIESEL-N2O", "fuel": "diesel", "gas": "N2O", "value": "0.022", "unit": "g", "per": "l"},
]

FUEL_INPUT = ("input fuel_use\n  key row_id\n"
              "  columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text\n")


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    """Write rows as CSV; None becomes an empty field."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: pa.Schema | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def factor_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Complete factor rows with the provenance columns every factor file has."""
    return [{**row, **{k: v for k, v in FACTOR_META.items() if k not in row}} for row in rows]


@dataclass
class Case:
    """A ruleset folder and a data folder written into tmp_path."""

    root: Path
    ruleset: Path
    data: Path

    def prepare(self, **kwargs):
        return prepare(self.ruleset, **kwargs)

    def run(self, out: str = "out", *, overlays=(), overrides=None, threads=None, selected=None) -> RunResult:
        prepared = prepare(self.ruleset, overlays=tuple(overlays), overrides=overrides)
        return evaluate(prepared.ruleset, prepared.registry, prepared.graph, self.data, self.root / out,
                        threads=threads, selected=selected)


def make_case(root: Path, ruleset_text: str, tables: dict[str, list[dict[str, Any]]],
              factors: dict[str, list[dict[str, Any]]] | None = None, *, name: str = "case") -> Case:
    """Write `ruleset_text` (dedented) as ruleset/<name>.tanso, each table as data/<table>.csv and
    each factor set as data/factors/<set>.csv (declared in the ruleset as `factors/<set>.csv`)."""
    root.mkdir(parents=True, exist_ok=True)
    ruleset_dir = root / "ruleset"
    ruleset_dir.mkdir(exist_ok=True)
    (ruleset_dir / f"{name}.tanso").write_text(textwrap.dedent(ruleset_text))
    data = root / "data"
    data.mkdir(exist_ok=True)
    for table, rows in tables.items():
        write_csv(data / f"{table}.csv", rows)
    for set_name, rows in (factors or {}).items():
        write_csv(data / "factors" / f"{set_name}.csv", factor_rows(rows))
    return Case(root, ruleset_dir, data)


def fetch(result: RunResult, table: str, order: str = "ALL") -> list[dict[str, Any]]:
    """Rows of a run table (run_ledger, run_rejects, run_excluded) as dicts."""
    cursor = result.connection.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def ledger(result: RunResult) -> list[dict[str, Any]]:
    return fetch(result, "run_ledger")


def rejects(result: RunResult) -> list[dict[str, Any]]:
    return fetch(result, "run_rejects")


def excluded(result: RunResult) -> list[dict[str, Any]]:
    return fetch(result, "run_excluded")


def total_kg(result: RunResult) -> Decimal:
    return sum((row["co2e_kg"] for row in result.summary), Decimal(0))


def fuel_row(row_id: str, quantity: Any, unit: str = "l", fuel: str = "diesel", use: str = "stationary",
             entity: str = "E1", period: str = "2025-01") -> dict[str, Any]:
    return {"row_id": row_id, "entity": entity, "period": period, "fuel": fuel, "use": use,
            "quantity": quantity, "unit": unit}


def fuel_ruleset(gwp: str = "AR5", extra: str = "", name: str = "case") -> str:
    return (f"ruleset {name}\n\nset gwp.set = {gwp}\n\n{FUEL_INPUT}\n"
            'factors fuels "fuel factors" file "factors/fuels.csv"\n\n'
            "rule s1.fuel \"Fuel combustion\"\n  scope 1\n  from fuel_use\n  calc fuel_combustion(factors: fuels)\n"
            + extra)


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture
def fuel_case(tmp_path):
    """One stationary diesel row of 100 l under AR5, the textbook example."""
    return make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})


# Where an xdist group goes among the others (default 1, then by size): Spark, the longest (minutes on its own
# worker), first, so that it does not start last and leave the other worker idle at the end; the IPCC
# differential test, which waits for its peer (started at collection, below), after the other groups.
GROUP_RANK = {"spark": 0, "ipcc": 2}


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return None if marker is None else str(marker.args[0] if marker.args else marker.kwargs.get("name", "default"))


@pytest.hookimpl(trylast=True)   # after pytest-xdist's own, which names the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest -n 2 (--dist loadgroup, --no-loadscope-reorder: units go out in collection order) each
    xdist group is one unit of work: the groups first, by GROUP_RANK then size, then the single tests, which
    fill in at the end. Tests keep their order within a group and a module.

    loadgroup tells a group's tests by a `@group` suffix that xdist's worker adds to their node ids
    (item._nodeid). From pytest 9.2 a node id is read from item._id, so the suffix was silently lost and
    every group's tests spread over both workers: each worker ran the Spark compare and the corpus's whole
    batch. Where xdist's suffix did not take, it is set here."""
    sizes = Counter(map(_group, items))

    def rank(item: pytest.Item) -> tuple[int, int, str]:
        group = _group(item)
        return (3, 0, "") if group is None else (GROUP_RANK.get(group, 1), -sizes[group], group)
    items.sort(key=rank)
    if getattr(config.option, "loadgroup", False):   # set in an xdist worker under --dist loadgroup
        for item in items:
            group = _group(item)
            if group is not None and not item.nodeid.endswith(f"@{group}") and hasattr(item, "_id"):
                item._id = type(item.id).parse(f"{item.nodeid}@{group}")


def _selects_ipcc_peer(node_ids) -> bool:
    return any(node_id.split("::")[0].endswith("test_differential_ipcc.py") for node_id in node_ids)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the slow external peer of the IPCC differential test (a virtual environment and a
    process that imports bonsai-ipcc) in the background as soon as that test is selected, so its
    wait overlaps the rest of the suite instead of adding to it. Under pytest-xdist the controller
    starts it instead (below), once, not each worker."""
    if hasattr(session.config, "workerinput"):
        return
    if _selects_ipcc_peer(item.nodeid for item in session.items):
        import test_differential_ipcc
        test_differential_ipcc.start_peer()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids) -> None:
    """pytest-xdist's controller, when a worker has collected: start the IPCC peer once; the worker
    that runs the test reads its answer from the file named by the run's id."""
    if _selects_ipcc_peer(ids):
        import test_differential_ipcc
        test_differential_ipcc.start_peer(node.workerinput["testrunuid"])
