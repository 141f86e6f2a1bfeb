"""The privacy gate on a profile learned by ``synth learn``.

A small run is generated from the (staged) learned profile, and the agency's synthetic tables are
compared with the training tables by :func:`synth.learn.gate.run_gate`: exact copies of training
rows and rare quasi-identifier combinations (checks (a) and (c); no holdout exists here, so each
training table is split 50/50 by a fixed row hash for the baseline). A profile holds only
disclosure-controlled aggregates, so a breach would point at a learned distribution that is too
fine-grained.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from synth.export.sdv_metadata import id_columns
from synth.learn import gate
from synth.learn.read import Reader, coerce_column
from synth.learn.shape import identifying
from synth.profile.models import Agency

#: Families generated from the learned profile for the gate.
FAMILIES = 2000
SEED = 20240630


def read_training(reader: Reader, agency: Agency) -> dict[str, pd.DataFrame]:
    """Every non-identifying table of the agency, all declared columns, by physical name."""
    out = {}
    for key, table in agency.tables.items():
        if identifying(table):
            continue
        try:
            out[table.name] = reader.read(key, [c.name for c in table.columns])
        except Exception:  # noqa: BLE001 - a table learn does not need may be absent; it is then not gated
            continue
    return out


def check_profile(profile: Path, agency_key: str, training: dict[str, pd.DataFrame],
                  families: int = FAMILIES) -> list[dict]:
    """Generate ``families`` from ``profile`` and run the gate's checks (a) and (c) on the agency's tables."""
    from synth.pipeline import generate
    from synth.profile.loader import load_profile

    loaded = load_profile(profile)
    agency = loaded.profile.agencies[agency_key]
    with tempfile.TemporaryDirectory(prefix="synth-learn-gate-") as tmp:
        out = Path(tmp) / "run"
        generate(loaded, out, families=families, seed=SEED, duckdb=False)
        synthetic = {}
        for table in agency.tables.values():
            path = out / agency_key / table.name
            if table.name in training and path.exists():
                df = pd.read_parquet(path)
                synthetic[table.name] = pd.DataFrame({c.name: coerce_column(df[c.name], c.type) for c in table.columns
                                                      if c.name in df.columns})
    ids = {t.name: sorted(id_columns(t)) for t in agency.tables.values()}
    return gate.run_gate(training, synthetic, None, ids, checks=("exact_copies", "rare_combinations"))
