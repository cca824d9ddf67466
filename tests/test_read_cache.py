"""Small files are read once per process and kept by content (`tanso.run.read_cache`): a later evaluate
of the same bytes reads no file, yet its results and messages are those of reading it, and a file
whose bytes changed is read again."""

from __future__ import annotations

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, ledger, make_case, rejects, write_csv
import tanso_io.csv_reader as csv_reader


def _counting_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    original = csv_reader.register_csv

    def register_csv(con, path, relation, *args, **kwargs):
        read.append(path.name)
        return original(con, path, relation, *args, **kwargs)
    monkeypatch.setattr(csv_reader, "register_csv", register_csv)
    return read


def test_the_same_bytes_in_another_folder_are_not_read_again_but_messages_name_the_new_file(tmp_path, monkeypatch):
    rows = [fuel_row("F1", "100"), fuel_row("F2", "lots")]
    first = make_case(tmp_path / "a", fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS}).run()
    read = _counting_reads(monkeypatch)
    case = make_case(tmp_path / "b", fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    second = case.run()
    assert read == []
    keep = ("row_id", "gas", "co2e_kg", "input_row")
    assert [{k: r[k] for k in keep} for r in ledger(second)] == [{k: r[k] for k in keep} for r in ledger(first)]
    (reject,) = rejects(second)
    assert reject["reason"].startswith("fuel_use.csv row 2: ")


def test_a_file_whose_bytes_changed_is_read_again(tmp_path, monkeypatch):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    before = case.run()
    read = _counting_reads(monkeypatch)
    # Bytes no other test writes: the kept reads are the whole process's (one pytest-xdist worker runs many tests).
    write_csv(case.data / "fuel_use.csv", [fuel_row("F1", "100"), fuel_row("read-again-F2", "50.123457")])
    after = case.run()
    assert read == ["fuel_use.csv"]
    assert sorted({r["row_id"] for r in ledger(after)}) == ["F1", "read-again-F2"]
    assert after.digest != before.digest
