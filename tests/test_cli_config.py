"""Project defaults: tanso.toml and TANSO_* variables; a flag > its variable > tanso.toml > the default."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from tanso.cli import main
from tanso.cli.config import commands


@pytest.fixture
def project(fuel_case, monkeypatch):
    """The fuel case with a tanso.toml in its root, run from a sub-folder (found in a parent)."""
    (fuel_case.root / "tanso.toml").write_text('data = "data"\nthreads = 1\n\n[evaluate]\nformat = "json"\n')
    work = fuel_case.root / "reports"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("TANSO_CONFIG", raising=False)
    return fuel_case


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def test_tanso_toml_in_a_parent_folder_supplies_the_defaults(project):
    outcome = run("evaluate", project.ruleset)   # --data and --format from tanso.toml
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output)["summary"]


def test_a_variable_beats_tanso_toml_and_a_flag_beats_both(project):
    assert run("evaluate", project.ruleset, env={"TANSO_EVALUATE_FORMAT": "table"}).output.lstrip()[0] != "{"
    outcome = run("evaluate", project.ruleset, "--format", "json", env={"TANSO_EVALUATE_FORMAT": "table"})
    assert outcome.output.startswith("{")


def test_the_short_variable_of_a_project_default(project, tmp_path):
    outcome = run("evaluate", project.ruleset, env={"TANSO_DATA": str(tmp_path / "nowhere")})
    assert outcome.exit_code == 64 and "nowhere" in outcome.output and "does not exist" in outcome.output


@pytest.mark.parametrize("text, message", [
    ("thread = 2\n", "tanso.toml:1: key 'thread' is not a project default"),
    ("data = \"data\"\nthreads = 0\n", "tanso.toml:2: key 'threads': 0 is not a number of threads"),
    ("[evalute]\nformat = \"json\"\n", "tanso.toml:1: [evalute]: no such command; did you mean 'evaluate'?"),
    ("[evaluate]\nfromat = \"json\"\n", "tanso.toml:2: key 'fromat': `tanso evaluate` has no option --fromat; "
                                        "did you mean 'format'?"),
    ("memory_limit = \"lots\"\n", "tanso.toml:1: key 'memory_limit': 'lots' is not a memory size"),
    ("backend = \"excel\"\n", "tanso.toml:1: key 'backend'"),
    ("threads = \n", "not TOML"),
    ("threads = 2.5\n", "tanso.toml:1: key 'threads': 2.5 is not a whole number"),
    ("quiet = \"yes\"\n", "tanso.toml:1: key 'quiet': \"yes\" is not true or false"),
    ("data = 5\n", "tanso.toml:1: key 'data': 5 is not a string"),
    ("[evaluate]\nselect = {a = 1}\n", "tanso.toml:2: key 'select': {\"a\": 1} is not a string"),
])
def test_a_bad_tanso_toml_is_a_usage_error_naming_file_line_and_key(project, text, message):
    (project.root / "tanso.toml").write_text(text)
    outcome = run("evaluate", project.ruleset)
    assert outcome.exit_code == 64
    assert message in outcome.output and "Traceback" not in outcome.output


def test_tanso_config_names_the_file_or_none(project, tmp_path):
    (tmp_path / "other.toml").write_text("thread = 1\n")
    assert run("evaluate", project.ruleset, env={"TANSO_CONFIG": str(tmp_path / "other.toml")}).exit_code == 64
    outcome = run("evaluate", project.ruleset, env={"TANSO_CONFIG": "none"})
    assert outcome.exit_code == 64 and "Missing option '--data'" in outcome.output


def test_every_option_of_every_command_has_a_tanso_variable():
    for path, command in commands(main).items():
        for option in command.params:
            if not isinstance(option, click.Option) or option.is_eager:
                continue
            names = option.envvar if isinstance(option.envvar, list) else [option.envvar]
            assert all(n and n.startswith("TANSO_") for n in names), (path, option.name)


def test_quiet_prints_nothing_but_the_exit_code_tells(fuel_case):
    outcome = run("--quiet", "evaluate", fuel_case.ruleset, "--data", fuel_case.data)
    assert (outcome.exit_code, outcome.output) == (0, "")


def test_verbose_shows_the_tanso_log_and_log_file_keeps_it_at_debug(fuel_case, tmp_path):
    log = tmp_path / "tanso.log"
    outcome = CliRunner().invoke(main, ["-v", "--log-file", str(log), "evaluate", str(fuel_case.ruleset), "--data",
                                        str(fuel_case.data)], catch_exceptions=False)
    assert outcome.exit_code == 0
    assert "INFO tanso.progress: planning s1.fuel (1/1)" in outcome.output
    assert "INFO tanso.run.planner: read fuel_use from" in outcome.output
    assert "DEBUG" not in outcome.output
    assert "DEBUG" in log.read_text()


def test_quiet_and_verbose_together_are_refused():
    assert run("-q", "-v", "plugins").exit_code == 64


def test_a_subcommand_s_table_sets_its_options(tmp_path, monkeypatch):
    from tanso.cli.config import ConfigError, load
    monkeypatch.delenv("TANSO_CONFIG", raising=False)
    (tmp_path / "tanso.toml").write_text('[factors.import]\nlayout = "epa-hub"\n')
    assert load(main, tmp_path).default_map == {"factors": {"import": {"layout_name": "epa-hub"}}}
    (tmp_path / "tanso.toml").write_text('[factors.import]\nlayot = "epa-hub"\n')
    with pytest.raises(ConfigError, match=r"tanso.toml:2: key 'layot': `tanso factors import` has no option --layot; "
                                          r"did you mean 'layout'\?"):
        load(main, tmp_path)


def test_a_tanso_toml_that_is_not_utf8_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TANSO_CONFIG", raising=False)
    (tmp_path / "tanso.toml").write_bytes('data = "données"\n'.encode("latin-1"))
    outcome = run("plugins")
    assert outcome.exit_code == 64 and "tanso.toml: cannot read it" in outcome.output


def test_help_and_version_work_beside_a_bad_tanso_toml(project):
    (project.root / "tanso.toml").write_text("thread = 2\n")
    assert run("--version").exit_code == 0 and run("--help").exit_code == 0
    assert run("plugins").exit_code == 64
