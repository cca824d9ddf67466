"""Plan-time tables shared by the scenarios of a comparison, keyed by what they are computed from.

A comparison plans the same rule many times, once per combination of the changes it depends on,
each in a schema of its own. Most of a rule's plan-time tables read only some of those changes: the
certificate allocation of market-based Scope 2 reads the matching and deliverability options, not
the GWP set or the residual-mix fallback. Here a table is computed once per distinct *content key*
and later definitions with the same key become views of the first one.

The key is a hash of the table's SQL in which every relation of the scenario's schema is replaced by
its own key: a view by the key of its SQL (resolved as DuckDB binds it, when the table is computed),
a table by the key it was defined with, a registered Arrow table by a hash of its contents. Options,
policy values and everything a calculator computed in Python are literals in that SQL, so two tables
with the same key are the same query over the same data. A relation the planner makes in the schema
by other means (a lookup's joined rows) is declared with `outside`: its key is unknown, and so is
that of everything read from it, which is then always computed. Relations outside the schema (the
session's inputs and factor sets, read once and never replaced) keep their names. The relations of
a schema are tracked here, not asked of DuckDB's catalogue: that query grows with every scenario's
schema (60-100 ms each with 150 schemas, 5,000 times in a comparison).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Callable

from tanso.plan.sql import SQL_WORD

if TYPE_CHECKING:
    import pyarrow as pa

_STATEMENT = re.compile(r"\s*CREATE OR REPLACE (VIEW|TABLE) (\w+) AS (.*)", re.DOTALL | re.IGNORECASE)
_READS = re.compile(r"\s*(SELECT|WITH|DESCRIBE)\b", re.IGNORECASE)
# A statement that does nothing once it has run (the boundary's holdings, named by their SQL): run once.
_ONCE = re.compile(r"\s*CREATE\s+(TEMP\s+|TEMPORARY\s+)?TABLE\s+IF\s+NOT\s+EXISTS\b", re.IGNORECASE)


def _as_is(statement: str) -> str:
    return statement


class _Running:
    """A connection that runs what `runnable` makes of each statement."""

    def __init__(self, con, runnable: Callable[[str], str]) -> None:
        self._con, self._runnable = con, runnable

    def execute(self, statement: str):
        return self._con.execute(self._runnable(statement))


class PlanReuse:
    """Content keys of the relations defined in a session, and the first table computed per key."""

    def __init__(self) -> None:
        self._views: dict[tuple[str, str], str] = {}            # (schema, view) → its SQL
        self._tables: dict[tuple[str, str], str | None] = {}    # (schema, table) → its key (None: unknown)
        self._registered: dict[str, str] = {}                   # temporary Arrow table → hash of its contents
        self._by_content: dict[tuple[str, str], str] = {}       # (label, hash of contents) → first such table
        self._computed: dict[str, tuple[str, str]] = {}         # key → (schema, table) holding that content
        self._aliases: dict[tuple[str, str], str] = {}          # (schema, view) → the earlier table it shows
        self._answers: dict[tuple[str, str], Any] = {}          # (rows|arrow, key of a plan-time query) → its answer
        self._outside: set[tuple[str, str]] = set()             # (schema, relation) made by other means
        # Registered Arrow tables by relation, kept from `collect()` until the next one: the effective
        # factors a comparison re-weights for a weighting option (compare/reweight.py).
        self.recent: dict[str, pa.Table] = {}
        self._keep: Callable[[str], bool] | None = None
        self.reused = 0

    def registered(self, relation: str, label: str, table: pa.Table) -> str | None:
        """Note an Arrow table about to be registered as `relation` (a name new in every scenario): the
        temporary table registered earlier under the same label with the same contents (schema and
        values), to read instead of making another (a few ms each, ten per scenario of s2.market); else
        None, and `relation` is that table from now on. `recent` keeps it under `relation` either way."""
        import pyarrow as pa
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table.combine_chunks())
        content = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
        self._registered[relation] = content
        if self._keep is not None and self._keep(relation):
            self.recent[relation] = table
        earlier = self._by_content.setdefault((label, content), relation)
        return earlier if earlier != relation else None

    def collect(self, keep: Callable[[str], bool] | None) -> dict[str, pa.Table]:
        """From now on keep the registered Arrow tables whose relation `keep` accepts (none: None), in a
        new dict, returned; the earlier one is the caller's."""
        self._keep, self.recent = keep, {}
        return self.recent

    def outside(self, schema: str, name: str) -> None:
        """Note a relation made in `schema` without `define`: anything read from it is always computed."""
        self._outside.add((schema, name.lower()))
        self._views.pop((schema, name.lower()), None)
        self._tables.pop((schema, name.lower()), None)

    def query(self, con, schema: str, sql: str, runnable: Callable[[str], str] = _as_is) -> list[tuple]:
        """A plan-time query's rows (distinct keys and units of the rule's rows, factor checks …), asked
        once per content key. Only queries that read (SELECT, WITH, DESCRIBE) are remembered, and a
        `CREATE [TEMP] TABLE IF NOT EXISTS` runs once per text (the session never drops such a table)."""
        return list(self._answer(schema, sql, "rows", lambda: con.execute(runnable(sql)).fetchall()))

    def query_arrow(self, con, schema: str, sql: str, runnable: Callable[[str], str] = _as_is) -> pa.Table:
        """`query`'s rows as an Arrow table (immutable, so shared as it is)."""
        return self._answer(schema, sql, "arrow", lambda: con.sql(runnable(sql)).to_arrow_table())

    def _answer(self, schema: str, sql: str, kind: str, run: Callable[[], Any]) -> Any:
        if _ONCE.match(sql) is not None:   # DuckDB binds its query each time, even where the table exists
            if (kind, sql) not in self._answers:
                self._answers[kind, sql] = run()
            return self._answers[kind, sql]
        if _READS.match(sql) is None:
            return run()
        key = self._key(schema, sql, set(), {})
        if key is None:
            return run()
        if (kind, key) not in self._answers:
            self._answers[kind, key] = run()
        else:
            self.reused += 1
        return self._answers[kind, key]

    def hold(self, schema: str, name: str, sql: str) -> None:
        """Note a view of `schema` that is not made (run/lazy_views.py): its key is its SQL's, as if made."""
        self._views[schema, name.lower()] = sql
        self._tables.pop((schema, name.lower()), None)

    def define(self, con, schema: str, statement: str, runnable: Callable[[str], str] = _as_is) -> None:
        """Run `CREATE OR REPLACE VIEW|TABLE name AS sql` in `schema`, or make a view of an equal table
        computed in an earlier (finished) schema. `runnable` gives what to run for a statement (keys are
        of the statement itself)."""
        con = _Running(con, runnable)
        match = _STATEMENT.match(statement)
        if match is None:
            con.execute(statement)
            return
        kind, name, sql = match[1].upper(), match[2].lower(), match[3]
        key = self._key(schema, sql, set(), {}) if kind == "TABLE" else None
        earlier = self._computed.get(key) if key is not None else None
        if kind == "TABLE" and earlier is not None and earlier[0] != schema:
            self._drop_table(con, schema, name)
            con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {earlier[0]}.{earlier[1]}")
            self._aliases[schema, name] = f"{earlier[0]}.{earlier[1]}"
            self.reused += 1
        elif kind == "VIEW":
            self._drop_table(con, schema, name)
            con.execute(statement)
            self._aliases.pop((schema, name), None)
        else:
            # A table defined over the view of an earlier scenario's table (`AS SELECT … FROM itself WHERE
            # …`) reads that table, then replaces the view.
            alias = self._aliases.pop((schema, name), None)
            if alias is not None:
                sql = SQL_WORD.sub(lambda w: alias if w[0].lower() == name else w[0], sql)
                con.execute(f"DROP VIEW {name}")
            self._forget(schema, name)
            con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")
            if key is not None:
                self._computed[key] = (schema, name)
        if kind == "VIEW":
            self._views[schema, name] = sql
            self._tables.pop((schema, name), None)
        else:
            self._tables[schema, name] = key
            self._views.pop((schema, name), None)

    def _drop_table(self, con, schema: str, name: str) -> None:
        """DuckDB does not replace a table by a view: drop it (and forget the content it held)."""
        if (schema, name) in self._tables and (schema, name) not in self._aliases:
            self._forget(schema, name)
            con.execute(f"DROP TABLE {name}")

    def _forget(self, schema: str, name: str) -> None:
        self._computed = {k: v for k, v in self._computed.items() if v != (schema, name)}

    def _key(self, schema: str, sql: str, seen: set[str], views: dict[str, str | None]) -> str | None:
        """The content key of `sql` as bound in `schema` now; None where a relation's origin is unknown.
        `views` holds the keys of the views already resolved for this statement."""
        parts: list[str] = []
        position = 0
        for word in SQL_WORD.finditer(sql):
            token = word[0].lower()
            if (schema, token) in self._outside:
                return None
            if (schema, token) in self._views or (schema, token) in self._tables:
                if token in seen:
                    return None
                if token in views:
                    inner = views[token]
                elif (schema, token) in self._views:
                    inner = views[token] = self._key(schema, self._views[schema, token], seen | {token}, views)
                else:
                    inner = self._tables[schema, token]
                if inner is None:
                    return None
                replacement = f"<{inner}>"
            elif token in self._registered:
                replacement = f"<{self._registered[token]}>"
            else:
                continue
            parts.append(sql[position:word.start()])
            parts.append(replacement)
            position = word.end()
        parts.append(sql[position:])
        return hashlib.sha256("".join(parts).encode()).hexdigest()
