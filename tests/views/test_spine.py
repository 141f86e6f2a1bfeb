"""The WDSD spine's row sources: address periods and GP registrations within each person's life."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.rng import generator
from synth.views.spine import OPEN_END, SNAPSHOT, lsoa_2001, spine_address
from synth.views.spine_gp import practice_of, spine_gp
from synth.world.context import build_context
from synth.world.truth import simulate_shard

DAY = np.timedelta64(1, "D")


@pytest.fixture(scope="module")
def spine():
    ctx = build_context(load_profile("wales_sail"), seed=5)
    truth = simulate_shard(ctx, 0, 2500)
    covered = {"person": truth["person"]}
    covered["spine_address"] = spine_address(covered, truth, generator(5, "a"), 5)
    gp = spine_gp(covered, truth, generator(5, "g"), 5)
    return truth, covered["spine_address"], gp


def _periods_tile_each_life(rows: pd.DataFrame, person: pd.DataFrame) -> None:
    """Per person: periods follow on day by day; the last is open (9999-12-31) or ends at death."""
    rows = rows.sort_values(["person_id", "from_date"])
    start = rows["from_date"].to_numpy("datetime64[D]")
    end = rows["to_date"].to_numpy("datetime64[D]")
    pid = rows["person_id"].to_numpy()
    same = pid[1:] == pid[:-1]
    assert (start[1:][same] - end[:-1][same] == DAY).all()
    assert (end >= start).all()
    last = np.concatenate([~same, [True]])
    dod = person.set_index("person_id")["date_of_death"].reindex(pid[last]).to_numpy("datetime64[D]")
    assert (end[last][np.isnat(dod)] == OPEN_END).all()
    assert (end[last][~np.isnat(dod)] == dod[~np.isnat(dod)]).all()
    dob = person.set_index("person_id")["date_of_birth"].reindex(pid).to_numpy("datetime64[D]")
    assert (start >= dob).all()


def test_address_periods_cover_each_life_without_gaps_or_overlaps(spine):
    truth, add, _ = spine
    person = truth["person"]
    assert set(add["person_id"]) == set(person["person_id"])
    _periods_tile_each_life(add, person)
    avail = add["available_date"].to_numpy("datetime64[D]")
    assert (avail >= add["from_date"].to_numpy("datetime64[D]")).all() and (avail <= SNAPSHOT).all()


def test_gp_registrations_follow_moves_with_a_lag(spine):
    truth, add, gp = spine
    person = truth["person"]
    assert set(gp["person_id"]) == set(person["person_id"])
    _periods_tile_each_life(gp, person)
    # Registrations change after some moves, not all: fewer registrations than addresses.
    per_person_gp = gp.groupby("person_id").size()
    per_person_add = add.groupby("person_id").size()
    assert (per_person_gp <= per_person_add.reindex(per_person_gp.index)).all()
    assert 1 < gp["person_id"].size / person["person_id"].size < add["person_id"].size / person["person_id"].size
    # A practice is the same encrypted code wherever it serves.
    assert gp["practice_code"].nunique() > 20


def test_practices_serve_blocks_of_lsoas_and_lsoa2001_keeps_unchanged_codes():
    codes = np.array(["W01000001", "W01000004", "W01000005", "W01001896", "W01001897", None], dtype=object)
    prac = practice_of(codes)
    assert prac[0] == prac[1] != prac[2]
    assert lsoa_2001(codes).tolist() == ["W01000001", "W01000004", "W01000005", "W01001896", None, None]
