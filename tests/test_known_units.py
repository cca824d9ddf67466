"""Cached answers to "is this a unit?" (what `tanso check` asks of `accept rejects … up to N "unit"`) are the
answers pint gives; an unreadable or malformed answers file is ignored and rewritten."""

from __future__ import annotations

import json

import pytest

from tanso.plan import known_units, units

ASKED = ["kg", "MMBtu", "ton", "furlongs_per_fortnight_squared", "", "USD"]


@pytest.fixture
def answers_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TANSO_CACHE_DIR", str(tmp_path))
    known_units._answers_file.cache_clear()
    yield lambda: known_units._answers_file()
    known_units._answers_file.cache_clear()


def test_cached_answers_are_pints(answers_file):
    expected = [units.unit_problem(u) for u in ASKED]
    assert [known_units.unit_problem(u) for u in ASKED] == expected        # asked, then written
    assert json.loads(answers_file().read_text(encoding="utf-8"))["ton"] == units.unit_problem("ton")
    assert [known_units.unit_problem(u) for u in ASKED] == expected        # read back


@pytest.mark.parametrize("content", ['{"kg": "not a unit"', '["kg"]', '{"kg": 5}', ""])
def test_a_damaged_answers_file_is_ignored_and_rewritten(answers_file, content):
    known_units.unit_problem("kg")
    answers_file().write_text(content, encoding="utf-8")
    assert known_units.unit_problem("furlongs_per_fortnight_squared") == units.unit_problem(
        "furlongs_per_fortnight_squared")
    assert json.loads(answers_file().read_text(encoding="utf-8")) == {
        "furlongs_per_fortnight_squared": units.unit_problem("furlongs_per_fortnight_squared")}
