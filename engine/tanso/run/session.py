"""A DuckDB connection (and the run's backend) shared by several evaluations of one data folder.

`tanso compare` evaluates many scenarios of the same company: inputs and factor sets are read and
checked once (temporary relations, visible everywhere), while each evaluation keeps its own
relations in a schema of its own, so scenarios never see each other's rules.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import duckdb

from tanso.backends import open_backend
from tanso.plan.context import FactorTable
from tanso.plan.sql import MACROS
from tanso.plugins import Registry
from tanso.run.inputs import LoadedInput
from tanso.run.reuse import PlanReuse
from tanso.scratch import owned_folder

log = logging.getLogger(__name__)


class Session:
    def __init__(self, registry: Registry, data_dir: Path, threads: int | None = None, memory_limit: str | None = None,
                 backend: str = "duckdb", spark_master: str | None = None, reuse: bool = False):
        self.registry, self.data_dir = registry, data_dir
        # Scenarios of a comparison share plan-time tables of equal content (run/reuse.py); DuckDB only.
        self.reuse = PlanReuse() if reuse and backend == "duckdb" else None
        self.schema = "main"
        # Where the rule plans run; DuckDB is the catalogue either way (backends/__init__.py).
        self.backend = open_backend(backend, spark_master)
        self.con = duckdb.connect()
        # Spill to the system's temporary folder, not to `.tmp` in whatever folder the user runs from; the
        # folders killed runs left there are removed first (tanso/scratch.py).
        self._spill = owned_folder("duckdb")
        self.con.execute(f"SET temp_directory = '{self._spill.name}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        # Above the limit DuckDB spills to the temporary folder. Without one, DuckDB's default (80 % of
        # RAM); evaluate and compare give 448MB (run.execute.EVALUATE_MEMORY_LIMIT).
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        for macro in MACROS:
            self.con.execute(macro)
        settings = self.con.execute("SELECT current_setting('threads'), current_setting('memory_limit')").fetchone()
        log.debug("session on %s: backend %s, DuckDB %s, threads %s, memory limit %s, spilling to %s", data_dir,
                  backend, duckdb.__version__, *settings, self._spill.name)
        self.inputs: dict[str, LoadedInput] = {}
        self.factors: dict[tuple[str, str], FactorTable] = {}   # (name, file) → loaded set
        self._schemas = itertools.count(1)
        self._relations = itertools.count(1)

    def new_schema(self, label: str) -> str:
        """A fresh schema for one evaluation, made current."""
        name = f"{''.join(c if c.isalnum() else '_' for c in label)}_{next(self._schemas)}"
        self.con.execute(f"CREATE SCHEMA {name}")
        self.use(name)
        return name

    def use(self, schema: str) -> None:
        self.con.execute(f"SET schema = '{schema}'")
        self.schema = schema

    def relation_name(self, label: str) -> str:
        """A name no other relation of the session has (plan-time tables are shared temporaries)."""
        return f"plan_{next(self._relations)}_{''.join(c if c.isalnum() else '_' for c in label)}"
