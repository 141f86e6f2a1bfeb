"""Cafcass's own involvement: it ends at the first hearing in private law unless a report is ordered."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.world.cafcass import involvement_end
from synth.world.context import build_context
from synth.world.truth import simulate_shard


@pytest.fixture(scope="module")
def shard() -> dict[str, pd.DataFrame]:
    ctx = build_context(load_profile("england_wales"), seed=4)
    return simulate_shard(ctx, 0, 6_000)


def test_involvement_ends_at_the_first_hearing_or_the_final_order():
    law = np.array(["private", "private", "private", "public"])
    end = involvement_end(law, np.array([500, 500, -1, 900]), np.array([100, 100, -1, 120]),
                          np.array([False, True, False, False]))
    assert end.tolist() == [100, 500, -1, 900]


def test_cafcass_works_to_the_first_hearing_unless_a_report_is_ordered(shard):
    p, h = shard["proceeding"], shard["hearing"]
    first = p["proceeding_id"].map(h[h["sequence"] == 1].set_index("proceeding_id")["hearing_date"])
    end = pd.to_datetime(p["cafcass_end_date"])
    private = (p["law_type"] == "private").to_numpy()
    report = p["welfare_report"].to_numpy(bool)
    assert not report[~private].any()
    same = end.eq(pd.to_datetime(p["disposal_date"])) | (end.isna() & p["disposal_date"].isna())
    assert same[~private | report].all()  # public law and reports: to the final order
    early = private & ~report & first.notna().to_numpy()
    assert (end[early] == pd.to_datetime(first[early])).all()
    # Reports at the stated share, within 4 standard errors of the private law cases.
    n = int(private.sum())
    assert abs(report[private].mean() - 0.44) < 4 * math.sqrt(0.44 * 0.56 / n)
