"""A third-party plugin, installed as a real distribution, is found through the `tanso` entry points.

The plugin lives in `tests/third_party_plugin/` (distribution `tanso-example-plugin` 0.3.0, package
`tanso_example_plugin`, entry point `example`, calculator `fixed_intensity`). The module fixture
installs it with pip into the running interpreter's environment — no network — and uninstalls it
afterwards, whatever the tests did. Before installing, it checks the ruleset that uses the plugin's
calculator, so the 'unknown calculator' case is seen with the plugin absent.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import importlib.metadata
import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tanso.cli import main
from tanso.plugins import load_registry
from tanso.run import evaluate, prepare

PLUGIN_SOURCE = Path(__file__).resolve().parent / "third_party_plugin"
DIST_NAME = "tanso-example-plugin"
DIST_VERSION = "0.3.0"
PACKAGE = "tanso_example_plugin"

RULESET = '''\
ruleset plugin_demo "Uses a calculator from a third-party plugin"
  status published

input meters "Metered activity"
  key row_id
  columns entity: text, period: text, quantity: decimal(18,6), unit: text

rule s1.fixed "Fixed intensity of 2.5 kg CO2e per unit"
  scope 1
  from meters
  calc fixed_intensity(kg_per_unit: 2.5)
'''

ROWS = [  # row_id, entity, period, quantity, unit
    ("m1", "acme-a", "2025", "100.5", "kWh"),
    ("m2", "acme-a", "2025", "0.000001", "kWh"),
    ("m3", "acme-b", "2025", "12345678.123456", "kWh"),
    ("m4", "acme-b", "2025", "-3", "kWh"),   # negative: rejected by the calculator
]
# 2.5 × (100.5 + 0.000001 + 12345678.123456), exactly; m4 contributes nothing.
EXPECTED_TOTAL = Decimal("30864446.5586425")


def write_project(folder: Path) -> tuple[Path, Path]:
    """A ruleset using `fixed_intensity` and its data folder; returns (ruleset file, data folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    ruleset = folder / "plugin_demo.tanso"
    ruleset.write_text(RULESET, encoding="utf-8")
    data = folder / "data"
    data.mkdir(exist_ok=True)
    with (data / "meters.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row_id", "entity", "period", "quantity", "unit"])
        writer.writerows(ROWS)
    return ruleset, data


# ------------------------------------------------------------------------------ installing


def _installed() -> bool:
    importlib.invalidate_caches()
    try:
        importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)


def _can_build_without_network() -> bool:
    """setuptools builds wheels by itself from 70.1 on; before that it needs the `wheel` package."""
    try:
        import setuptools
    except ImportError:
        return False
    try:
        from setuptools.command import bdist_wheel  # noqa: F401  (setuptools >= 70.1)
        return True
    except ImportError:
        pass
    try:
        import wheel  # noqa: F401
        return True
    except ImportError:
        return False


