"""Deaths: the life-table draw, its left truncation at the last activity, and a simulated shard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.rng import generator
from synth.world import deaths
from synth.world.context import build_context
from synth.world.truth import simulate_shard

N = 200_000
#: qx of the shipped table (ONS national life table, UK 2010-2012; reference/life_table.csv).
Q0_MALE, Q45_MALE, Q30_FEMALE = 0.004722, 0.002267, 0.000379


def _within(share: float, q: float, n: int) -> bool:
    return abs(share - q) <= 4 * np.sqrt(q * (1 - q) / n)


def test_newborns_die_in_their_first_year_at_the_life_table_rate():
    age = deaths.draw_age_at_death(np.ones(N, dtype=np.int64), np.zeros(N), generator(1, "t"))
    assert _within(float((age < 1).mean()), Q0_MALE, N)


def test_a_draw_conditional_on_survival_starts_at_the_entry_age():
    # Men known alive at 45: none dies before 45, and they die within the year at q45.
    age = deaths.draw_age_at_death(np.ones(N, dtype=np.int64), np.full(N, 45.0), generator(2, "t"))
    assert (age >= 45).all()
    assert _within(float((age < 46).mean()), Q45_MALE, N)
    women = deaths.draw_age_at_death(np.full(N, 2), np.full(N, 30.0), generator(3, "t"))
    assert _within(float((women < 31).mean()), Q30_FEMALE, N)
    # Expectation of life at birth near the table's 78.7 (male) years.
    e0 = deaths.draw_age_at_death(np.ones(N, dtype=np.int64), np.zeros(N), generator(4, "t")).mean()
    assert abs(e0 - 78.7) < 0.5


def test_the_draw_is_a_function_of_the_stream():
    sex, entry = np.array([1, 2, 9] * 100), np.linspace(0, 90, 300)
    a = deaths.draw_age_at_death(sex, entry, generator(5, "t"))
    b = deaths.draw_age_at_death(sex, entry, generator(5, "t"))
    c = deaths.draw_age_at_death(sex, entry, generator(6, "t"))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_last_activity_covers_children_proceedings_and_care():
    day = lambda s: np.datetime64(s, "D")  # noqa: E731
    person = pd.DataFrame({
        "person_id": [1, 2, 3], "date_of_birth": pd.to_datetime(["1980-01-01", "1982-01-01", "2005-06-01"]),
        "mother_id": pd.array([None, None, 1], "Int64"), "father_id": pd.array([None, None, 2], "Int64"),
    })
    proceeding = pd.DataFrame({"proceeding_id": [10, 11],
                               "disposal_date": pd.to_datetime(["2012-03-01", None])})
    party = pd.DataFrame({"proceeding_id": [10, 11], "person_id": [1, 3]})
    care = pd.DataFrame({"person_id": [2], "start_date": pd.to_datetime(["2019-05-05"])})
    end = int(day("2024-03-31").astype(np.int64))
    last = deaths.last_activity({"person": person, "proceeding": proceeding, "proceeding_party": party,
                                 "care_episode": care}, end)
    assert last.astype("datetime64[D]").tolist() == [
        day("2012-03-01").item(),  # the mother: her case closed after her child's birth
        day("2019-05-05").item(),  # the father: a care record about him (conception alone is earlier)
        day("2024-03-31").item(),  # the child: party to a case still open at the period end
    ]


@pytest.fixture(scope="module")
def shard():
    ctx = build_context(load_profile("wales_sail"), seed=11)
    return ctx, simulate_shard(ctx, 0, 3000)


def test_simulated_deaths_follow_every_activity_and_end_with_the_period(shard):
    ctx, tables = shard
    person = tables["person"]
    dod = person["date_of_death"].to_numpy("datetime64[D]").astype(np.int64)
    died = person["date_of_death"].notna().to_numpy()
    assert 0.002 < died.mean() < 0.05, "a few per cent die over fourteen years, not none or most"
    assert (dod[died] <= ctx.end).all()
    last = deaths.last_activity(tables, ctx.end)
    assert (dod[died] >= last[died]).all(), "nobody acts after their death"
    assert (dod[died] >= person["date_of_birth"].to_numpy("datetime64[D]").astype(np.int64)[died]).all()
    # Same seed, same deaths.
    again = simulate_shard(ctx, 0, 3000)["person"]["date_of_death"]
    assert again.equals(person["date_of_death"])
