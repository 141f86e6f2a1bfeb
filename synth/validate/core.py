"""What every check shares: the run being validated and the result of one check.

Checks never raise halfway: the runner (synth.validate.runner) runs each registered check inside a
guard, so a check that cannot be evaluated (its table missing or unreadable, a column missing or
of the wrong type) becomes a result with status ``could_not_run``. Only a folder that is not a run
at all (no folder, no or corrupt manifest, an unknown profile) raises a SynthError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synth.errors import InputError, ProfileError
from synth.layout import csv_parts, find_table, is_csv_dir, parquet_parts
from synth.profile.loader import LoadedProfile, load_profile, with_agencies
from synth.validate.sqlrun import Sql

GROUPS = ("integrity", "realism", "privacy")
MAX_EXAMPLES = 5

PASSED, FAILED, SKIPPED, COULD_NOT_RUN = "passed", "failed", "skipped", "could_not_run"
#: Every status a result can have; ``skipped`` does not count against the verdict, the others do.
STATUSES = (PASSED, FAILED, SKIPPED, COULD_NOT_RUN)
RUN_HINT = "give a folder made by `synth generate`"


class CannotRun(Exception):  # noqa: N818 - reads as "raise CannotRun(reason)"
    """A check cannot be evaluated on this run (a table missing or unreadable); the runner records it."""


@dataclass
class CheckResult:
    """The outcome of one check.

    Attributes:
        group: ``integrity``, ``realism`` or ``privacy``.
        name: a stable id of the check, e.g. ``primary_key_unique``.
        passed: whether it counts as passed (true for a skipped check, false when it could not run).
        table: ``agency/table`` or ``truth/table`` it looked at, if any.
        column: the column, if any.
        violations: how many rows (or units) broke it.
        examples: up to five example keys of offending rows.
        statistic: name, value and tolerance of the statistic used, where there is one.
        detail: one sentence a person can read (for a check that could not run or was skipped, why).
        series: for realism plots: ``{"labels": [...], "target": [...], "achieved": [...]}``.
        status: ``passed``, ``failed``, ``skipped`` or ``could_not_run`` (default: from ``passed``).
    """

    group: str
    name: str
    passed: bool
    table: str | None = None
    column: str | None = None
    violations: int = 0
    examples: list[Any] = field(default_factory=list)
    statistic: dict[str, Any] | None = None
    detail: str = ""
    series: dict[str, list] | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = PASSED if self.passed else FAILED
        elif self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")
        else:
            self.passed = self.status in (PASSED, SKIPPED)

    @classmethod
    def could_not_run(cls, group: str, name: str, reason: str, table: str | None = None,
                      column: str | None = None) -> CheckResult:
        """A result saying the check could not be evaluated, and why (counts as not passed)."""
        return cls(group, name, False, table, column, detail=f"could not run: {reason}", status=COULD_NOT_RUN)

    @classmethod
    def skipped(cls, group: str, name: str, reason: str, table: str | None = None,
                column: str | None = None) -> CheckResult:
        """A result saying the check does not apply to this run, and why (does not count against it)."""
        return cls(group, name, True, table, column, detail=f"skipped: {reason}", status=SKIPPED)

    def to_dict(self) -> dict:
        """A JSON-safe dict."""
        d = asdict(self)
        d["passed"] = bool(self.passed)
        d["violations"] = int(self.violations)
        d["examples"] = [_jsonable(x) for x in self.examples[:MAX_EXAMPLES]]
        if d["statistic"]:
            d["statistic"] = {k: _jsonable(v) for k, v in d["statistic"].items()}
        if d["series"]:
            d["series"] = {k: [_jsonable(v) for v in vals] for k, vals in d["series"].items()}
        return d


def _jsonable(x: Any) -> Any:
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if isinstance(x, (tuple, list)):
        return [_jsonable(v) for v in x]
    return str(x)


def examples_of(df: pd.DataFrame, mask: Any, key: list[str]) -> list:
    """Up to five key values (tuples for composite keys) of the rows where ``mask`` is true."""
    rows = df.loc[mask, key].head(MAX_EXAMPLES)
    if len(key) == 1:
        return rows[key[0]].tolist()
    return [tuple(r) for r in rows.itertuples(index=False, name=None)]


def mask_result(name: str, table: str | None, column: str | None, bad: Any, df: pd.DataFrame, key: list[str],
                detail: str, group: str = "integrity") -> CheckResult:
    """The result of a row rule: passed when no row of ``df`` is ``bad``, with example keys otherwise."""
    bad = np.asarray(bad, dtype=bool)
    n = int(bad.sum())
    return CheckResult(group=group, name=name, table=table, column=column, passed=n == 0, violations=n,
                       examples=examples_of(df, bad, key) if n else [], detail=detail)


def one_line(text: object, limit: int = 240) -> str:
    """``text`` on one line, at most ``limit`` characters (for reasons quoted from libraries)."""
    s = re.sub(r"\s+", " ", str(text)).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


class RunData:
    """A run folder: its manifest, its profile and lazy access to its tables.

    Args:
        path: the run folder (it must hold ``manifest.json``).
        profile: a profile name or path to use instead of the one the manifest records.

    Raises:
        InputError: when the folder is not a run (missing, empty, no or corrupt manifest, a manifest
            without the keys a run has, or naming a profile that cannot be loaded).
        ProfileError: when the profile given with ``profile`` cannot be loaded.
    """

    def __init__(self, path: Path, profile: str | Path | None = None) -> None:
        self.path, self.profile_source = Path(path), profile  # the --profile given, if any
        self.manifest = _read_manifest(self.path)
        mpath = self.path / "manifest.json"
        recorded = self.manifest["profile"]
        if profile is not None:
            self.loaded: LoadedProfile = load_profile(profile)
        else:
            self.loaded = _recorded_profile(mpath, recorded)
        #: Every agency of the profile, generated or not (see ``agencies`` for the generated ones).
        self.profile_agencies: tuple[str, ...] = tuple(self.loaded.profile.agencies)
        agencies = self.manifest.get("agencies")
        try:
            # A run may hold only some of the profile's agencies (generate --agencies).
            self.loaded = with_agencies(self.loaded, agencies)
        except InputError:
            unknown = [a for a in agencies or () if a not in self.profile_agencies]
            raise InputError(f"{mpath}: key 'agencies' names {', '.join(map(str, unknown))}, not agencies of "
                             f"profile {self.loaded.profile.name}; pass --profile with the run's profile") from None
        self.profile = self.loaded.profile
        self.profile_matches = self.loaded.sha256 == recorded.get("sha256")
        self._cache: dict[str, pd.DataFrame] = {}
        self._projection: dict[str, set[str]] = {}
        #: Inside :meth:`only_parts`: the part file names :meth:`truth` reads (a slice of the families).
        self._parts: list[str] | None = None
        self._sources: dict[str, str] = {}
        #: The DuckDB connection the SQL checks run on (memory-limited; see synth.validate.sqlrun).
        self.sql = Sql()

    @property
    def agencies(self) -> tuple[str, ...]:
        """The agencies this run holds (all of the profile's unless generated with --agencies)."""
        return tuple(self.profile.agencies)

    def file(self, folder: str, name: str) -> Path | None:
        """The folder of Parquet parts (or, in a CSV-only run, of CSV parts) of a table; None when absent."""
        found = find_table(self.path, folder, name)
        return None if found is None else found[0]

    def _read(self, folder: str, name: str) -> pd.DataFrame:
        key = f"{folder}/{name}"
        if key not in self._cache:
            path = self.file(folder, name)
            if path is None:
                raise CannotRun(f"{key} is missing from the run (no part files in {folder}/{name}/ or "
                                f"csv/{folder}/{name}/)")
            try:
                if not is_csv_dir(path):  # a folder of Parquet parts
                    self._cache[key] = pd.read_parquet(path)
                else:
                    self._cache[key] = pd.concat([pd.read_csv(p, low_memory=False) for p in csv_parts(path)],
                                                 ignore_index=True)
            except Exception as e:  # noqa: BLE001 - any reader failure means the file is unreadable
                rel = path.relative_to(self.path)
                raise CannotRun(f"{rel} is unreadable ({type(e).__name__}: {one_line(e, 160)})") from None
        return self._cache[key]

    def close(self) -> None:
        """Close the DuckDB connection (and its spill folder); it reopens if the run is queried again."""
        self.sql.close()
        self._sources.clear()

    def read(self, folder: str, name: str) -> pd.DataFrame:
        """A whole table by its folder and name (cached; prefer :meth:`source` or :meth:`columns` on big runs).

        Raises:
            CannotRun: when it is missing or unreadable.
        """
        return self._read(folder, name)

    def source(self, folder: str, name: str) -> str:
        """A table as a SQL source (streamed Parquet parts, with ``_f``/``_r`` giving each row's place).

        Raises:
            CannotRun: when it is missing, or a part's footer is unreadable.
        """
        key = f"{folder}/{name}"
        if key in self._sources:
            return self._sources[key]
        path = self.file(folder, name)
        if path is None:
            raise CannotRun(f"{key} is missing from the run (no part files in {folder}/{name}/ or "
                            f"csv/{folder}/{name}/)")
        if not is_csv_dir(path):
            try:
                for part in parquet_parts(path):
                    pq.read_schema(part)
            except Exception as e:  # noqa: BLE001 - any reader failure means the file is unreadable
                rel = path.relative_to(self.path)
                raise CannotRun(f"{rel} is unreadable ({type(e).__name__}: {one_line(e, 160)})") from None
        self._sources[key] = self.sql.source(path, lambda: self._read(folder, name))
        return self._sources[key]

    def agency_source(self, agency: str, table_key: str) -> str:
        """An agency table (by its key in the profile) as a SQL source (see :meth:`source`)."""
        return self.source(agency, self.profile.agencies[agency].tables[table_key].name)

    def columns(self, folder: str, name: str, columns: list[str]) -> pd.DataFrame:
        """Only these columns of a table (not cached; Parquet reads nothing else).

        Raises:
            CannotRun: when it is missing or unreadable.
        """
        key = f"{folder}/{name}"
        if key in self._cache:
            return self._cache[key][columns]
        path = self.file(folder, name)
        if path is None or is_csv_dir(path):
            return self._read(folder, name)[columns]
        self.source(folder, name)  # a missing or unreadable part: CannotRun
        return pd.read_parquet(path, columns=columns)

    def truth(self, name: str, fields: list[str] | None = None) -> pd.DataFrame:
        """A truth table (``truth/<name>``), or only ``fields`` of it; only projected columns inside :meth:`projected`.

        Raises:
            CannotRun: when it is missing or unreadable.
        """
        cols = self._projection.get(name)
        path = self.file("truth", name)
        if (self._parts is None and (cols is None or f"truth/{name}" in self._cache)) or path is None \
                or is_csv_dir(path):
            whole = self._read("truth", name)
            return whole if fields is None else whole[fields]
        self.source("truth", name)  # a missing or unreadable part: CannotRun
        schema = pq.read_schema(parquet_parts(path)[0])
        wanted = [c for c in schema.names if (cols is None or c in cols) and (fields is None or c in fields)]
        # Not cached: a measure's table is freed when it is done with it (the shared ones live in Truth).
        # Dates as datetime64 (the measures parse them with pd.to_datetime; date objects are slow and large).
        if self._parts is None:
            return pq.read_table(path, columns=wanted).to_pandas(date_as_object=False)
        files = [path / p for p in self._parts if (path / p).exists()]
        tables = [pq.read_table(f, columns=wanted) for f in files] or [schema.empty_table().select(wanted)]
        return pa.concat_tables(tables).to_pandas(date_as_object=False)

    def truth_parts(self) -> list[str]:
        """The part file names of the truth tables, in run order (empty for a CSV-only run)."""
        from synth.world.schema import TRUTH_TABLES

        paths = [p for p in (self.file("truth", name) for name in TRUTH_TABLES) if p and not is_csv_dir(p)]
        return sorted({part.name for path in paths for part in parquet_parts(path)})

    @contextmanager
    def only_parts(self, parts: list[str] | None) -> Iterator[None]:
        """Inside: :meth:`truth` reads only these part files, a slice of the families (all when None)."""
        before, self._parts = self._parts, parts
        try:
            yield
        finally:
            self._parts = before

    @contextmanager
    def projected(self, columns: dict[str, set[str]]) -> Iterator[None]:
        """Inside: :meth:`truth` reads only these columns of these tables, and does not cache them."""
        before = set(self._cache)
        self._projection = columns
        try:
            yield
        finally:
            self._projection = {}
            for key in set(self._cache) - before:
                del self._cache[key]

    def agency_table(self, agency: str, table_key: str) -> pd.DataFrame:
        """An agency table by its key in the profile.

        Raises:
            CannotRun: when it is missing or unreadable.
        """
        return self._read(agency, self.profile.agencies[agency].tables[table_key].name)

    def has(self, folder: str, name: str) -> bool:
        """Whether a table file exists."""
        return self.file(folder, name) is not None

    @property
    def seed(self) -> int:
        """The run's seed (from the manifest, else the profile's)."""
        return int(self.manifest.get("seed", self.profile.seed))


def _read_manifest(path: Path) -> dict:
    """The run's manifest, checked for the keys validation reads.

    Raises:
        InputError: when ``path`` is not a run folder, one line naming the file or key and the fix.
    """
    if not path.exists():
        raise InputError(f"{path}: no such run folder; {RUN_HINT}")
    if not path.is_dir():
        raise InputError(f"{path}: not a folder; {RUN_HINT}")
    manifest = path / "manifest.json"
    if not manifest.is_file():
        what = "an empty folder" if not any(path.iterdir()) else "not a run (no manifest.json)"
        raise InputError(f"{path}: {what}; {RUN_HINT}")
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise InputError(f"{manifest}: unreadable ({one_line(e, 120)}); regenerate the run") from None
    if not isinstance(doc, dict):
        raise InputError(f"{manifest}: not a run manifest (a JSON object is expected); regenerate the run")
    prof = doc.get("profile")
    if not isinstance(prof, dict) or not (isinstance(prof.get("name"), str) or isinstance(prof.get("path"), str)):
        raise InputError(f"{manifest}: key 'profile.name' is missing; regenerate the run, or pass --profile")
    seed = doc.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise InputError(f"{manifest}: key 'seed' must be an integer, not {seed!r}; regenerate the run")
    agencies = doc.get("agencies")
    if agencies is not None and (not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies)):
        raise InputError(f"{manifest}: key 'agencies' must be a list of agency names; regenerate the run")
    return doc


