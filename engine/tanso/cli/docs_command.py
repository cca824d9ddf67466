"""`tanso docs`: the reference generated from the installed plugins (calculators, options, reporters, files,
functions, the YAML test format, the command line), printed or written as Markdown pages."""

from __future__ import annotations

from pathlib import Path

import click

from tanso.cli import _fail, _write_failed
from tanso.diagnostics import TansoError


@click.command()
@click.option("--format", "fmt", type=click.Choice(["md"]), default="md", show_default=True,
              help="Markdown (one page per subject)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="write the pages into this folder (e.g. docs/reference), replacing the reference there; "
                   "default: print them")
@click.option("--page", default=None, metavar="NAME",
              help="print only this page (calculators, options, reporters, files, functions, ruleset-tests, "
                   "command-line)")
def docs(fmt: str, out_dir: Path | None, page: str | None) -> None:
    """The reference of the installed plugins and of this command, generated: every calculator (parameters,
    required columns, methods, data types, options read), option, reporter, reader, factor layout, function
    and the YAML ruleset-test format."""
    from tanso.cli import main
    from tanso.diagnostics import did_you_mean
    from tanso.plugins import load_registry
    from tanso.reference import pages
    try:
        generated = pages(load_registry(), main)
    except TansoError as error:
        _fail(error)
    if page is not None:
        names = [n.removesuffix(".md") for n in generated]
        if page.removesuffix(".md") not in names:
            hint = did_you_mean(page, names)
            raise click.BadParameter(f"no page '{page}'; one of {', '.join(names)}" + (f" ({hint})" if hint else ""),
                                     param_hint="--page")
        generated = {f"{page.removesuffix('.md')}.md": generated[f"{page.removesuffix('.md')}.md"]}
    if out_dir is None:
        click.echo("\n".join(generated.values()), nl=False)
        return
    try:
        write_pages(out_dir, generated)
    except OSError as error:
        _write_failed(error)
    click.echo(f"wrote {len(generated)} pages to {out_dir}")


def write_pages(out_dir: Path, generated: dict[str, str]) -> None:
    """Each page written whole (a temporary file renamed into place); a page no longer generated is removed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in out_dir.glob("*.md")) - set(generated):
        (out_dir / stale).unlink()
    for name, text in generated.items():
        partial = out_dir / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(out_dir / name)


def register(group: click.Group) -> None:
    group.add_command(docs)
