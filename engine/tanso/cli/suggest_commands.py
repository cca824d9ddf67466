"""`tanso suggest`: propose factors for an input column's free text; `confirm`, `reject`, `accept`
record a person's decisions. Only confirmed mappings reach the lookup table the rules read."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso.cli import _fail, lang_option, overlay_option, ruleset_argument
from tanso.diagnostics import TansoError

EXIT_UNAVAILABLE = 69
SHOWN = 20


class _DefaultGroup(click.Group):
    """`tanso suggest RULESET …` runs `propose`; `tanso suggest confirm …` the named command."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["propose", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup)
def suggest() -> None:
    """Propose factors for an input's free-text column (`tanso suggest RULESET …`), then confirm them."""


def _needs_extra():
    try:
        import openpyxl  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError:
        click.echo("error: tanso suggest needs scikit-learn and openpyxl: pip install 'tanso[suggest]'", err=True)
        sys.exit(EXIT_UNAVAILABLE)


mapping_argument = click.argument("mapping", type=click.Path(dir_okay=False, path_type=Path))
review_option = click.option("--review", type=click.Path(dir_okay=False, path_type=Path), default=None,
                             help="the review table (.csv or .xlsx); default MAPPING's name with .review.csv")
by_option = click.option("--by", default=None, help="who decides (default: the login name)")
log_option = click.option("--log", "log", type=click.Path(dir_okay=False, path_type=Path), default=None,
                          help="the workspace log (default $TANSO_LOG, else tanso-log.jsonl beside MAPPING's folder)")


