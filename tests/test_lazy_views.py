"""A ledger-only plan's views (tanso.run.lazy_views) are made when a statement first reads them, with the
views they read, and never where nothing does; what a view reads is what it would read made at once."""

from __future__ import annotations

import duckdb

from tanso.run.lazy_views import LazyViews


def _views(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]


def test_a_view_is_made_when_read_with_what_it_reads_and_an_unread_one_never():
    con = duckdb.connect()
    lazy = LazyViews(con.execute)
    assert lazy.hold("CREATE OR REPLACE VIEW base AS SELECT range AS id FROM range(5)")
    assert lazy.hold("CREATE OR REPLACE VIEW evens AS SELECT id FROM base WHERE id % 2 = 0")
    assert lazy.hold("CREATE OR REPLACE VIEW rejects AS SELECT id FROM base WHERE id % 2 = 1")
    assert not lazy.hold("CREATE OR REPLACE TABLE t AS SELECT 1 AS x")   # a table is not held
    assert _views(con) == []
    lazy.reading("SELECT sum(id) FROM Evens")          # names are case-insensitive, as in DuckDB
    assert _views(con) == ["base", "evens"]
    assert con.execute("SELECT sum(id) FROM evens").fetchone() == (6,)
    assert lazy.held == {"rejects"}


def test_a_view_replaced_before_it_is_read_reads_as_the_latest_definition():
    con = duckdb.connect()
    lazy = LazyViews(con.execute)
    lazy.hold("CREATE OR REPLACE VIEW rows AS SELECT 1 AS id")
    lazy.hold("CREATE OR REPLACE VIEW total AS SELECT sum(id) AS s FROM rows")
    lazy.hold("CREATE OR REPLACE VIEW rows AS SELECT 2 AS id UNION ALL SELECT 3")
    # made at once, `total` would read `rows` when queried: the latest definition, as here
    lazy.reading("SELECT s FROM total")
    assert con.execute("SELECT s FROM total").fetchone() == (5,)
    assert lazy.held == frozenset()