def _build_wheel(source: Path, out_dir: Path) -> Path:
    """A pure-Python wheel of the plugin built with the standard library, from its pyproject.toml.

    Used only where the environment cannot build with setuptools offline (setuptools < 70.1 and no
    `wheel`, as in a fresh `python -m venv` on Python 3.11); pip still installs and uninstalls it
    as a real distribution.
    """
    project = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = project["name"], project["version"]
    stem = f"{name.replace('-', '_')}-{version}"
    dist_info = f"{stem}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted((source / "src").rglob("*.py")):
        files[path.relative_to(source / "src").as_posix()] = path.read_bytes()
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}",
                f"Summary: {project.get('description', '')}", f"Requires-Python: {project.get('requires-python', '')}"]
    metadata += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    files[f"{dist_info}/METADATA"] = ("\n".join(metadata) + "\n").encode()
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tanso-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entry_points = ""
    for group, points in project.get("entry-points", {}).items():
        entry_points += f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()) + "\n"
    files[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    record = []
    for arcname, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(content)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel_path = out_dir / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, content in files.items():
            archive.writestr(arcname, content)
    return wheel_path


def _forget_plugin_modules() -> None:
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[module]
    importlib.invalidate_caches()


def _uninstall() -> None:
    result = _pip("uninstall", "-y", "--quiet", DIST_NAME)
    _forget_plugin_modules()
    assert not _installed(), f"could not uninstall {DIST_NAME}:\n{result.stdout}\n{result.stderr}"


@dataclass
class Installed:
    before_exit_code: int
    before_output: str
    method: str


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("third-party-plugin")


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory) -> Installed:
    """Check the ruleset without the plugin, then install the plugin; uninstall it at teardown."""
    if _installed():  # left over from an interrupted run
        _uninstall()
    folder = tmp_path_factory.mktemp("before_install")
    ruleset, _ = write_project(folder / "project")
    importlib.invalidate_caches()
    before = CliRunner().invoke(main, ["check", str(ruleset)])

    # Build from a copy: an in-tree setuptools build would leave build/ and *.egg-info in the repository.
    source = folder / "plugin_source"
    shutil.copytree(PLUGIN_SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    if _can_build_without_network():
        method = "setuptools"
        command = ["install", "--no-deps", "--no-build-isolation", "--quiet", str(source)]
    else:
        method = "stdlib wheel"
        command = ["install", "--no-deps", "--no-index", "--quiet", str(_build_wheel(source, folder))]
    try:
        result = _pip(*command)
        assert result.returncode == 0, f"pip {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
        importlib.invalidate_caches()  # installed after interpreter start: make importlib.metadata look again
        yield Installed(before.exit_code, before.output, method)
    finally:
        _uninstall()


# ------------------------------------------------------------------------------ tests


def test_unknown_calculator_before_install(installed_plugin):
    assert installed_plugin.before_exit_code == 1, installed_plugin.before_output
    assert "unknown calculator 'fixed_intensity'" in installed_plugin.before_output


def test_distribution_is_installed(installed_plugin):
    dist = importlib.metadata.distribution(DIST_NAME)
    assert dist.version == DIST_VERSION
    assert [(ep.name, ep.value) for ep in dist.entry_points if ep.group == "tanso"] == \
        [("example", "tanso_example_plugin.plugin")]


def test_registry_lists_the_calculator_with_package_and_version(installed_plugin):
    rows = [r for r in load_registry().implementations() if r.name == "fixed_intensity"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.hook, row.plugin, row.package, row.version) == ("tanso_calculators", "example", DIST_NAME, DIST_VERSION)


def test_tanso_plugins_command_lists_it(installed_plugin):
    result = CliRunner().invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"hook": "tanso_calculators", "name": "fixed_intensity", "plugin": "example",
            "package": DIST_NAME, "version": DIST_VERSION} in rows
    # the built-ins are still there beside it
    assert any(r["name"] == "activity" and r["package"] == "tanso" for r in rows)

    table = CliRunner().invoke(main, ["plugins"], env={"COLUMNS": "200"})   # wide enough for every column
    assert table.exit_code == 0, table.output
    line = next(l for l in table.output.splitlines() if "fixed_intensity" in l)
    assert DIST_NAME in line and DIST_VERSION in line


def test_check_passes_once_installed(installed_plugin, tmp_path):
    ruleset, _ = write_project(tmp_path)
    result = CliRunner().invoke(main, ["check", str(ruleset)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: plugin_demo")


def test_evaluate_with_the_plugin_calculator(installed_plugin, tmp_path):
    ruleset, data = write_project(tmp_path / "project")
    prepared = prepare(ruleset)
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / "out")
    con = result.connection

    assert [(t["scope"], t["category"], t["co2e_kg"]) for t in result.totals] == [(1, None, EXPECTED_TOTAL)]
    assert isinstance(result.totals[0]["co2e_kg"], Decimal)
    assert result.ledger_rows == 3

    ledger = con.execute("SELECT row_id, input_row, entity, period, gas, amount, co2e_kg, quantity, quantity_unit, "
                         "factor_id, factor_set, method, calculator, rule_id FROM run_ledger ORDER BY row_id").fetchall()
    assert [row[0] for row in ledger] == ["m1", "m2", "m3"]
    first = ledger[0]
    assert first[1:] == (1, "acme-a", "2025", "CO2e", Decimal("251.25"), Decimal("251.25"), Decimal("100.5"), "kWh",
                         "fixed", "none", "fixed-intensity", "fixed_intensity", "s1.fixed")
    assert ledger[1][6] == Decimal("0.0000025")  # below the quantity's scale: kept exactly at DECIMAL(38,18)

    rejects = con.execute("SELECT row_id, input_row, rule_id, reason FROM run_rejects").fetchall()
    assert rejects == [("m4", 4, "s1.fixed", "fixed_intensity: quantity is negative (-3.000000)")]
    assert result.rejects_count == 1 and result.excluded_count == 0


def test_missing_quantity_is_rejected(installed_plugin, tmp_path):
    ruleset, data = write_project(tmp_path / "project")
    with (data / "meters.csv").open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(["m5", "acme-b", "2025", "", "kWh"])
    prepared = prepare(ruleset)
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / "out")
    reasons = dict(result.connection.execute("SELECT row_id, reason FROM run_rejects").fetchall())
    assert reasons["m5"] == "fixed_intensity: quantity is missing"
    assert result.totals[0]["co2e_kg"] == EXPECTED_TOTAL


