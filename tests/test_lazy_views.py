"""A ledger-only plan's views (tanso.run.lazy_views) are never made where only queries and tables read them:
those get them as their own CTEs; any other statement naming one gets it made first, with the views it
reads. Each statement reads what it would read with every view made at once."""

from __future__ import annotations

import duckdb
import pytest

from tanso.run.lazy_views import LazyViews


@pytest.fixture()
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _views(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]


def _held(con) -> LazyViews:
    lazy = LazyViews(con.execute)
    assert lazy.hold("CREATE OR REPLACE VIEW base AS SELECT range AS id FROM range(5)") == \
        ("base", "SELECT range AS id FROM range(5)")
    lazy.hold("CREATE OR REPLACE VIEW evens AS SELECT id FROM base WHERE id % 2 = 0")
    lazy.hold("CREATE OR REPLACE VIEW rejects AS SELECT id FROM base WHERE id % 2 = 1")
    return lazy


def test_a_query_reads_held_views_as_its_own_ctes_and_nothing_is_made(con):
    lazy = _held(con)
    query = lazy.runnable("SELECT sum(id) FROM Evens")   # names are case-insensitive, as in DuckDB
    assert query.startswith("WITH base AS NOT MATERIALIZED (") and query.index("base AS") < query.index("evens AS")
    assert con.execute(query).fetchone() == (6,)
    assert con.execute(lazy.runnable("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2) "
                                     "SELECT count(*) FROM r, evens")).fetchone() == (6,)
    table = lazy.runnable("CREATE OR REPLACE TABLE odd AS SELECT * FROM rejects")
    con.execute(table)
    assert con.execute("SELECT count(*) FROM odd").fetchone() == (2,)
    assert _views(con) == [] and lazy.held == {"base", "evens", "rejects"}
    assert lazy.hold("CREATE OR REPLACE VIEW odd AS SELECT 1") is None   # replaces a table: made at once


def test_another_statement_naming_a_held_view_gets_it_made_with_what_it_reads(con):
    lazy = _held(con)
    statement = lazy.runnable("DESCRIBE evens")
    assert _views(con) == ["base", "evens"] and lazy.held == {"rejects"}
    assert con.execute(statement).fetchall()[0][:2] == ("id", "BIGINT")


def test_a_view_replaced_before_it_is_read_reads_as_its_latest_definition(con):
    lazy = LazyViews(con.execute)
    lazy.hold("CREATE OR REPLACE VIEW rows AS SELECT 1 AS id")
    lazy.hold("CREATE OR REPLACE VIEW total AS SELECT sum(id) AS s FROM rows")
    lazy.hold("CREATE OR REPLACE VIEW rows AS SELECT 2 AS id UNION ALL SELECT 3")
    # made at once, `total` would read `rows` when queried: the latest definition, as here
    assert con.execute(lazy.runnable("SELECT s FROM total")).fetchone() == (5,)
    con.execute(lazy.runnable("CREATE OR REPLACE VIEW shown AS SELECT s FROM total"))   # made: reads made views
    assert sorted(lazy.held) == [] and con.execute("SELECT s FROM shown").fetchone() == (5,)
