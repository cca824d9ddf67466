"""The cached syntax tree of a .tanso file is only a shortcut: a tree read back equals the parsed one,
its spans name the file as it is called now, and a damaged, foreign or hostile entry is ignored and
the file parsed again."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from tanso.diagnostics import Diagnostics
from tanso.dsl import parse_cache
from tanso.dsl.parser import parse_text

REPO = Path(__file__).resolve().parents[1]
TEXT = (REPO / "rulesets" / "ghgp-current" / "scope1.tanso").read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TANSO_CACHE_DIR", str(tmp_path))
    parse_cache._folder.cache_clear()
    yield tmp_path / "ast"
    parse_cache._folder.cache_clear()


def _parse(text: str, name: str):
    diagnostics = Diagnostics()
    module = parse_text(text, name, diagnostics)
    return module, diagnostics


def _entry(cache: Path) -> Path:
    (entry,) = [p for p in cache.iterdir() if not p.name.startswith(".")]
    return entry


def test_a_tree_read_back_equals_the_parsed_one_and_names_the_file_as_called_now(cache):
    parsed, _ = _parse(TEXT, "a/scope1.tanso")
    entry = _entry(cache)
    assert parse_cache.load(TEXT, "a/scope1.tanso") == parsed
    moved = parse_cache.load(TEXT, "b/renamed.tanso")
    assert moved is not None and moved.path == Path("b/renamed.tanso")
    assert {s.span.file for s in moved.statements} == {"b/renamed.tanso"}
    assert moved == _parse(TEXT, "b/renamed.tanso")[0] and _entry(cache) == entry   # one entry per text


def test_another_text_misses(cache):
    _parse(TEXT, "scope1.tanso")
    assert parse_cache.load(TEXT + "\n# a comment\n", "scope1.tanso") is None


def _damaged(data: bytes) -> dict[str, bytes]:
    start = len(parse_cache.HEADER) + 64
    payload = data[start:]
    flipped = bytearray(data)
    flipped[start + len(payload) // 2] ^= 0xFF
    # A valid header, key and checksum around a pickle that would run code: refused by class.
    hostile = pickle.dumps(os.system)
    # A valid pickle of something other than a syntax tree.
    other = pickle.dumps(("not", "a", "module"))
    return {"torn": data[: len(data) // 2], "flipped byte": bytes(flipped), "empty": b"",
            "other version": b"tanso-ast 0\n" + data[len(parse_cache.HEADER):],
            "hostile": data[:len(parse_cache.HEADER) + 32] + hashlib.sha256(hostile).digest() + hostile,
            "not a module": data[:len(parse_cache.HEADER) + 32] + hashlib.sha256(other).digest() + other}


@pytest.mark.parametrize("damage", list(_damaged(b"x" * 200)))
def test_a_damaged_or_hostile_entry_is_ignored_and_rebuilt(cache, damage):
    parsed, _ = _parse(TEXT, "scope1.tanso")
    entry = _entry(cache)
    entry.write_bytes(_damaged(entry.read_bytes())[damage])
    assert parse_cache.load(TEXT, "scope1.tanso") is None
    assert _parse(TEXT, "scope1.tanso")[0] == parsed         # parsed again …
    assert parse_cache.load(TEXT, "scope1.tanso") == parsed  # … and the entry rewritten


def test_an_entry_of_another_text_under_this_name_is_ignored(cache):
    other = TEXT.replace("s1.mobile ", "s1.moved ")
    _parse(other, "scope1.tanso")
    foreign = _entry(cache).read_bytes()
    _entry(cache).unlink()
    (cache / hashlib.sha256(parse_cache._code_key() + TEXT.encode()).hexdigest()).write_bytes(foreign)
    assert parse_cache.load(TEXT, "scope1.tanso") is None


def test_a_file_with_syntax_errors_is_not_cached_and_reports_the_same_each_time(cache):
    broken = TEXT.replace("  scope 1\n", "  scope 1\n  scope 1\n", 1).replace("calc activity(", "calc activity((", 1)
    first, second = _parse(broken, "scope1.tanso")[1].render(), _parse(broken, "scope1.tanso")[1].render()
    assert first == second and "'scope' is given twice" in first and "unexpected" in first
    assert not cache.exists() or not list(cache.iterdir())


def test_check_output_is_the_same_from_a_cold_and_a_warm_cache(tmp_path):
    """Spans of the diagnostics computed after parsing (here an unknown factor set) come from the cache."""
    ruleset = tmp_path / "rs"
    ruleset.mkdir()
    for path in (REPO / "rulesets" / "ghgp-current").glob("*.tanso"):
        text = path.read_text(encoding="utf-8")
        (ruleset / path.name).write_text(text.replace("factors: process_gases,", "factors: process_gasez,"),
                                         encoding="utf-8")
    env = {**os.environ, "TANSO_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(REPO / "engine"), str(REPO / "plugins")])}
    runs = [subprocess.run([sys.executable, "-m", "tanso.cli", "check", "rs"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]
    assert runs[0].stderr == runs[1].stderr and "rs/scope1.tanso:" in runs[0].stderr
    assert "process_gasez" in runs[0].stderr
    assert len(list((tmp_path / "cache" / "ast").iterdir())) == len(list(ruleset.glob("*.tanso")))


def test_a_name_of_any_length_and_script_is_put_back_in_every_span(cache, monkeypatch):
    _parse(TEXT, "scope1.tanso")
    name = "排出量/" + "長い名前" * 40 + "/scope1.tanso"   # > 255 bytes of UTF-8
    module = parse_cache.load(TEXT, name)
    for function in ("load", "store"):   # parsed under its own name, the cache neither read nor written
        monkeypatch.setattr(parse_cache, function, lambda *args: None)
    assert module == _parse(TEXT, name)[0] and module.path == Path(name)


def test_a_text_holding_the_placeholder_is_parsed_under_its_own_name_and_not_cached(cache):
    text = TEXT + f"# {parse_cache.PLACEHOLDER}\n"
    module, diagnostics = _parse(text, "scope1.tanso")
    assert not diagnostics.errors and {s.span.file for s in module.statements} == {"scope1.tanso"}
    assert not cache.exists() or not list(cache.iterdir())
