"""The same inputs give byte-identical summaries and the same digest, run after run and on any
number of threads."""

from __future__ import annotations

import contextlib
import json
import random
import time
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, ACME_RULESET, FUEL_FACTORS, REPO, fuel_row, fuel_ruleset, make_case
from tanso.cli import main
from tanso.run import evaluate, export, prepare


def run_acme(out_dir, threads=None):
    prepared = prepare(ACME_RULESET)
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, ACME_DATA, out_dir / "run", threads=threads)
    export(result, out_dir / "csv", "csv")
    return result


def test_evaluating_acme_twice_gives_byte_identical_summaries_and_the_same_digest(tmp_path):
    first, second = run_acme(tmp_path / "a"), run_acme(tmp_path / "b")
    assert first.digest == second.digest
    assert (tmp_path / "a/csv/summary.csv").read_bytes() == (tmp_path / "b/csv/summary.csv").read_bytes()
    assert (tmp_path / "a/csv/rejects.csv").read_bytes() == (tmp_path / "b/csv/rejects.csv").read_bytes()
    assert (tmp_path / "a/csv/excluded.csv").read_bytes() == (tmp_path / "b/csv/excluded.csv").read_bytes()


def test_acme_on_one_thread_and_on_two_threads_is_identical(tmp_path):
    one, two = run_acme(tmp_path / "t1", threads=1), run_acme(tmp_path / "t2", threads=2)
    assert one.digest == two.digest
    assert one.summary == two.summary
    for name in ("summary.csv", "factors.csv", "ruleset/acme.tanso", "manifest.json"):
        assert (tmp_path / "t1/csv" / name).read_bytes() == (tmp_path / "t2/csv" / name).read_bytes(), name


def test_every_output_file_is_the_same_bytes_from_any_working_folder_spelling_and_thread_count(tmp_path):
    """Acme with both reports, once on one thread from the repository with relative paths, once on two threads
    from elsewhere with absolute ones, a second later: every file but manifest.json is the same bytes, and the
    manifests differ only in the invocation as typed (and their digest of their own content, which covers it)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    common = ["--out-format", "parquet", "--report", "html,xlsx", "--allow-rejects"]
    for cwd, ruleset, data, out, threads in ((REPO, "./rulesets/ghgp-current/", "examples/acme/data", tmp_path / "one", "1"),
                                             (elsewhere, REPO / "rulesets" / "ghgp-current", ACME_DATA, "../two", "2")):
        with contextlib.chdir(cwd):
            outcome = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--out", str(out),
                                                "--threads", threads, *common])
        assert outcome.exit_code == 0, outcome.output
        time.sleep(1.1)   # a clock's second apart
    one, two = tmp_path / "one", tmp_path / "two"
    names = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(two)) for p in two.rglob("*") if p.is_file())
    assert {"report.html", "report.xlsx", "ledger.parquet", "summary.parquet"} <= set(names)
    assert [n for n in names if (one / n).read_bytes() != (two / n).read_bytes()] == ["manifest.json"]
    first, second = (json.loads((out / "manifest.json").read_text()) for out in (one, two))
    for manifest in (first, second):
        del manifest["invocation"], manifest["canonical_sha256"]
    assert first == second


def test_the_digest_is_recorded_in_the_manifest(tmp_path):
    result = run_acme(tmp_path)
    assert result.manifest["digest"] == result.digest
    assert len(result.digest) == 64


def test_the_digest_covers_what_the_checks_conclude(tmp_path):
    """Same ledger, rejects, excluded, summary and metrics; only a check's verdict differs: another digest.
    A check's title is wording, not an outcome: it leaves the digest alone."""
    def digest(check: str) -> str:
        case = make_case(tmp_path / str(len(list(tmp_path.iterdir()))), fuel_ruleset(extra=check),
                         {"fuel_use": [fuel_row("F1", "100"), fuel_row("F2", "5")]}, {"fuels": FUEL_FACTORS})
        prepared = prepare(case.ruleset)
        return evaluate(prepared.ruleset, prepared.registry, prepared.graph, case.data, case.root / "out").digest

    passes = digest('check s1.rows "Fuel rows present" = rows(scope: 1) >= 2\n')
    fails = digest('check s1.rows "Fuel rows present" = rows(scope: 1) >= 3\n')
    retitled = digest('check s1.rows "At least two fuel rows" = rows(scope: 1) >= 2\n')
    assert passes != fails
    assert passes == retitled


LARGE_ROWS = 200_000
SCHEMA = pa.schema([("row_id", pa.string()), ("entity", pa.string()), ("period", pa.string()), ("fuel", pa.string()),
                    ("use", pa.string()), ("quantity", pa.decimal128(18, 6)), ("unit", pa.string())])


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("determinism")


@pytest.fixture(scope="module")
def large_case(tmp_path_factory):
    """200k fuel rows with six decimal places, in Parquet, in several units and a few bad rows."""
    rng = random.Random(20251231)
    units = ["l", "gal", "m3", "ml", "kWh"]
    columns = {name: [] for name in SCHEMA.names}
    for i in range(LARGE_ROWS):
        columns["row_id"].append(f"F{i:07d}")
        columns["entity"].append(f"E{i % 7}")
        columns["period"].append(f"2025-{1 + i % 12:02d}")
        columns["fuel"].append("diesel" if i % 101 else "coal")
        columns["use"].append("stationary")
        columns["quantity"].append(Decimal(rng.randrange(-10**6, 10**12)).scaleb(-6))
        columns["unit"].append(units[i % len(units)])
    case = make_case(tmp_path_factory.mktemp("large"), fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    pa_table = pa.Table.from_pydict(columns, schema=SCHEMA)
    pq.write_table(pa_table, case.data / "fuel_use.parquet", row_group_size=16_384)
    return case


def test_a_large_parquet_input_gives_the_same_digest_summary_and_ledger_bytes_on_one_and_two_threads(
        large_case, tmp_path):
    one = large_case.run("t1", threads=1)
    two = large_case.run("t2", threads=2)
    assert one.ledger_rows > 2 * 122_880 and one.rejects_count > 0   # several row groups, written in parallel
    assert one.digest == two.digest
    assert one.ledger_path.read_bytes() == two.ledger_path.read_bytes()
    assert one.summary == two.summary
    export(one, tmp_path / "one", "csv")
    export(two, tmp_path / "two", "csv")
    assert (tmp_path / "one/summary.csv").read_bytes() == (tmp_path / "two/summary.csv").read_bytes()
