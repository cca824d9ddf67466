"""A run's digest and outputs do not depend on where the data folder is or how it was given (issue #13).

Reject and exclusion reasons and check and metric findings name the file a row came from; they are
outputs and enter the digest, so they name it relative to the data folder (`fuel/2025-02.csv row 3`),
as the manifest names each input and factor file; the manifest's invocation records the folder itself. Before, the same data gave another digest from another
folder. Real runs through the CLI, no mock.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from audit_helpers import cli
from conftest import FUEL_FACTORS, factor_rows, fuel_row, write_csv

OUTPUTS = ("ledger.parquet", "ledger.csv", "rejects.csv", "excluded.csv", "summary.csv")

RULESET = """\
ruleset portable
set gwp.set = AR5
input fuel_use "Fuel, delivered as one file a month" file "fuel/*.csv"
  key row_id
  columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text
factors fuels "fuel factors" file "factors/fuels.csv"
rule s1.fuel "Fuel combustion"
  scope 1
  from fuel_use where use = "stationary"
  calc fuel_combustion(factors: fuels)
metric foreign_entities "Entities not ours" = outside(fuel_use.entity, allowed: ["E1"])
check s1.entities "Only our entities burn fuel" = outside(fuel_use.entity, allowed: ["E1"]) = 0
"""


def portable_case(root: Path) -> tuple[Path, Path]:
    """(ruleset folder, data folder) under `root`: two monthly parts, the second with a value that is not a
    number, a duplicate row id, a row with no `use` and an entity the check flags — each message names a file."""
    (root / "ruleset").mkdir(parents=True)
    (root / "ruleset" / "portable.tanso").write_text(RULESET)
    data = root / "data"
    write_csv(data / "fuel" / "2025-01.csv", [fuel_row("F1", "100"), fuel_row("F2", "250.5")])
    write_csv(data / "fuel" / "2025-02.csv", [
        fuel_row("F3", "6x6", period="2025-02"), fuel_row("F4", "42", period="2025-02"),
        fuel_row("F4", "43", period="2025-02"), fuel_row("F5", "7", use="", period="2025-02"),
        fuel_row("F6", "12", entity="E9", period="2025-02")])
    write_csv(data / "factors" / "fuels.csv", factor_rows(FUEL_FACTORS))
    return root / "ruleset", data


def evaluate(cwd: Path, ruleset: Path, data: Path | str, out: Path) -> dict:
    result = cli("evaluate", ruleset, "--data", data, "--out", out, "--allow-rejects", cwd=cwd)
    assert result.exit_code == 0, result.output
    return json.loads((out / "manifest.json").read_text())


def test_the_same_data_given_relative_absolute_or_through_a_symlink_gives_one_digest_and_the_same_bytes(tmp_path):
    ruleset, first = portable_case(tmp_path / "a")
    second = Path(shutil.copytree(first, tmp_path / "elsewhere" / "b" / "inputs"))
    (tmp_path / "link").symlink_to(second, target_is_directory=True)
    runs = {"relative": evaluate(tmp_path, ruleset, "a/data", tmp_path / "out-relative"),
            "absolute": evaluate(tmp_path, ruleset, second.resolve(), tmp_path / "out-absolute"),
            "symlink": evaluate(tmp_path, ruleset, "link", tmp_path / "out-symlink")}
    assert len({m["digest"] for m in runs.values()}) == 1
    assert len({json.dumps([m["checks"], m["completeness"]["groups"][0]["reasons"]]) for m in runs.values()}) == 1
    for name in OUTPUTS:
        assert len({(tmp_path / f"out-{how}" / name).read_bytes() for how in runs}) == 1, name
    # The manifest's invocation still says where each run read its data; its files are named under that folder.
    assert runs["symlink"]["invocation"]["data"] == "link"
    assert runs["absolute"]["invocation"]["data"] == str(second.resolve())
    assert runs["absolute"]["inputs"]["fuel_use"]["parts"][1]["file"] == "fuel/2025-02.csv"


def test_reasons_and_findings_name_the_file_under_the_data_folder_and_its_own_row(tmp_path):
    ruleset, data = portable_case(tmp_path)
    manifest = evaluate(tmp_path, ruleset, data, tmp_path / "out")
    reasons = (tmp_path / "out" / "rejects.csv").read_text()
    assert "fuel/2025-02.csv row 1: column quantity: '6x6' is not a number" in reasons
    assert "fuel/2025-02.csv row 2: column row_id: duplicate row id 'F4' (rows 4, 5)" in reasons
    assert "fuel/2025-02.csv row 4: column use: missing value" in reasons
    assert str(tmp_path) not in reasons
    flagged = "entity 'E9' is not allowed: 1 row at fuel/2025-02.csv row 5"
    assert [c["findings"] for c in manifest["checks"]] == [[flagged]]


def test_a_run_re_performed_from_a_moved_data_folder_is_byte_identical(tmp_path):
    ruleset, data = portable_case(tmp_path / "ws")
    evaluate(tmp_path / "ws", Path("ruleset"), "data", tmp_path / "ws" / "out")
    moved = shutil.move(data, tmp_path / "archive" / "2025-inputs")
    result = cli("verify", tmp_path / "ws" / "out", "--reperform", "--data", moved, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "every output byte-identical" in result.stdout


def test_a_run_that_named_its_data_folder_absolutely_is_re_performed_through_a_symlink_at_that_path(tmp_path):
    ruleset, data = portable_case(tmp_path / "ws")
    evaluate(tmp_path / "ws", Path("ruleset"), data, tmp_path / "ws" / "out")
    moved = Path(shutil.move(data, tmp_path / "archive"))
    refused = cli("verify", tmp_path / "ws" / "out", "--reperform", "--data", moved)
    assert refused.exit_code == 9, refused.output
    assert f"{data}: the run named its data folder by this absolute path" in refused.stdout
    assert f"or a symlink to {moved}, and re-perform without --data" in refused.stdout
    data.symlink_to(moved, target_is_directory=True)
    result = cli("verify", tmp_path / "ws" / "out", "--reperform")
    assert result.exit_code == 0, result.output
    assert "every output byte-identical" in result.stdout
