"""The WDS background population: deterministic chunks, Welsh areas, ages of a life table, namesakes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.views.background import SNAPSHOT_DAY, background_chunk, background_chunks, background_size


def test_chunks_are_deterministic_and_lazy():
    a, b = background_chunk(3, 2, 5000), background_chunk(3, 2, 5000)
    pd.testing.assert_frame_equal(a, b)
    assert not background_chunk(4, 2, 5000)["forename"].equals(a["forename"])
    parts = list(background_chunks(3, 12_345, chunk=5000))
    assert [len(p) for p in parts] == [5000, 5000, 2345]
    ids = np.concatenate([p["person_id"].to_numpy() for p in parts])
    assert len(np.unique(ids)) == len(ids)


def test_people_live_in_wales_at_life_table_ages():
    c = background_chunk(1, 0, 100_000)
    assert c["lsoa_code"].str.startswith("W01").all() and c["la_code"].str.startswith("W06").all()
    age = (SNAPSHOT_DAY - c["date_of_birth"].to_numpy("datetime64[D]")).astype(int) / 365.25
    assert age.min() >= 0 and age.max() < 102
    assert 38 < age.mean() < 45  # stationary population of the UK 2010-12 life table: about 41
    assert 0.17 < (age < 15).mean() < 0.21


def test_namesakes_born_on_the_same_day_exist():
    c = pd.concat(list(background_chunks(2, 600_000)))
    shared = c.duplicated(["forename", "surname", "date_of_birth"], keep=False)
    assert 0 < shared.mean() < 0.01


def test_size_scales_with_the_run_and_is_capped_for_small_runs():
    assert background_size(1_000_000, 100_000) == 2_000_000  # capped: 20 per spine person
    assert background_size(1_000_000, 200_000) == 3_100_000  # the Welsh population
    assert background_size(3_000, 1_000) == 9_300  # scaled: 3,100,000 x 3,000 / 1,000,000
