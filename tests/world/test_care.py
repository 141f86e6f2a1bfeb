"""Care episodes follow the orders: onset, the final order, adoption, leaving care; deterministic."""

import numpy as np
import pandas as pd
import pytest

from synth.keys import EPISODE_STRIDE
from synth.profile.loader import load_profile
from synth.rng import generator
from synth.world import care
from synth.world.context import build_context
from synth.world.truth import simulate_shard

Z = 4.0
HOME = ("supervision_order", "no_order", "withdrawn", "refused")


@pytest.fixture(scope="module")
def shard():
    """One full shard of the default profile (10,000 families), care tables included."""
    ctx = build_context(load_profile("england_wales"))
    return ctx, simulate_shard(ctx, 0, 10_000)


def _d(s):
    return pd.to_datetime(s, cache=False)


def _orders(tables) -> pd.DataFrame:
    """Public law subject children with a final order, their birth and 18th birthday and next issue."""
    p, pc, person = tables["proceeding"], tables["proceeding_child"], tables["person"]
    c = pc.merge(p[["proceeding_id", "law_type", "issue_date", "disposal_date"]], on="proceeding_id")
    c = c[(c["law_type"] == "public")].merge(person[["person_id", "date_of_birth"]], on="person_id")
    c = c.sort_values(["person_id", "issue_date"])
    c["next_issue"] = c.groupby("person_id")["issue_date"].shift(-1)
    c["adult"] = _d(c["date_of_birth"]) + pd.DateOffset(years=18)
    return c[c["outcome"].notna()]


def _in_effect(eps: pd.DataFrame, person_day: pd.DataFrame) -> pd.DataFrame:
    """The episode in effect on ``day`` for each (person_id, day) row (inner join)."""
    m = person_day.merge(eps, on="person_id")
    s, e = _d(m["start_date"]), _d(m["end_date"])
    return m[(s <= m["day"]) & (e.isna() | (e > m["day"]))]


def test_final_orders_decide_what_follows(shard):
    ctx, t = shard
    eps, end = t["care_episode"], pd.Timestamp(ctx.end, unit="D")
    o = _orders(t)
    day = _d(o["disposal_date"])
    usable = (day <= end) & (day < o["adult"]) & (_d(o["date_of_birth"]) < day) & (
        o["next_issue"].isna() | (_d(o["next_issue"]) > day))
    o = o[usable].assign(day=day[usable])
    # A care order: every such child is looked after on C2 from the disposal date.
    co = o[o["outcome"] == "care_order"]
    got = _in_effect(eps, co[["person_id", "day"]])
    assert len(co) > 500 and len(got) == len(co)
    assert (got["legal_status"] == "C2").all()
    # A placement order: E1 from the disposal.
    cp = o[o["outcome"] == "care_and_placement_order"]
    got = _in_effect(eps, cp[["person_id", "day"]])
    assert len(cp) > 200 and len(got) == len(cp) and (got["legal_status"] == "E1").all()
    # SGO, going home, child arrangements: a child looked after the day before leaves care that day.
    for outcomes, recs in (({"special_guardianship_order"}, {"E45", "E46", "E47", "E48"}), (set(HOME), {"E4A"}),
                           ({"child_arrangements_order"}, {"E41"})):
        x = o[o["outcome"].isin(outcomes)]
        before = _in_effect(eps, x[["person_id", "day"]].assign(day=x["day"] - pd.Timedelta(days=1)))
        assert len(before) > 50
        assert (_d(before["end_date"]) == before["day"] + pd.Timedelta(days=1)).all()
        assert set(before["reason_ceased"]) <= recs
        assert _in_effect(eps, x[["person_id", "day"]]).empty


def test_adoptions_follow_placement_orders_and_adoption_placements(shard):
    _, t = shard
    eps = t["care_episode"]
    adopted = eps[eps["reason_ceased"].isin(["E11", "E12"])]
    assert len(adopted) > 50
    assert adopted["placement"].isin(["A5", "A6"]).all() and (adopted["legal_status"] == "E1").all()
    placed_by_order = set(t["proceeding_child"].loc[t["proceeding_child"]["outcome"] == "care_and_placement_order",
                                                     "person_id"])
    assert set(adopted["person_id"]) <= placed_by_order
    a = t["adoption"]
    m = adopted.merge(a, left_on=["person_id", "end_date"], right_on=["person_id", "adoption_date"])
    assert len(m) == len(adopted) == int(a["adoption_date"].notna().sum())
    assert (_d(a["decision_date"]) <= _d(a["placement_order_date"])).all()
    placed = a[a["placed_date"].notna()]
    assert (_d(placed["placement_order_date"]) <= _d(placed["match_date"])).all()
    assert (_d(placed["match_date"]) <= _d(placed["placed_date"])).all()
    # FOSTER_CARE (adopted by the foster carers) is exactly a placement with the current carers (A5).
    assert (m["foster_carer"] == (m["placement"] == "A5")).all()
    # A decision that ceases gives way to a care order that day.
    ceased = a[a["ceased_date"].notna()]
    got = _in_effect(t["care_episode"], ceased[["person_id"]].assign(day=_d(ceased["ceased_date"])))
    assert len(got) == len(ceased) and (got["legal_status"] == "C2").all()


