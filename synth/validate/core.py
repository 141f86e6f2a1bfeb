"""What every validator shares: the run being validated and the result of one check.

Checks never raise halfway: a check that cannot be evaluated returns a failed result that says
why. Only a run that cannot be read at all (no manifest, no profile) raises a SynthError.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from synth.errors import InputError, ProfileError
from synth.profile.loader import LoadedProfile, load_profile, with_agencies

GROUPS = ("integrity", "realism", "privacy")
MAX_EXAMPLES = 5


@dataclass
class CheckResult:
    """The outcome of one check.

    Attributes:
        group: ``integrity``, ``realism`` or ``privacy``.
        name: a stable id of the check, e.g. ``primary_key_unique``.
        passed: whether it passed.
        table: ``agency/table`` or ``truth/table`` it looked at, if any.
        column: the column, if any.
        violations: how many rows (or units) broke it.
        examples: up to five example keys of offending rows.
        statistic: name, value and tolerance of the statistic used, where there is one.
        detail: one sentence a person can read.
        series: for realism plots: ``{"labels": [...], "target": [...], "achieved": [...]}``.
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


def _jsonable(x):
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float) and x != x:
        return None
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if isinstance(x, (tuple, list)):
        return [_jsonable(v) for v in x]
    return str(x)


def examples_of(df: pd.DataFrame, mask, key: list[str]) -> list:
    """Up to five key values (tuples for composite keys) of the rows where ``mask`` is true."""
    rows = df.loc[mask, key].head(MAX_EXAMPLES)
    if len(key) == 1:
        return rows[key[0]].tolist()
    return [tuple(r) for r in rows.itertuples(index=False, name=None)]


class RunData:
    """A run folder: its manifest, its profile and lazy access to its tables.

    Args:
        path: the run folder (it must hold ``manifest.json``).
        profile: a profile name or path to use instead of the one the manifest records.

    Raises:
        InputError: when the folder or its manifest is missing or unreadable.
        ProfileError: when the profile cannot be loaded.
    """

    def __init__(self, path: Path, profile: str | Path | None = None):
        self.path = Path(path)
        manifest = self.path / "manifest.json"
        if not self.path.is_dir():
            raise InputError(f"{self.path}: no such run folder; give a folder made by `synth generate`")
        if not manifest.is_file():
            raise InputError(f"{self.path}: no manifest.json; give a folder made by `synth generate`")
        try:
            self.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(f"{manifest}: unreadable ({e}); regenerate the run") from None
        recorded = self.manifest.get("profile", {})
        source = profile or recorded.get("path") or recorded.get("name")
        try:
            self.loaded: LoadedProfile = load_profile(source)
        except ProfileError as e:
            if profile is None and recorded.get("name") and source != recorded.get("name"):
                self.loaded = load_profile(recorded["name"])
            else:
                raise e
        # A run may hold only some of the profile's agencies (generate --agencies).
        self.loaded = with_agencies(self.loaded, self.manifest.get("agencies"))
        self.profile = self.loaded.profile
        self.profile_matches = self.loaded.sha256 == recorded.get("sha256")
        self._cache: dict[str, pd.DataFrame] = {}

    def _read(self, folder: str, name: str) -> pd.DataFrame:
        key = f"{folder}/{name}"
        if key not in self._cache:
            pq = self.path / folder / f"{name}.parquet"
            csv = pq.with_suffix(".csv")
            if pq.exists():  # a file, or a folder of part files
                self._cache[key] = pd.read_parquet(pq)
            elif csv.is_file():
                self._cache[key] = pd.read_csv(csv, low_memory=False)
            else:
                raise FileNotFoundError(f"{key} is missing from {self.path}")
        return self._cache[key]

    def truth(self, name: str) -> pd.DataFrame:
        """A truth table (``truth/<name>``)."""
        return self._read("truth", name)

    def agency_table(self, agency: str, table_key: str) -> pd.DataFrame:
        """An agency table by its key in the profile."""
        return self._read(agency, self.profile.agencies[agency].tables[table_key].name)

    def has(self, folder: str, name: str) -> bool:
        """Whether a table file exists."""
        return (self.path / folder / f"{name}.parquet").exists() or (self.path / folder / f"{name}.csv").is_file()

    @property
    def seed(self) -> int:
        return int(self.manifest.get("seed", self.profile.seed))


def summarise(results: list[CheckResult]) -> dict:
    """Verdict per group and overall."""
    groups = {}
    for g in GROUPS:
        rs = [r for r in results if r.group == g]
        groups[g] = {"passed": all(r.passed for r in rs), "checks": len(rs), "failed": sum(not r.passed for r in rs)}
    return {"passed": all(v["passed"] for v in groups.values()), "groups": groups}
