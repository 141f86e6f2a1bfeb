"""A run as SQL sees it: one schema per agency (its profile ``schema_name``) and ``truth``, a view per table.

The views read the run's Parquet files (a file, or a folder of part files) or, for a CSV-only run,
its CSV files; the run's ``synth.duckdb`` is not needed. Besides the run's tables the connection has
the DB2 catalogue views SAIL pipelines read (``SYSCAT.TABLES``, ``SYSIBM.SYSDUMMY1``) and the DuckDB
macros of the DB2 functions (:mod:`synth.sql.macros`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from synth.errors import SynthError
from synth.sql.errors import NotARunError
from synth.sql.macros import MACROS

#: A dated SAIL table name: ``<DATASET>_<TABLE>_<YYYYMMDD>``.
DATED = re.compile(r"^(?P<base>.+)_(?P<date>\d{8})$")
#: A SAIL schema (project views ``SAILnnnnV``, reference ``SAILREFRV``), not a workspace (``SAILWnnnnV``).
SAIL_SCHEMA = re.compile(r"^SAIL(?!W\d)[A-Z0-9]*V$", re.IGNORECASE)
#: A SAIL project's writable workspace schema.
WORKSPACE_SCHEMA = re.compile(r"^SAILW\d+V$", re.IGNORECASE)
RUN_HINT = "give a folder made by `synth generate` (pass it with --run)"


def q(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True, eq=False)
class RunTable:
    """One table of a run.

    Attributes:
        schema: its schema (the agency's ``schema_name``, or ``truth``).
        name: its table name.
        path: the Parquet file, folder of Parquet part files or CSV file holding its rows.
        not_modelled: columns of the real table this run does not produce, each with why.
    """

    schema: str
    name: str
    path: Path
    not_modelled: Mapping[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        """``schema.name`` as written in messages."""
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class RunCatalog:
    """The tables of a run folder, found through its manifest and profile."""

    path: Path
    tables: tuple[RunTable, ...]

    def find(self, schema: str, name: str) -> RunTable | None:
        """The table ``schema.name`` (case-insensitive, as DuckDB and DB2 unquoted names), or None."""
        s, n = schema.upper(), name.upper()
        return next((t for t in self.tables if t.schema.upper() == s and t.name.upper() == n), None)

    def schemas(self) -> list[str]:
        """Every schema name, in first-seen order."""
        return list(dict.fromkeys(t.schema for t in self.tables))

    def in_schemas(self, schemas: Iterable[str]) -> list[RunTable]:
        """The tables of the given schemas (case-insensitive)."""
        wanted = {s.upper() for s in schemas}
        return [t for t in self.tables if t.schema.upper() in wanted]

    def sail_tables(self) -> list[RunTable]:
        """The tables of the run's SAIL-style schemas (``SAIL...V``)."""
        return [t for t in self.tables if SAIL_SCHEMA.match(t.schema)]


def open_run(path: Path) -> RunCatalog:
    """The catalogue of the run folder ``path``.

    Raises:
        NotARunError: when ``path`` is not a run folder (missing, no manifest, profile unreadable).
    """
    path = Path(path)
    if not path.is_dir():
        raise NotARunError(f"{path}: no such run folder; {RUN_HINT}")
    manifest = path / "manifest.json"
    if not manifest.is_file():
        raise NotARunError(f"{path}: not a run (no manifest.json); {RUN_HINT}")
    return _open_run(path.resolve(), manifest.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _open_run(path: Path, mtime: int) -> RunCatalog:  # the mtime keys the cache: a regenerated run is reread
    from synth.validate.core import RunData

    try:
        run = RunData(path)
    except SynthError as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise NotARunError(f"{first} ({RUN_HINT})") from None
    tables: list[RunTable] = []
    seen: set[Path] = set()
    for akey, agency in run.profile.agencies.items():
        for spec in agency.tables.values():
            file = run.file(akey, spec.name)
            if file is not None:
                absent = dict(spec.not_modelled)
                tables.append(RunTable(agency.schema_name, spec.name, file, absent))
                seen.add(file)
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name in run.profile.agencies or folder.name == "csv":
            continue
        for file in sorted(folder.iterdir()):  # truth/<table>/part-*.parquet (or a stray .parquet file)
            is_table = file.suffix == ".parquet" or (file.is_dir() and any(file.glob("*.parquet")))
            if is_table and file not in seen:
                tables.append(RunTable(folder.name, file.name.removesuffix(".parquet"), file))
    return RunCatalog(path, tuple(tables))


def _source(t: RunTable) -> str:
    p = t.path
    if p.suffix == ".csv":
        return f"read_csv({_lit(str(p))}, header = true)"
    if p.is_dir() and not any(p.glob("*.parquet")):  # a CSV-only run: csv/<agency>/<table>/SYNTHETIC_*.csv
        return f"read_csv({_lit(str(p / '*.csv'))}, header = true)"
    return f"read_parquet({_lit(str(p / '*.parquet') if p.is_dir() else str(p))})"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def connect(catalog: RunCatalog, sail_aliases: Iterable[str] = (), workspaces: Iterable[str] = ()) -> \
        duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection exposing the run.

    Args:
        catalog: the run's tables.
        sail_aliases: SAIL project schema names a script names (``SAIL1234V``); ``SYSCAT.TABLES``
            lists the run's SAIL tables under each of them too, as SAIL shows a project its views.
        workspaces: schemas the script may write to (``SAILWnnnnV``, ``SESSION``), created empty.

    Returns:
        The connection; the caller closes it.
    """
    con = duckdb.connect(":memory:")
    con.execute("SET threads TO 2")
    for schema in dict.fromkeys([*catalog.schemas(), "SYSCAT", "SYSIBM", "SESSION", *workspaces]):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
    for t in catalog.tables:
        con.execute(f"CREATE VIEW {q(t.schema)}.{q(t.name)} AS SELECT * FROM {_source(t)}")
    for macro in MACROS:
        con.execute(macro)
    rows = [(t.schema, t.name) for t in catalog.tables]
    sail = catalog.sail_tables()
    rows += [(alias.upper(), t.name) for alias in dict.fromkeys(sail_aliases) for t in sail
             if not catalog.find(alias, t.name)]
    # SAIL shows a project its datasets as views (TYPE 'V'); everything else is a table.
    values = ", ".join(f"({_lit(s)}, {_lit(n)}, {_created(n)}, '{'V' if SAIL_SCHEMA.match(s) else 'T'}')"
                       for s, n in rows) or "(NULL, NULL, NULL, NULL)"
    con.execute("CREATE VIEW SYSCAT.TABLES AS SELECT * FROM (VALUES " + values +
                ") AS v(TABSCHEMA, TABNAME, CREATE_TIME, TYPE) WHERE TABNAME IS NOT NULL")
    con.execute("CREATE VIEW SYSIBM.SYSDUMMY1 AS SELECT 'Y' AS IBMREQD")
    return con


def _created(name: str) -> str:
    """A dated table's snapshot date as its creation time (NULL for an undated one)."""
    m = DATED.match(name)
    if not m:
        return "CAST(NULL AS TIMESTAMP)"
    return f"TRY_CAST(TRY_STRPTIME({_lit(m['date'])}, '%Y%m%d') AS TIMESTAMP)"