def test_about_three_quarters_are_looked_after_at_the_onset(shard):
    from synth.validate.observers.care import Care, care_onset

    ctx, t = shard

    class _T:  # the parts of synth.validate.realism.Truth that Care reads
        class run:
            profile = load_profile("england_wales").profile

            @staticmethod
            def truth(name):
                return t[name]

        person, proc, pc = t["person"], t["proceeding"], t["proceeding_child"]

    o = care_onset(Care(_T))
    state = o.loc[o["state"] != "continuing", "state"]
    n = len(state)
    share = (state != "at_home").mean()
    assert abs(share - 0.75) < Z * np.sqrt(0.75 * 0.25 / n)
    assert (state == "section_20").mean() > 0.2


def test_episodes_are_contiguous_and_within_the_period_and_childhood(shard):
    ctx, t = shard
    eps = t["care_episode"].sort_values(["person_id", "period", "start_date"])
    s, e = _d(eps["start_date"]), _d(eps["end_date"])
    same = (eps[["person_id", "period"]].shift(-1) == eps[["person_id", "period"]]).all(axis=1)
    assert (s.shift(-1)[same] == e[same]).all()
    assert (eps.loc[same, "reason_ceased"] == "X1").all()
    assert (eps.loc[~same & e.notna(), "reason_ceased"] != "X1").all()
    assert (e.isna() | (e > s)).all()
    dob = _d(eps["person_id"].map(t["person"].set_index("person_id")["date_of_birth"]))
    assert (s >= dob).all() and (e.isna() | (e <= dob + pd.DateOffset(years=18) + pd.Timedelta(days=1))).all()
    start, end = pd.Timestamp(ctx.start, unit="D"), pd.Timestamp(ctx.end, unit="D")
    assert (s >= start).all() and (s <= end).all() and (e.isna() | (e <= end)).all()
    assert (_d(eps["observed_to"]) == e.fillna(end)).all()
    assert (eps["episode_id"] // EPISODE_STRIDE == eps["person_id"]).all() and eps["episode_id"].is_unique


def test_reviews_follow_the_statutory_schedule(shard):
    ctx, t = shard
    r = t["care_review"].sort_values(["person_id", "review_date"])
    eps = t["care_episode"]
    first = eps[eps["rne"] == "S"][["person_id", "proceeding_id", "start_date"]]
    m = r.merge(first, on=["person_id", "proceeding_id"]).sort_values(["person_id", "start_date", "review_date"])
    assert len(m) == len(r)
    k = m.groupby(["person_id", "start_date"]).cumcount()
    gap = (_d(m["review_date"]) - _d(m.groupby(["person_id", "start_date"])["review_date"].shift())).dt.days
    assert ((_d(m["review_date"]) - _d(m["start_date"])).dt.days[k == 0].between(1, 28)).all()
    assert gap[k == 1].le(91).all() and gap[k >= 2].between(151, 182).all()
    dob = _d(r["person_id"].map(t["person"].set_index("person_id")["date_of_birth"]))
    under4 = _d(r["review_date"]) < dob + pd.DateOffset(years=4)
    assert ((r["review_code"] == "PN0") == under4).mean() > 0.999
    assert r["review_id"].is_unique


def test_missing_episodes_lie_in_care_and_do_not_overlap(shard):
    _, t = shard
    m = t["care_missing"].sort_values(["person_id", "start_date"])
    assert len(m) > 100 and set(m["missing_type"]) == {"M", "A"}
    s, e = _d(m["start_date"]), _d(m["end_date"])
    assert (e.isna() | (e >= s)).all()
    prev_end = e.groupby(m["person_id"]).shift()
    assert not (prev_end.notna() & (s <= prev_end)).any()
    got = _in_effect(t["care_episode"], m[["missing_id", "person_id"]].assign(day=s))
    assert got["missing_id"].nunique() == len(m)


def test_care_is_deterministic_and_leaves_the_other_truth_unchanged(shard, monkeypatch):
    ctx, t = shard
    again = care.care_tables(ctx, t, generator(ctx.seed, "care", 0))
    for name, df in again.items():
        pd.testing.assert_frame_equal(df, t[name])
    full = simulate_shard(ctx, 3, 300)
    monkeypatch.setattr(care, "care_tables", lambda *a, **k: {})
    small = simulate_shard(ctx, 3, 300)
    # The court's interim care orders follow the care model's C1 spells (synth/world/orders.py).
    court_tables = {"application", "application_order", "court_order", "court_event"}
    for name, df in small.items():
        if name not in court_tables:
            pd.testing.assert_frame_equal(df, full[name])
    assert {"care_episode", "care_review", "care_missing", "adoption"} <= set(full)


def test_the_care_distributions_are_reproduced(quality_run):
    from synth.validate.core import RunData
    from synth.validate.realism import check_realism

    results = check_realism(RunData(quality_run.path))
    mine = [r for r in results if r.name.startswith(("distribution:care", "distribution:adoption"))
            or r.name == "distribution:adopters"]
    assert len(mine) >= 30
    assert all(r.passed for r in mine), [(r.name, r.table, r.statistic) for r in mine if not r.passed]
