"""Reading what the linkage tools need: a run's truth, its File 1 tables and a user's linkage.

A run folder holds ``truth/links/`` (Parquet parts) (every agency person record and the true person it
belongs to) and, per agency, an identifiable "File 1" table. File 1 tables are found through the
profile recorded in ``manifest.json`` (the agency table whose key is ``file1``); when that profile
cannot be loaded, the agency folders are scanned for a table with a ``SYSTEM_ID`` column.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from synth.errors import InputError, ProfileError

if TYPE_CHECKING:
    from synth.profile.models import Agency

#: Columns of the truth map ``truth/links``.
LINKS_COLUMNS = ("agency", "agency_person_id", "person_id")
#: The record's id in its agency's File 1 (``SYSTEM_ID``), when ``truth/links`` has it: for a SAIL
#: dataset it differs from ``agency_person_id``, the encrypted id of the anonymised tables
#: (synth.views.file1). The linkage tools work on File 1s, so they key records by it.
FILE1_ID = "system_id"
#: Columns of a linkage given as record pairs.
PAIR_COLUMNS = ("agency_l", "id_l", "agency_r", "id_r")
#: Columns of a linkage given as clusters.
CLUSTER_COLUMNS = ("agency", "id", "cluster")
#: The File 1 table's key in ``profile.agencies[agency].tables``.
FILE1_KEY = "file1"


@dataclass
class LinkageRun:
    """A run folder as the linkage tools see it.

    Attributes:
        path: the run folder.
        links: the truth map: ``agency`` (str), ``agency_person_id`` (int64: the record's File 1
            ``SYSTEM_ID``, read from ``truth/links`` column ``system_id`` where there is one), ``person_id`` (int64).
        file1: agency -> path of its File 1 table (a Parquet file, a folder of parts, or a CSV).
        profile_name: the profile File 1 tables were located through, or None when the folders
            were scanned instead.
    """

    path: Path
    links: pd.DataFrame
    file1: dict[str, Path] = field(default_factory=dict)
    profile_name: str | None = None
    _index: tuple | None = field(default=None, repr=False)

    def lookup(self, code: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Row numbers in :attr:`links` of records given by agency code (in :attr:`agencies`) and id.

        Returns:
            int64 row numbers, -1 where a record is not in the truth map.

        Raises:
            InputError: when a record appears twice in ``truth/links``.
        """
        if self._index is None:
            a = pd.Categorical(self.links["agency"], categories=self.agencies).codes.astype(np.int64)
            i = self.links["agency_person_id"].to_numpy(np.int64)
            lo, hi = (int(i.min()), int(i.max())) if len(i) else (0, 0)
            span = hi - lo + 1
            if span * max(len(self.agencies), 1) < 2**62:  # one int64 key per record
                self._index = (pd.Index(a * span + (i - lo)), lo, span)
            else:
                self._index = (pd.MultiIndex.from_arrays([a, i]), None, None)
            if not self._index[0].is_unique:
                dup = self.links[self._index[0].duplicated()].iloc[0]
                raise InputError(f"{self.path}/truth/links: record {dup['agency']} {dup['agency_person_id']} appears "
                                 "more than once; regenerate the run")
        index, lo, span = self._index
        code, ids = np.asarray(code, dtype=np.int64), np.asarray(ids, dtype=np.int64)
        if lo is None:
            return index.get_indexer(pd.MultiIndex.from_arrays([code, ids])).astype(np.int64)
        inside = (ids >= lo) & (ids < lo + span) & (code >= 0)
        out = np.full(len(ids), -1, dtype=np.int64)
        out[inside] = index.get_indexer(code[inside] * span + (ids[inside] - lo))
        return out

    @cached_property
    def agencies(self) -> list[str]:
        """Every agency in the truth map, sorted."""
        return sorted(self.links["agency"].unique().tolist())

    def choose(self, agencies: list[str] | None, need_file1: bool = False) -> list[str]:
        """Check a user's ``--agencies`` list, or pick the default.

        Args:
            agencies: agency names, or None for every agency (with a File 1 when ``need_file1``).
            need_file1: whether every chosen agency must have a File 1 table.

        Raises:
            InputError: for an agency not in the run, or without a File 1 table when one is needed.
        """
        known = self.agencies
        if agencies:
            unknown = [a for a in agencies if a not in known]
            if unknown:
                raise InputError(f"--agencies: {', '.join(unknown)} not in {self.path} "
                                 f"(its agencies: {', '.join(known)})")
            chosen = sorted(set(agencies))
            if need_file1:
                missing = [a for a in chosen if a not in self.file1]
                if missing:
                    raise InputError(f"--agencies: {', '.join(missing)} has no File 1 table in {self.path}; "
                                     f"agencies with one: {', '.join(sorted(self.file1)) or 'none'}")
            return chosen
        if need_file1:
            chosen = [a for a in known if a in self.file1]
            if not chosen:
                how = (f"profile '{self.profile_name}' declares no `{FILE1_KEY}` table" if self.profile_name
                       else "no agency folder holds a table with a SYSTEM_ID column")
                raise InputError(f"{self.path}: no File 1 tables ({how}); generate the run with a profile "
                                 f"whose agencies have a `{FILE1_KEY}` table")
            return chosen
        return known