@suggest.command(name="propose")
@ruleset_argument
@overlay_option
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--input", "table", required=True, help="the input table whose column to read, e.g. general_ledger")
@click.option("--column", required=True, help="its free-text column, e.g. description")
@click.option("--unit-column", default=None, help="the column of each row's unit (e.g. unit, currency)")
@click.option("--unit", default=None, help="the unit of every row where no column says it (e.g. JPY)")
@click.option("--quantity", default=None, help="a column to total per item in the review table (e.g. amount)")
@click.option("--mapping", "mapping", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the lookup table of confirmed mappings the rules read, e.g. data/item_map.csv")
@review_option
@click.option("--factors", "sets", multiple=True, metavar="SET",
              help="suggest only from this factor set (repeatable; default: the ruleset's and every shipped one)")
@click.option("--refresh", is_flag=True,
              help="propose again for rows still 'suggested' (e.g. after adding a factor set); decisions are kept")
@click.option("--top", default=3, show_default=True, type=click.IntRange(1, 10), help="suggestions kept per item")
@lang_option
def propose(ruleset: Path, overlays, data_dir: Path, table: str, column: str, unit_column, unit, quantity,
            mapping: Path, review: Path | None, sets: tuple[str, ...], refresh: bool, top: int) -> None:
    """Rank the factors RULESET can use for each distinct value of --input's --column; write them to the
    review table (keeping every row already there) and the confirmed ones to --mapping."""
    _needs_extra()
    import duckdb

    from tanso.run import prepare
    from tanso.suggest import distinct_items, load_matcher, mapping as maps
    path = maps.review_path(mapping, review)
    try:
        prepared = prepare(ruleset, overlays=overlays)
        con = duckdb.connect()
        items = distinct_items(con, prepared.registry, prepared.ruleset, data_dir, table, column, unit_column, unit,
                               quantity)
        matcher, skipped = load_matcher(prepared.ruleset, prepared.registry, data_dir, con, sets)
        with maps.locked(path):
            key, existing = maps.read(path) if path.exists() else (column, [])
            if key != column:
                raise TansoError(f"{path} maps column '{key}', not '{column}': give another --review")
            if refresh:
                existing = [r for r in existing if r["status"] != "suggested"]
            known = {(r[key], r.get("unit", "")) for r in existing}
            new = [i for i in items if (i.text, i.unit or "") not in known]
            ranked = matcher.suggest([i.text for i in new], [i.unit for i in new], top)
            rows, proposed = maps.merge(key, existing, items, {(i.text, i.unit or ""): r for i, r in zip(new, ranked)})
            confirmed = maps.write_lookup(mapping, key, rows)   # first: a refused lookup leaves the review as it was
            maps.write(path, key, rows)
    except TansoError as error:
        _fail(error)
    for line in skipped:
        click.echo(f"note: factor set {line}", err=True)
    click.echo(f"{len(items):,} items in {table}.{column}; {proposed:,} proposed, "
               f"{len(items) - proposed:,} already in {path} (kept as they were); {confirmed:,} confirmed in {mapping}")
    for item, suggestions in list(zip(new, ranked))[:SHOWN]:
        click.echo(f"  {item.text} [{item.unit or 'unit?'}, {item.rows} row{'s' if item.rows != 1 else ''}]")
        for n, s in enumerate(suggestions, start=1):
            click.echo(f"    {n}) {s.candidate.label} per {s.candidate.per}  score {s.score:.3f}  ({s.reason})")
        if not suggestions:
            click.echo(f"    {maps.none_reason(item.unit)}")
    if len(new) > SHOWN:
        click.echo(f"  … and {len(new) - SHOWN:,} more in {path}")
    click.echo(f"confirm with `tanso suggest confirm {mapping} ITEM…` (or edit status in {path}, then "
               f"`tanso suggest accept {mapping}`)")


def _decide(mapping: Path, review: Path | None, items: tuple[str, ...], status: str, by: str | None, log: Path | None,
            factor: str | None = None) -> None:
    from tanso.audit.log import current_user, utc_now
    from tanso.suggest import mapping as maps
    path = maps.review_path(mapping, review)
    try:
        with maps.locked(path):
            key, rows = maps.read(path)
            who, when = current_user(by), utc_now()
            if items:
                changed = maps.decide(path, key, rows, items, status, who, when, factor)
            else:   # accept: the rows a person edited in the file since the last decision recorded
                changed = maps.edited(rows, who, when)
            confirmed = maps.write_lookup(mapping, key, rows)   # first: a refused lookup leaves the review as it was
            maps.write(path, key, rows)
            entry = _log(mapping, path, log, who, key, changed) if changed else None
    except TansoError as error:
        _fail(error)
    for row in changed:
        click.echo(f"{row['status']}: {row[key]} [{row.get('unit') or 'unit?'}] → {row['factor_set']}: {row['factor']}")
    click.echo(f"{len(changed):,} decision{'s' if len(changed) != 1 else ''} recorded by {who}; {confirmed:,} confirmed "
               f"mapping{'s' if confirmed != 1 else ''} in {mapping}" + (f"; logged as entry {entry['seq']} of the workspace log" if entry else ""))


def _log(mapping: Path, review: Path, log: Path | None, who: str, key: str, rows) -> dict:
    """One entry of the hash-chained workspace log: who decided what, and the files' digests after."""
    from tanso.audit.log import log_path, open_for_append, out_reference
    from tanso.audit.report import sha256_bytes
    path = log_path(mapping.parent, log)
    with open_for_append(path) as book:
        return book.append({"type": "mapping", "user": who, "mapping": out_reference(mapping, path),
                            "review": out_reference(review, path),
                            "decisions": [{"item": r[key], "unit": r.get("unit", ""), "status": r["status"],
                                           "factor_set": r["factor_set"], "factor": r["factor"]} for r in rows],
                            "mapping_sha256": sha256_bytes(mapping.read_bytes()),
                            "review_sha256": sha256_bytes(review.read_bytes())})


@suggest.command()
@mapping_argument
@click.argument("items", nargs=-1, required=True)
@click.option("--factor", default=None, help="an alternative's number (2, 3 …) or a factor as 'set: column=value'")
@review_option
@by_option
@log_option
def confirm(mapping: Path, items: tuple[str, ...], factor, review, by, log) -> None:
    """Confirm the suggestion (or --factor) for each ITEM: it reaches MAPPING, which the rules read."""
    _needs_extra()
    _decide(mapping, review, items, "confirmed", by, log, factor)


@suggest.command()
@mapping_argument
@click.argument("items", nargs=-1, required=True)
@review_option
@by_option
@log_option
def reject(mapping: Path, items: tuple[str, ...], review, by, log) -> None:
    """Reject the suggestion for each ITEM: it stays out of MAPPING (its rows are rejected by the rules)."""
    _needs_extra()
    _decide(mapping, review, items, "rejected", by, log)


@suggest.command()
@mapping_argument
@review_option
@by_option
@log_option
def accept(mapping: Path, review, by, log) -> None:
    """Record the statuses and factors edited in the review table (who, when) and rewrite MAPPING from it."""
    _needs_extra()
    _decide(mapping, review, (), "", by, log)


def register(group: click.Group) -> None:
    group.add_command(suggest)
