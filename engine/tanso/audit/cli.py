"""The audit commands — verify, log, approve, keygen, export --evidence — and the --log/--by options
that `evaluate` and `compare` take to log their runs. Thin: parse, call `tanso.audit`, render."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tanso.cli import lang_option
from tanso.audit import messages  # noqa: F401  (registers the words the commands print)
from tanso.diagnostics import TansoError
from tanso.i18n import t

log_file_option = click.option("--log", "log_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                               help="the workspace log (default: $TANSO_LOG, else tanso-log.jsonl in the folder "
                                    "holding OUT)")
trust_option = click.option("--trust", "trust", multiple=True, type=click.Path(exists=True, path_type=Path),
                            help="public keys (NAME.pub.pem files or folders of them) whose signatures are trusted")
moved_data_option = click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                                 default=None, help="where the run's inputs and factor files are now, if they moved "
                                                    "(default: where it recorded them)")
moved_ruleset_option = click.option("--ruleset", type=click.Path(exists=True, path_type=Path), default=None,
                                    help="where the run's ruleset is now, if it moved (default: where it recorded it)")
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


def log_options(command):
    """--log and --by for a command that writes --out: its run is appended to the log once in place."""
    command = click.option("--by", default=None, help="who ran it, for the log (default: the login name)")(command)
    return log_file_option(command)


def _fail(error: TansoError):
    from tanso.cli import _fail as fail
    fail(error)


def _trusted(trust: tuple[Path, ...]) -> dict[str, bytes] | None:
    from tanso.audit.approvals import load_trusted_keys
    return load_trusted_keys(trust) if trust else None


@click.command()
@click.argument("target", required=False, type=click.Path(path_type=Path))
@log_file_option
@trust_option
@click.option("--head", "pinned_head", default=None, metavar="HASH",
              help="the log must contain this entry hash (from `tanso log --head`): detects removed last entries")
@click.option("--reperform", is_flag=True, help="re-run the recorded ruleset and prove every output byte-identical "
                                               "(with --data and --ruleset where they moved)")
@moved_data_option
@moved_ruleset_option
@format_option
@lang_option
def verify(target: Path | None, log_file: Path | None, trust, pinned_head: str | None, reperform: bool,
           data_dir: Path | None, ruleset: Path | None, fmt: str) -> None:
    """Verify TARGET — a run folder or an evidence pack (.zip) — and/or the log (--log).

    Exit 0 verified, 8 altered (or signed by an untrusted key), 9 cannot verify."""
    from tanso.audit.checks import verify_folder, verify_log
    from tanso.audit.evidence import verify_pack
    from tanso.audit.report import Report
    if target is None and log_file is None:
        raise click.UsageError("give a run folder, an evidence pack, or --log FILE")
    if (data_dir or ruleset) and not reperform:
        raise click.UsageError("--data and --ruleset go with --reperform")
    if reperform and target is None:
        raise click.UsageError("--reperform re-runs a run folder or an evidence pack: give its OUT or PACK.zip")
    if (data_dir or ruleset) and target is not None and target.is_file():
        raise click.UsageError("--data and --ruleset say where a run folder's files moved; an evidence pack holds its own")
    try:
        trusted = _trusted(trust)
        if target is None:
            report = verify_log(log_file, trusted, pinned_head)
        elif target.is_dir():
            report = verify_folder(target, log_file, trusted, pinned_head)
            if reperform:
                from tanso.audit.reperform import reperform as run_again
                report.merge(run_again(target, data_dir, ruleset))
        elif target.is_file():
            report = verify_pack(target, trusted, again=reperform)
        else:
            report = Report(str(target))
            report.add("cannot verify", str(target), "no such run folder or evidence pack")
    except TansoError as error:
        _fail(error)
    click.echo(report.as_json() if fmt == "json" else report.text(), nl=False)
    sys.exit(report.exit_code)


@click.command(name="log")
@log_file_option
@trust_option
@click.option("--head", "show_head", is_flag=True, help="print only the last entry's hash, to record elsewhere")
@format_option
@lang_option
def log_command(log_file: Path | None, trust, show_head: bool, fmt: str) -> None:
    """The history of runs, ruleset versions and approvals; drafts first. Exit 8 if the log is altered."""
    import json

    from tanso.audit.checks import history
    from tanso.audit.log import log_path
    from tanso.audit.report import in_language
    try:
        report, lines, logged = history(log_path(None, log_file), _trusted(trust))
    except TansoError as error:
        _fail(error)
    if show_head:
        head = report.details.get("log", {}).get("head")
        if head:
            click.echo(head["hash"])
    elif fmt == "json":
        click.echo(json.dumps({"entries": logged, "drafts": report.status_lines,
                               "verification": json.loads(report.as_json())}, indent=2, default=str))
    else:
        click.echo("".join(f"{line}\n" for line in [*map(in_language, report.status_lines), *lines])
                   + report.text(with_status=False), nl=False)
    sys.exit(report.exit_code)


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--role", required=True, help="preparer, reviewer, approver … (the roles the ruleset requires)")
@click.option("--by", required=True, help="the name of the person signing")
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path), help="their private key (NAME.pem)")
@click.option("--note", default="", help="what was checked, why it is approved")
@log_file_option
@lang_option
def approve(out: Path, role: str, by: str, key_path: Path, note: str, log_file: Path | None) -> None:
    """Sign off the run in OUT: verify it, then append a signed approval of its manifest to the log."""
    from tanso.audit.approvals import approve as sign_off
    try:
        entry, status = sign_off(out, role=role, by=by, key_path=key_path, note=note, log=log_file)
    except TansoError as error:
        _fail(error)
    from tanso.audit.report import in_language
    click.echo(t("approve.done", out=out, role=role, by=by, seq=entry["seq"], key_id=entry["key_id"]))
    click.echo(in_language(status.line()) or "")


@click.command()
@click.option("--out", "name", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="NAME: writes NAME.pem (the private key, mode 0600) and NAME.pub.pem (the public key)")
@lang_option
def keygen(name: Path) -> None:
    """Make an Ed25519 key pair for signing approvals."""
    from tanso.audit.approvals import generate_keys
    try:
        private, public = generate_keys(name)
    except TansoError as error:
        _fail(error)
    click.echo(t("keygen.wrote", private=private, public=public))


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--evidence", "pack", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="write an evidence pack (.zip) of the run here")
@click.option("--with-inputs", is_flag=True, help="include the input files themselves (else their hashes only)")
@moved_data_option
@moved_ruleset_option
@log_file_option
@lang_option
def export(out: Path, pack: Path, with_inputs: bool, data_dir: Path | None, ruleset: Path | None,
           log_file: Path | None) -> None:
    """Bundle a verified run as an evidence pack that `tanso verify PACK.zip` checks offline."""
    from tanso.audit.evidence import write_pack
    try:
        members = write_pack(out, pack, with_inputs=with_inputs, data_dir=data_dir, ruleset=ruleset, log=log_file)
    except TansoError as error:
        _fail(error)
    click.echo(t("export.wrote", pack=pack, members=members))


def register(group: click.Group) -> None:
    for command in (verify, log_command, approve, keygen, export):
        group.add_command(command)
