"""`tanso init` (a new project that evaluates and tests from the start) and `tanso fmt` (one layout for rulesets)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from tanso.cli import _write_failed

# The scaffold: a ruleset, its data and a fictional factor file (cited as such), and a YAML test that passes.
# 100 l of diesel under AR5: 268 kg CO2 + 0.011 kg CH4 × 28 + 0.0022 kg N2O × 265 = 268.891 kg CO2e.
SCAFFOLD: dict[str, str] = {
    "tanso.toml": """\
# Defaults for tanso commands run in this folder or below it; a flag or a TANSO_* variable overrides
# them (see `tanso docs --page command-line`).
data = "data"
out = "out"
""",
    "ruleset/ruleset.tanso": """\
# A first ruleset: `tanso evaluate ruleset` (data and out come from tanso.toml), `tanso test ruleset`,
# `tanso docs` for every calculator, option and the test format, `tanso fmt ruleset` to lay it out.
ruleset my_inventory "My company's inventory"
  status draft  as_of 2025-12-31

set gwp.set = AR5  source "IPCC Fifth Assessment Report (2014), 100-year GWP"

# One file per input table in the data folder: data/fuel_use.csv. A row that does not fit the
# declared types is rejected, naming file, row and column.
input fuel_use "Fuel burned at our sites"
  key row_id
  columns entity: text required, period: text, fuel: text, use: text in ("stationary", "mobile"),
          quantity: decimal(18,6) >= 0, unit: text

# Columns factor_id, fuel, gas, value, unit, per and the provenance: publisher, edition, licence.
factors fuels "Combustion factors (fictional, replace with your publisher's)" file "factors/fuels.csv"

rule s1.stationary "Stationary combustion"
  scope 1
  from fuel_use where use = "stationary"
  calc fuel_combustion(factors: fuels)

rule s1.mobile "Mobile combustion"
  scope 1
  from fuel_use where use = "mobile"
  calc fuel_combustion(factors: fuels)
  tags fleet

check s1.has_rows "Every fuel row is computed" = rows(scope: 1) >= 3
""",
    "ruleset/tests/scope1.yaml": """\
# Run with `tanso test ruleset` or `pytest`. `given` replaces a table of the data folder; amounts are
# kg CO2e, exact. 100 l of diesel under AR5: 268 kg CO2 + 0.011 kg CH4 x 28 + 0.0022 kg N2O x 265.
- name: one stationary diesel row
  data: ../../data
  given:
    fuel_use:
      - {row_id: T1, entity: HQ, period: 2025-01, fuel: diesel, use: stationary, quantity: 100, unit: l}
  expect:
    rules: {s1.stationary: 268.891}
    rejects_count: 0

- name: the example data
  data: ../../data
  expect:
    total: 2129.7402
    checks: {s1.has_rows: true}
""",
    "data/fuel_use.csv": """\
row_id,entity,period,fuel,use,quantity,unit
F1,HQ,2025-01,natural_gas,stationary,500,m3
F2,HQ,2025-02,natural_gas,stationary,450,m3
F3,HQ,2025-01,diesel,mobile,120,l
""",
    "data/factors/fuels.csv": """\
factor_id,fuel,gas,value,unit,per,publisher,edition,licence
DIESEL-CO2,diesel,CO2,2.68,kg,l,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
DIESEL-CH4,diesel,CH4,0.11,g,l,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
DIESEL-N2O,diesel,N2O,0.022,g,l,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
NG-CO2,natural_gas,CO2,1.9,kg,m3,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
NG-CH4,natural_gas,CH4,0.04,g,m3,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
NG-N2O,natural_gas,N2O,0.004,g,m3,Tanso scaffold (fictional values: replace with a real publisher's),2025,CC0-1.0
""",
}


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create DIRECTORY with a ruleset, a data folder, a factor file and a YAML test that pass:
    `tanso evaluate ruleset` and `tanso test ruleset` (or `pytest`) work in it at once."""
    target = directory.resolve()
    if target.exists() and any(target.iterdir()):
        raise click.UsageError(f"{directory} exists and is not empty; give a new folder")
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tanso-init.", dir=target.parent))
        for name, text in SCAFFOLD.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")
        if target.exists():   # an empty folder (e.g. `tanso init .`): its new entries, each whole
            for entry in staging.iterdir():
                os.replace(entry, target / entry.name)
        else:
            os.replace(staging, target)   # all of it, or nothing
    except OSError as error:
        _write_failed(error)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    click.echo(f"created {directory}: ruleset/ruleset.tanso, ruleset/tests/scope1.yaml, data/fuel_use.csv, "
               f"data/factors/fuels.csv, tanso.toml\nnext: cd {directory} && tanso evaluate ruleset && "
               f"tanso test ruleset")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="change nothing; exit 1 when a file is not formatted (for CI)")
def fmt(paths: tuple[Path, ...], check: bool) -> None:
    """Lay out the .tanso files in PATHS (files or folders) one way; whitespace only, comments kept.

    A file that does not parse is reported and left as it is (exit 1)."""
    from tanso.dsl.format import FormatError, format_file
    files = sorted({f for p in paths for f in ([p] if p.is_file() else p.rglob("*.tanso"))})
    if not files:
        raise click.UsageError(f"no .tanso file in {', '.join(map(str, paths))}")
    unformatted, failed = [], []
    for file in files:
        try:
            text, formatted = format_file(file)
        except FormatError as error:
            click.echo(error.diagnostics.render() if error.diagnostics else f"error: {error}", err=True, nl=False)
            failed.append(file)
            continue
        except (OSError, UnicodeDecodeError) as error:
            click.echo(f"error: cannot read {file}: {error}", err=True)
            failed.append(file)
            continue
        if formatted == text:
            continue
        unformatted.append(file)
        if not check:
            try:
                partial = file.with_name(f".{file.name}.partial")
                partial.write_text(formatted, encoding="utf-8")
                os.replace(partial, file)
            except OSError as error:
                _write_failed(error)
    verb = "would reformat" if check else "reformatted"
    for file in unformatted:
        click.echo(f"{verb} {file}")
    click.echo(f"{len(unformatted)} of {len(files)} file{'s' if len(files) != 1 else ''} {verb}"
               + (f"; {len(failed)} not read (above), left as they are" if failed
                  else "" if unformatted else " (all formatted)"))
    sys.exit(1 if failed or (check and unformatted) else 0)


def register(group: click.Group) -> None:
    for command in (init, fmt):
        group.add_command(command)