def split_list(value: str | None) -> list[str] | None:
    """``"a, b"`` -> ``["a", "b"]``; None or blank -> None."""
    if not value:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


def open_run(path: str | Path) -> LinkageRun:
    """Read a run folder's truth map and locate its File 1 tables.

    Raises:
        InputError: when the folder or ``truth/links`` is missing or unreadable.
    """
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such run folder; give a folder made by `synth generate`")
    links_path = path / "truth" / "links"  # a folder of parts (synth.layout); a single links.parquet also reads
    if not links_path.exists() and (path / "truth" / "links.parquet").exists():
        links_path = path / "truth" / "links.parquet"
    if not links_path.exists():
        raise InputError(f"{links_path}: missing; the run has no ground truth, regenerate it with `synth generate`")
    try:
        have = _columns_of(links_path)
        missing = [c for c in LINKS_COLUMNS if c not in have]
        if not missing:
            links = pd.read_parquet(links_path, columns=[*LINKS_COLUMNS, *([FILE1_ID] if FILE1_ID in have else [])])
            if FILE1_ID in links.columns:  # File 1 ids, which the linkage tools read
                links["agency_person_id"] = links[FILE1_ID]
    except Exception as e:  # pyarrow raises many types for a damaged file
        raise InputError(f"{links_path}: unreadable ({type(e).__name__}); regenerate the run") from None
    if missing:
        raise InputError(f"{links_path}: no column {', '.join(missing)}; the truth map needs "
                         f"{', '.join(LINKS_COLUMNS)}")
    links = pd.DataFrame({"agency": links["agency"].astype(str).to_numpy(),
                          "agency_person_id": links["agency_person_id"].to_numpy("int64"),
                          "person_id": links["person_id"].to_numpy("int64")})
    profile = _profile_of(path)
    if profile is not None:
        name, agencies = profile
        file1 = {}
        for akey, agency in agencies.items():
            spec = agency.tables.get(FILE1_KEY)
            if spec is not None:
                found = table_path(path / akey, spec.name)
                if found is not None:
                    file1[akey] = found
        return LinkageRun(path, links, file1, name)
    return LinkageRun(path, links, _scan_file1(path), None)


def table_path(folder: Path, name: str) -> Path | None:
    """``folder/name`` (a run's folder of Parquet parts), ``folder/name.parquet`` or ``folder/name.csv``."""
    if (folder / name).is_dir() and any((folder / name).glob("*.parquet")):
        return folder / name
    for candidate in (folder / f"{name}.parquet", folder / f"{name}.csv"):
        if candidate.exists():
            return candidate
    return None