def _recorded_profile(manifest: Path, recorded: dict) -> LoadedProfile:
    """The profile the manifest records: by its path, else by its name.

    Raises:
        InputError: when neither can be loaded (one line naming the manifest key and --profile).
    """
    tried: list[str] = []
    problem = ""
    for source in (recorded.get("path"), recorded.get("name")):
        if not isinstance(source, str) or source in tried:
            continue
        tried.append(source)
        try:
            return load_profile(source)
        except ProfileError as e:
            problem = problem or one_line(str(e).splitlines()[0] if str(e) else type(e).__name__, 160)
        except Exception as e:  # noqa: BLE001 - any loader failure: the recorded profile is unusable
            problem = problem or one_line(f"{type(e).__name__}: {e}", 160)
    name = recorded.get("name") or recorded.get("path")
    raise InputError(f"{manifest}: key 'profile' names {name!r}, which cannot be loaded ({problem}); "
                     f"pass --profile NAME_OR_PATH")


def summarise(results: list[CheckResult]) -> dict:
    """Verdict per group and overall: a group passes when no check failed and none could not run."""
    groups = {}
    for g in GROUPS:
        rs = [r for r in results if r.group == g]
        failed = sum(r.status == FAILED for r in rs)
        cnr = sum(r.status == COULD_NOT_RUN for r in rs)
        groups[g] = {"passed": failed == 0 and cnr == 0, "checks": len(rs), "failed": failed,
                     "could_not_run": cnr, "skipped": sum(r.status == SKIPPED for r in rs)}
    return {"passed": all(v["passed"] for v in groups.values()), "groups": groups}
