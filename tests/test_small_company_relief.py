"""The inventory report under the small-company relief (scope3.small_company_relief, draft ruleset): every
category the relevance assessment leaves out is listed with its justification and estimated size, and a
refused one says why — the report never omits a category silently. The rules are tested in
rulesets/ghgp-draft-2026/tests/relief.yaml."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from click.testing import CliRunner

from tanso.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_inventory_lists_each_category_left_out_with_its_justification_size_and_refusal(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "acme" / "data", data)
    (data / "company_size.csv").write_text("row_id,balance_sheet_eur,net_turnover_eur,employees\n"
                                           "S1,4100000.00,12500000.00,45\n", encoding="utf-8")
    justifications = {"8": "no assets leased upstream", "13": "one small sublease", "14": ""}

    def leave_out(row: dict) -> None:
        if row["category"] in justifications:
            row["relevant"], row["justification"] = "false", justifications[row["category"]]
    _rewrite(data / "scope3_relevance.csv", leave_out)
    with (data / "scope3_estimates.csv").open("a", encoding="utf-8") as handle:
        handle.write("X8,8,leased warehouse heating,proxy,57111\n")
    result = CliRunner().invoke(main, ["evaluate", str(ROOT / "rulesets" / "ghgp-draft-2026"), "--data", str(data),
                                       "--format", "inventory", "--set", "scope3.small_company_relief=true",
                                       "--allow-rejects"])
    assert result.exit_code == 0, result.output
    assert ("  category 8 (Upstream leased assets) not reported under the small-company relief "
            "(scope3.small_company_relief): no assets leased upstream; estimated 57.111 t CO2e (scope3_estimates, "
            "1 row)") in result.output
    assert ("  REFUSED: category 14 (Franchises) is left out under the relief without a justification"
            in result.output)
    # Acme's data computes both categories: the check names them rather than hiding either figure
    assert "category 8 (Upstream leased assets) is left out under the small-company relief" in result.output
    assert ("category 13 (Downstream leased assets) is left out under the small-company relief (scope3_relevance) "
            "but its rules compute 1 ledger row, 5.292 t CO2e") in result.output
