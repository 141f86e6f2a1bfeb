"""The court calendar: working-day arithmetic, court dates on working days, the PLO, durations by year."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from synth.dates import (
    INF,
    add_working_days,
    bank_holidays,
    is_working_day,
    next_working_day,
    previous_working_day,
    to_days,
    weekday,
    working_day_within,
    working_days_between,
)
from synth.world.calendar import PLO_2014

EPOCH = dt.date(1970, 1, 1)


def _brute_working(day: int, hols: set[int]) -> bool:
    return (EPOCH + dt.timedelta(days=int(day))).weekday() < 5 and int(day) not in hols


@pytest.fixture(scope="module")
def days():
    rng = np.random.default_rng(12)
    return rng.integers(to_days(dt.date(2005, 1, 1)), to_days(dt.date(2030, 12, 1)), 400)


def test_bank_holidays_include_the_one_off_days_and_christmas():
    hols = set(bank_holidays().tolist())
    for d in (dt.date(2011, 4, 29), dt.date(2012, 6, 5), dt.date(2022, 9, 19), dt.date(2023, 5, 8),
              dt.date(2020, 5, 8), dt.date(2023, 12, 25), dt.date(2020, 12, 28)):
        assert to_days(d) in hols, d
    assert to_days(dt.date(2020, 5, 4)) not in hols  # May Day moved to Friday 8 May in 2020


def test_working_day_functions_match_a_brute_force_reference(days):
    hols = set(bank_holidays().tolist())
    work = np.array([_brute_working(d, hols) for d in days])
    assert (is_working_day(days) == work).all()
    assert (weekday(days) == np.array([(EPOCH + dt.timedelta(days=int(d))).weekday() for d in days])).all()
    nxt, prev = [], []
    for d in days:
        a = b = int(d)
        while not _brute_working(a, hols):
            a += 1
        while not _brute_working(b, hols):
            b -= 1
        nxt.append(a)
        prev.append(b)
    assert (next_working_day(days) == nxt).all()
    assert (previous_working_day(days) == prev).all()
    n = np.arange(len(days)) % 40
    got = add_working_days(days, n)
    for d, k, g in zip(nxt, n, got):
        x, left = d, k
        while left:
            x += 1
            left -= _brute_working(x, hols)
        assert g == x
    ends = days + n * 3
    want = [sum(_brute_working(x, hols) for x in range(int(a), int(b))) for a, b in zip(days, ends)]
    assert (working_days_between(days, ends) == want).all()


def test_blank_dates_pass_through_and_windows_pick_working_days(days):
    blank = np.array([INF, days[0]])
    assert add_working_days(blank, 3)[0] == INF and next_working_day(blank)[0] == INF
    assert not is_working_day(blank)[0]
    u = np.random.default_rng(3).random(len(days))
    pick = working_day_within(days, days + 6, u)
    assert is_working_day(pick).all() and (pick >= days).all() and (pick <= days + 6).all()


@pytest.fixture(scope="module")
def court(quality_run):
    p = quality_run.truth("proceeding")
    urgent = p.set_index("proceeding_id")["urgent"]
    h = quality_run.truth("hearing")
    return p, urgent, h


def _days(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s).dropna().to_numpy("datetime64[D]").astype(np.int64)


def test_non_urgent_court_dates_are_all_working_days(quality_run, court):
    p, urgent, h = court
    calm = p[~p["urgent"]]
    assert is_working_day(_days(calm["issue_date"])).all()
    assert is_working_day(_days(p["disposal_date"])).all()  # final hearings are never urgent
    hc = h[~h["proceeding_id"].map(urgent).to_numpy(bool)]
    assert is_working_day(_days(hc["hearing_date"])).all()
    # An urgent case's later hearings (all but its first) are on working days too.
    hu = h[h["proceeding_id"].map(urgent).to_numpy(bool) & (h["sequence"] > 1)]
    assert is_working_day(_days(hu["hearing_date"])).all()
    app = quality_run.truth("application")
    later = app[app["sequence"] > 0]
    assert is_working_day(_days(later["issue_date"])).all()
    orders = quality_run.truth("court_order")
    calm_orders = orders[~orders["proceeding_id"].map(urgent).to_numpy(bool)]
    assert is_working_day(_days(calm_orders["order_date"])).all()


def test_urgent_applications_fall_on_any_day(court):
    p, urgent, h = court
    u = p[p["urgent"]]
    assert (u["law_type"] == "public").all()
    wd = weekday(_days(u["issue_date"]))
    n = len(wd)
    share = float((wd >= 5).mean())
    assert n > 300
    assert abs(share - 2 / 7) < 4 * np.sqrt(2 / 7 * 5 / 7 / n), share
    # The first hearing of an urgent case is on its issue day.
    first = h[h["sequence"] == 1].set_index("proceeding_id")["hearing_date"]
    both = u.set_index("proceeding_id")["issue_date"].to_frame().join(first, how="inner")
    assert (pd.to_datetime(both["hearing_date"]) == pd.to_datetime(both["issue_date"])).all()


def test_emergency_protection_orders_are_made_only_on_urgent_cases(quality_run, court):
    _, urgent, _ = court
    o = quality_run.truth("court_order")
    epo = o[o["order_type"] == "emergency_protection_order"]
    assert len(epo) > 0 and epo["proceeding_id"].map(urgent).all()


def test_plo_case_management_hearing_between_day_12_and_day_18(court):
    p, urgent, h = court
    pub = p[(p["law_type"] == "public") & ~p["urgent"]]
    pub = pub[_days(pub["issue_date"]) >= PLO_2014]
    first = h[(h["sequence"] == 1) & ~h["is_final"]].set_index("proceeding_id")["hearing_date"]
    j = pub.set_index("proceeding_id")[["issue_date"]].join(first, how="inner")
    day = (pd.to_datetime(j["hearing_date"]) - pd.to_datetime(j["issue_date"])).dt.days + 1  # Day 1 = issue
    assert len(day) > 1000
    assert day.between(12, 18).all(), day.describe()


def test_care_duration_follows_the_published_trend_by_year_of_disposal(court):
    """FCSQ (stats.md 4a): the 26-week share rises to 2016-17 and falls after 2020; means follow."""
    p, _, _ = court
    done = p[(p["law_type"] == "public") & p["disposal_date"].notna()]
    weeks = (pd.to_datetime(done["disposal_date"]) - pd.to_datetime(done["issue_date"])).dt.days / 7
    year = pd.to_datetime(done["disposal_date"]).dt.year
    within = weeks <= 26

    def pooled(years):
        sel = year.isin(years)
        x = within[sel]
        return float(x.mean()), float(weeks[sel].mean()), int(sel.sum())

    pre, plo, late = pooled([2012, 2013]), pooled([2016, 2017]), pooled([2021, 2022])
    assert min(pre[2], plo[2], late[2]) > 300
    se = np.sqrt(0.25 / min(pre[2], plo[2], late[2])) * np.sqrt(2)
    assert plo[0] - pre[0] > 3 * se, (pre, plo)
    assert plo[0] - late[0] > 3 * se, (plo, late)
    # Published: 63% / 59% in 2016 / 2017, 23% in 2021 and 17% in Q1 2022.
    assert abs(plo[0] - 0.61) < 0.08 and abs(late[0] - 0.21) < 0.08, (plo, late)
    # Mean weeks: 26.6 / 28 (2016 / 2017), 45 (2021), 47-49 (2022).
    assert abs(plo[1] - 27.3) < 2.5 and abs(late[1] - 46.5) < 3.5, (plo, late)