def _profile_of(path: Path) -> tuple[str, dict[str, Agency]] | None:
    """``(name, agencies)`` of the profile the manifest records, or None when it cannot be loaded."""
    from synth.profile.loader import load_profile

    manifest = path / "manifest.json"
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("profile") or {}
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    for source in (recorded.get("path"), recorded.get("name")):
        if not source:
            continue
        try:
            loaded = load_profile(source)
        except ProfileError:
            continue
        return loaded.profile.name, loaded.profile.agencies
    return None


def _columns_of(table: Path) -> list[str]:
    if table.suffix == ".csv":
        return pd.read_csv(table, nrows=0).columns.tolist()
    first = table if table.is_file() else next(iter(sorted(table.glob("*.parquet"))), None)
    return [] if first is None else pq.read_schema(first).names


def _scan_file1(path: Path) -> dict[str, Path]:
    """agency folder -> its table with a ``SYSTEM_ID`` column (the one with most File 1 columns)."""
    wanted = {"SYSTEM_ID", "NHS_NUMBER", "SURNAME", "FORENAME", "DATE_OF_BIRTH", "POSTCODE", "GENDER_CD"}
    found = {}
    for folder in sorted(p for p in path.iterdir() if p.is_dir() and p.name not in ("truth", "csv")):
        best, score = None, 0
        for table in sorted(folder.iterdir()):
            if table.suffix not in (".parquet", ".csv") and not (table.is_dir() and any(table.glob("*.parquet"))):
                continue
            try:
                cols = set(_columns_of(table))
            except Exception:  # an unreadable stray file is simply not a File 1
                continue
            if "SYSTEM_ID" in cols and len(cols & wanted) > score:
                best, score = table, len(cols & wanted)
        if best is not None:
            found[folder.name] = best
    return found


def read_table(path: str | Path, what: str = "file") -> pd.DataFrame:
    """Read a CSV or Parquet file (or a folder of Parquet parts), chosen by extension.

    Raises:
        InputError: when it is missing, has another extension or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such {what}; give a CSV or Parquet file")
    try:
        if path.suffix.lower() == ".csv":
            check_utf8(path, what)
            return pd.read_csv(path, engine="pyarrow")
        if path.suffix.lower() in (".parquet", ".pq") or path.is_dir():
            return pd.read_parquet(path)
    except InputError:
        raise
    except Exception as e:  # pandas/pyarrow raise many types for bad files
        first = (str(e).splitlines() or [""])[0][:120]
        raise InputError(f"{path}: unreadable {what} ({type(e).__name__}: {first}); "
                         "give a valid CSV or Parquet file") from None
    raise InputError(f"{path}: unknown extension '{path.suffix}'; give a .csv or .parquet file")


def check_utf8(path: Path, what: str = "file", block: int = 1 << 20) -> None:
    """Raise unless ``path`` is UTF-8 text (read in blocks, so any size is fine).

    Raises:
        InputError: naming the byte offset of the first invalid sequence.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    done = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(block)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                raise InputError(f"{path}: {what} is not UTF-8 text (byte {done + e.start:,}); save it as UTF-8 "
                                 "(e.g. iconv -f latin1 -t utf-8)") from None
            if not chunk:
                return
            done += len(chunk)


@dataclass
class Linkage:
    """A user's linkage, resolved against a run's truth map.

    Records are numbered by their row in ``LinkageRun.links``.

    Attributes:
        shape: ``"pairs"`` or ``"clusters"``.
        frame: for pairs, columns ``rec_l``, ``rec_r`` (int64); for clusters, ``rec`` and
            ``cluster`` (int64 codes).
        agencies: the agencies the linkage mentions, sorted.
    """

    shape: str
    frame: pd.DataFrame
    agencies: list[str]


def detect_shape(columns: Iterable[str], path: Path | str = "LINKS_FILE") -> str:
    """``"pairs"`` or ``"clusters"`` from a linkage file's column names.

    Raises:
        InputError: when neither set of columns is there.
    """
    cols = set(columns)
    if set(PAIR_COLUMNS) <= cols:
        return "pairs"
    if set(CLUSTER_COLUMNS) <= cols:
        return "clusters"
    shown = ", ".join(map(str, list(columns)[:8])) or "none"
    raise InputError(f"{path}: columns {shown} are neither pairs ({', '.join(PAIR_COLUMNS)}) nor clusters "
                     f"({', '.join(CLUSTER_COLUMNS)}); rename them")


