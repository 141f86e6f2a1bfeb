"""Read an agency's tables, as the profile declares them, from Parquet, CSV or a DuckDB file.

``DATA_DIR`` is a folder holding ``<table name>.parquet`` (a file or a folder of parts) or
``<table name>.csv`` per table, or a ``.duckdb`` file (or a folder holding exactly one) with the
tables in the agency's schema. Values are coerced to the declared column types, so every format
gives the same frames.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from synth.errors import InputError
from synth.learn.shape import identifying
from synth.profile.models import Agency, Table

if TYPE_CHECKING:
    from synth.profile.loader import LoadedProfile

FORMATS = ("parquet", "csv", "duckdb")
TRUE = {"true", "t", "1", "yes", "y"}
FALSE = {"false", "f", "0", "no", "n"}


@dataclass(frozen=True)
class Source:
    """Where an agency's tables are read from.

    Attributes:
        kind: ``files`` (Parquet/CSV in a folder) or ``duckdb``.
        path: the folder or the database file.
        label: the name recorded in provenance (the basename of ``DATA_DIR``).
    """

    kind: str
    path: Path
    label: str


def base_agency(base: str | Path, agency_key: str) -> tuple[LoadedProfile, Agency]:
    """The base profile (loaded) and the declaration of one of its agencies.

    Raises:
        InputError: when the agency is not in the profile.
    """
    from synth.profile.loader import load_profile

    loaded = load_profile(base)
    prof = loaded.profile
    if agency_key not in prof.agencies:
        raise InputError(f"--agency {agency_key}: not an agency of profile {prof.name}; "
                         f"one of: {', '.join(prof.agencies)}")
    return loaded, prof.agencies[agency_key]


def _table_file(folder: Path, name: str) -> Path | None:
    if (folder / name).is_dir() and any((folder / name).glob("*.parquet")):  # a run's folder of parts
        return folder / name
    for ext in (".parquet", ".csv"):
        p = folder / f"{name}{ext}"
        if p.exists():
            return p
    return None


def locate(data_dir: Path, agency_key: str, agency: Agency) -> Source:
    """Decide how to read ``data_dir``.

    Raises:
        InputError: when it does not exist or holds neither table files nor one DuckDB file.
    """
    data_dir = Path(data_dir)
    label = data_dir.name
    if not data_dir.exists():
        raise InputError(f"{data_dir}: no such file or folder; give the folder holding the {agency_key} tables "
                         "(Parquet or CSV) or a .duckdb file")
    if data_dir.is_file():
        if data_dir.suffix != ".duckdb":
            raise InputError(f"{data_dir}: not a folder or a .duckdb file; give the folder holding the "
                             f"{agency_key} tables or the database file")
        return Source("duckdb", data_dir, label)
    if any(_table_file(data_dir, t.name) for t in agency.tables.values() if not identifying(t)):
        return Source("files", data_dir, label)
    dbs = sorted(data_dir.glob("*.duckdb"))
    if len(dbs) == 1:
        return Source("duckdb", dbs[0], label)
    names = ", ".join(t.name for t in list(agency.tables.values())[:3])
    if len(dbs) > 1:
        raise InputError(f"{data_dir}: holds {len(dbs)} .duckdb files; name the one to read")
    raise InputError(f"{data_dir}: none of the {agency_key} tables found (looked for {names}, ... as .parquet "
                     "or .csv, or a .duckdb file); point DATA_DIR at the folder that holds them")


def coerce_column(s: pd.Series, kind: str) -> pd.Series:
    """Values as the declared type: Int64, float, datetime64, bool (nullable) or text."""
    if kind == "int64":
        return pd.to_numeric(s, errors="coerce").astype("Int64")
    if kind == "float64":
        return pd.to_numeric(s, errors="coerce").astype(float)
    if kind in ("date", "datetime"):
        with warnings.catch_warnings():  # text that is not a date becomes NaT; pandas' format warning is noise
            warnings.simplefilter("ignore", UserWarning)
            out = pd.to_datetime(s, errors="coerce", cache=False)
        return out.dt.tz_localize(None) if getattr(out.dt, "tz", None) is not None else out
    if kind == "bool":
        if s.dtype == bool:
            return s.astype("boolean")
        text = s.astype("string").str.strip().str.lower()
        out = pd.Series(pd.NA, index=s.index, dtype="boolean")
        out[text.isin(TRUE).fillna(False).to_numpy(bool)] = True
        out[text.isin(FALSE).fillna(False).to_numpy(bool)] = False
        return out
    out = s.astype(object)
    present = out.notna().to_numpy()
    out = out.where(present, None)
    out[present] = out[present].astype(str)
    return out


class Reader:
    """Reads declared tables of one agency, checking that the needed columns are there.

    Args:
        source: from :func:`locate`.
        agency_key: the agency's key in the profile (for messages).
        agency: its declaration.
    """

    def __init__(self, source: Source, agency_key: str, agency: Agency) -> None:
        self.source = source
        self.agency_key = agency_key
        self.agency = agency
        self._cache: dict[tuple[str, tuple[str, ...]], pd.DataFrame] = {}
        self._db = None

    def read(self, key: str, columns: list[str]) -> pd.DataFrame:
        """The named columns of table ``key``, coerced to their declared types.

        Raises:
            InputError: when the table or a column is missing.
        """
        columns = list(dict.fromkeys(columns))
        ck = (key, tuple(columns))
        if ck not in self._cache:
            table = self.agency.tables[key]
            df = self._read_files(table, columns) if self.source.kind == "files" else self._read_duckdb(table, columns)
            types = {c.name: c.type for c in table.columns}
            self._cache[ck] = pd.DataFrame({c: coerce_column(df[c], types[c]) for c in columns}).reset_index(drop=True)
        return self._cache[ck]

    def _missing_columns(self, where: str, have: list[str], columns: list[str], table: Table) -> None:
        missing = [c for c in columns if c not in have]
        if missing:
            raise InputError(f"{where}: column '{missing[0]}' of {self.agency_key}.{table.name} is missing"
                             + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                             + "; export the table with the columns the profile declares")

    def _read_files(self, table: Table, columns: list[str]) -> pd.DataFrame:
        path = _table_file(self.source.path, table.name)
        if path is None:
            raise InputError(f"{self.source.path}: table '{table.name}' of {self.agency_key} not found "
                             f"(looked for {table.name}.parquet and {table.name}.csv); export it there")
        try:
            if path.suffix == ".csv":
                have = list(pd.read_csv(path, nrows=0).columns)
                self._missing_columns(str(path), have, columns, table)
                return pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=True)
            import pyarrow.dataset as ds

            have = ds.dataset(str(path), format="parquet").schema.names
            self._missing_columns(str(path), have, columns, table)
            return pd.read_parquet(path, columns=columns)
        except (OSError, ValueError, pd.errors.ParserError) as e:
            if isinstance(e, InputError):
                raise
            raise InputError(f"{path}: cannot be read ({type(e).__name__}: {str(e).splitlines()[0]}); "
                             "re-export the table") from None

    def _con(self):
        import duckdb

        if self._db is None:
            try:
                self._db = duckdb.connect(str(self.source.path), read_only=True)
            except duckdb.Error as e:
                raise InputError(f"{self.source.path}: cannot be opened as a DuckDB database "
                                 f"({str(e).splitlines()[0]}); give a .duckdb file made by DuckDB") from None
        return self._db

    def close(self) -> None:
        """Close the database connection, if one was opened."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _columns_in_db(self, table: Table) -> list[str]:
        rows = self._con().execute("SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
                                   "AND table_name = ? ORDER BY ordinal_position",
                                   [self.agency.schema_name, table.name]).fetchall()
        return [r[0] for r in rows]

    def _read_duckdb(self, table: Table, columns: list[str]) -> pd.DataFrame:
        have = self._columns_in_db(table)
        if not have:
            raise InputError(f"{self.source.path}: table {self.agency.schema_name}.{table.name} of "
                             f"{self.agency_key} not found; load it into that schema")
        self._missing_columns(f"{self.source.path} ({self.agency.schema_name}.{table.name})", have, columns, table)

        def q(name: str) -> str:
            return '"' + name.replace('"', '""') + '"'

        sql = f"SELECT {', '.join(q(c) for c in columns)} FROM {q(self.agency.schema_name)}.{q(table.name)}"
        return self._con().execute(sql).df()