def test_parameters_are_validated(installed_plugin, tmp_path):
    ruleset, _ = write_project(tmp_path)
    ruleset.write_text(RULESET.replace("kg_per_unit: 2.5", "kg_per_unit: -1, quantity: amount"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(ruleset)])
    assert result.exit_code == 1
    assert "fixed_intensity: parameter 'kg_per_unit'" in result.output


def test_plan_types_match_the_contract_without_a_cast(installed_plugin):
    """The plugin's own SQL already has the contract's decimal types, so the engine's cast rounds nothing."""
    import duckdb

    from tanso.contracts import CALC_LEDGER_COLUMNS, CALC_REJECT_COLUMNS
    from tanso.plan.context import CalcContext
    from tanso_example_plugin.plugin import CALCULATORS

    calculator = CALCULATORS[0]
    con = duckdb.connect()
    con.execute("CREATE TABLE src AS SELECT * FROM (VALUES ('a', 1::BIGINT, 1::DECIMAL(5,4), 'e', 'p', 1.5::DECIMAL(18,6), 'kWh'), "
                "('b', 2::BIGINT, 1::DECIMAL(5,4), 'e', 'p', NULL::DECIMAL(18,6), 'kWh'), "
                "('c', 3::BIGINT, 1::DECIMAL(5,4), 'e', 'p', -1::DECIMAL(18,6), 'kWh')) "
                "AS t(_row_id, _row, _boundary_weight, entity, period, quantity, unit)")
    ctx = CalcContext(rule_id="r_0", calculator=calculator.name,
                      parameters=calculator.parameters.model_validate({"kg_per_unit": "0.123456789012"}),
                      policies={}, src="src", columns={"entity": "text", "period": "text", "quantity": "decimal",
                                                       "unit": "text"},
                      query=lambda sql: con.execute(sql).fetchall(), register=None, factor_table=None,
                      input_table=None)
    plan = calculator.compile(ctx)
    ledger_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {plan.ledger})").fetchall())
    assert sorted(ledger_types) == sorted(CALC_LEDGER_COLUMNS)  # the engine selects them by name
    for column in ("amount", "co2e_kg", "quantity"):
        assert ledger_types[column] == CALC_LEDGER_COLUMNS[column], column
    reject_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {plan.rejects})").fetchall())
    assert reject_types == CALC_REJECT_COLUMNS
    assert con.execute(f"SELECT row_id, co2e_kg FROM ({plan.ledger})").fetchall() == [("a", Decimal("0.185185183518"))]
    assert sorted(con.execute(plan.rejects).fetchall()) == [("b", "quantity is missing"),
                                                           ("c", "quantity is negative (-1.000000)")]


def test_the_plugins_own_reason_code_is_said_in_japanese(installed_plugin, tmp_path):
    """A calculator registers its reason (code, English and Japanese) with tanso.i18n.register: rejects.csv
    carries the code beside the English text, the terminal of a --lang ja run says it in Japanese."""
    ruleset, data = write_project(tmp_path / "project")
    ruleset.write_text(RULESET.replace("kg_per_unit: 2.5", "kg_per_unit: 2.5, cap: 1000000"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--out", str(out), "--lang", "ja"])
    assert result.exit_code == 5, result.output   # incomplete: rows rejected, no tolerance stated
    assert ("理由：fixed_intensity：quantity 12345678.123456 はルールの上限 1000000 を超える (1)；"
            "fixed_intensity：quantity が負の値（-3.000000） (1)") in result.output
    with (out / "rejects.csv").open(encoding="utf-8") as handle:
        rows = {row["row_id"]: (row["reason_code"], row["reason"]) for row in csv.DictReader(handle)}
    assert rows == {"m3": ("fixed_intensity.above_cap",
                           "fixed_intensity: quantity 12345678.123456 is above the rule's cap of 1000000"),
                    "m4": ("negative_quantity", "fixed_intensity: quantity is negative (-3.000000)")}