def read_linkage(path: str | Path, run: LinkageRun) -> Linkage:
    """Read a linkage file (CSV or Parquet) and resolve its records against the run's truth.

    Raises:
        InputError: for a missing or unreadable file, unknown columns, non-integer ids, agencies
            not in the run, ids not in the run's truth, or a record put in two clusters.
    """
    path = Path(path)
    df = read_table(path, "linkage file")
    df.columns = [str(c).strip().lower() for c in df.columns]
    shape = detect_shape(df.columns, path)
    if shape == "pairs":
        left, code_l = _records(df["agency_l"], df["id_l"], run, path, "agency_l/id_l")
        right, code_r = _records(df["agency_r"], df["id_r"], run, path, "agency_r/id_r")
        frame = pd.DataFrame({"rec_l": left, "rec_r": right})
        codes = np.concatenate([code_l, code_r])
    else:
        rec, codes = _records(df["agency"], df["id"], run, path, "agency/id")
        cluster = df["cluster"]
        if cluster.isna().any():
            raise InputError(f"{path}: {int(cluster.isna().sum())} rows have no cluster; give every row a cluster "
                             "value or drop it")
        frame = pd.DataFrame({"rec": rec, "cluster": pd.factorize(cluster)[0].astype(np.int64)})
        if (np.bincount(rec, minlength=1) > 1).any():  # listed twice: fine only in the same cluster
            frame = frame.drop_duplicates(ignore_index=True)
            twice = frame["rec"].duplicated(keep=False)
            if twice.any():
                r = int(frame.loc[twice, "rec"].iloc[0])
                example = f"{run.links['agency'].iat[r]} {run.links['agency_person_id'].iat[r]}"
                raise InputError(f"{path}: {int(frame.loc[twice, 'rec'].nunique())} records are in more than one "
                                 f"cluster (e.g. {example}); give each record one cluster")
    named = [run.agencies[c] for c in np.unique(codes)]
    return Linkage(shape, frame, named)


def _records(agency: pd.Series, ids: pd.Series, run: LinkageRun, path: Path,
             cols: str) -> tuple[np.ndarray, np.ndarray]:
    """``(row numbers in run.links, agency codes)`` of (agency, id) records; raise on any not there."""
    codes, uniques = pd.factorize(agency)
    uniques = pd.Index(uniques).astype(str).str.strip()
    if (codes < 0).any():
        raise InputError(f"{path}: {int((codes < 0).sum())} rows have no agency in {cols}; fill them in")
    unknown = sorted(set(uniques) - set(run.agencies))
    if unknown:
        raise InputError(f"{path}: agency {', '.join(map(str, unknown[:5]))} in {cols} is not in run {run.path} "
                         f"(its agencies: {', '.join(run.agencies)})")
    code = pd.Index(run.agencies).get_indexer(uniques)[codes].astype(np.int64)
    num = pd.to_numeric(ids, errors="coerce") if ids.dtype == object or str(ids.dtype) == "string" else ids
    if num.dtype.kind == "f":  # whole numbers inside int64 only
        bad = num.isna() | (num != num.round()) | ~(num.abs() < 2.0**63)
    else:
        bad = num.isna()
    if bad.any():
        raise InputError(f"{path}: {int(bad.sum())} ids in {cols} are not whole numbers (e.g. "
                         f"{str(ids[bad].iloc[0])!r}); give agency person ids (SYSTEM_ID)")
    found = run.lookup(code, num.to_numpy("int64"))
    if (found < 0).any():
        i = int(np.flatnonzero(found < 0)[0])
        raise InputError(f"{path}: {int((found < 0).sum())} records in {cols} are not in {run.path}/truth/links "
                         f"(e.g. {run.agencies[code[i]]} {num.iat[i]}); use ids from this run")
    return found, code
