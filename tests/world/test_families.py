"""The family mechanism: repeat proceedings come from causes, not from a fixed floor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.world.context import build_context
from synth.world.truth import simulate_shard


@pytest.fixture(scope="module")
def shard() -> dict[str, pd.DataFrame]:
    ctx = build_context(load_profile("england_wales"), seed=11)
    return simulate_shard(ctx, 0, 10_000)


def _with_previous(proc: pd.DataFrame) -> pd.DataFrame:
    p = proc.sort_values(["family_id", "sequence"]).reset_index(drop=True)
    prev = p.groupby("family_id")[["issue_date", "disposal_date"]].shift()
    return p.assign(prev_issue=prev["issue_date"], prev_disposal=prev["disposal_date"])[p["sequence"] > 1]


def test_no_single_gap_after_a_disposal_holds_a_spike(shard):
    rep = _with_previous(shard["proceeding"])
    assert len(rep) > 1000  # enough repeats that 2% is a real bound (SE of a share near 1% is ~0.3%)
    gap = (pd.to_datetime(rep["issue_date"]) - pd.to_datetime(rep["prev_disposal"])).dt.days
    assert gap.value_counts().iloc[0] / len(rep) < 0.02
    between = (pd.to_datetime(rep["issue_date"]) - pd.to_datetime(rep["prev_issue"])).dt.days
    assert between.value_counts().iloc[0] / len(rep) < 0.02


def test_a_return_starts_its_pre_proceedings_work_after_the_previous_disposal(shard):
    rep = _with_previous(shard["proceeding"])
    start = pd.to_datetime(rep["pre_proceedings_start"])
    assert (start >= pd.to_datetime(rep["prev_disposal"])).all()
    assert (start < pd.to_datetime(rep["issue_date"])).all()
    # Some returns were held back by the previous proceeding (work starts on the disposal day or
    # soon after) and many were not: the gap is a mixture, not a floor.
    lag = (start - pd.to_datetime(rep["prev_disposal"])).dt.days
    assert 0.1 < float(np.mean(lag == 0)) < 0.6
