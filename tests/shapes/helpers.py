"""What the shape tests share: a run of some agencies, and a query in a real dialect with lower-case columns."""

from __future__ import annotations

import pandas as pd

from synth.pipeline import generate
from synth.profile.loader import load_profile, with_agencies
from synth.sql import query
from tests.conftest import Run


def agency_run(tmp_path_factory, profile: str, agencies: list[str], families: int, seed: int | None = None) -> Run:
    """A run of ``profile`` with only ``agencies`` (the truth is always written)."""
    loaded = with_agencies(load_profile(profile), agencies)
    path = tmp_path_factory.mktemp(f"shapes-{'-'.join(agencies)}") / "run"
    generate(loaded, path, families=families, seed=seed)
    return Run(path, loaded)


def ask(run: Run, dialect: str, sql: str) -> pd.DataFrame:
    """``sql`` in ``dialect`` (presto, db2, ...) on the run, with the columns in lower case."""
    out = query(run.path, sql, dialect=dialect)
    out.columns = [c.lower() for c in out.columns]
    return out
