"""Parts of the care mechanism (synth.world.care): placements, reviews, missing episodes, adoptions.

All functions are vectorised over the care periods of one shard and draw only from the rng passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.dates import INF, add_years, days_of, to_dates
from synth.keys import EPISODE_STRIDE, keyed_id
from synth.profile.mechanisms import AGE_BANDS
from synth.world import ids
from synth.world import sampling as S

if TYPE_CHECKING:
    from synth.world.context import WorldContext

#: Columns of one kind of care record (periods, events, exits, moves) as parallel arrays.
Columns = dict[str, np.ndarray]

ENTRY, LS, RANDOM, PLANNED_P1, PLANNED_ADOPT = range(5)
#: Most unplanned moves in one period of care: far above any real history (about 17 in 14 years at
#: one move per 300 days), and it keeps a child's episodes (at most 8 periods) under EPISODE_STRIDE.
MAX_MOVES = 100
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
#: A short-term foster placement that becomes long term with the same carers (RNE T).
LONG_TERM = {"U2": "U1", "U3": "U1", "U5": "U4", "U6": "U4"}
PLACEMENT_GROUPS = {
    "foster_kinship": ("U1", "U2", "U3"), "foster_other": ("U4", "U5", "U6"),
    "residential": ("K1", "K2", "R1", "R3", "S1"), "public_other": ("R2", "R5"),
    "independent": ("H5", "P2", "P3"), "adoption": ("A3", "A4", "A5", "A6"),
}
#: Ofsted-registered placements carry an SC URN; schools a 7-digit one; CQC/adoption XXXXXXX (schemas.md 3.2).
URN_SC = ("K1", "K2", "R1", "R3", *FOSTER)
URN_X = ("A3", "A4", "A5", "A6", "R2")
#: Statutory review schedule (Care Planning, Placement and Case Review (England) Regulations 2010,
#: reg. 33): first within 20 working days (28 calendar days) of becoming looked after, the second
#: within 3 months of it, then within 6 months of the previous; each held in the last 14 (first)
#: or 31 days before it is due (an assumption).
REVIEW_DUE = (28, 91, 182)
REVIEW_WINDOW = (14, 31, 31)
BAND_YEARS = (0, 1, 5, 10, 16, 18)


def _shift(a: np.ndarray, group: np.ndarray, fill: object = None) -> np.ndarray:
    """The previous element within runs of a sorted ``group`` (``fill`` at each run's start)."""
    out = np.empty(len(a), dtype=object if fill is None else a.dtype)
    if len(a):
        out[1:] = a[:-1]
        out[0] = fill
        out[1:][group[1:] != group[:-1]] = fill
    return out


def _ffill_index(mask: np.ndarray) -> np.ndarray:
    idx = np.arange(len(mask))
    return np.maximum.accumulate(np.where(mask, idx, 0)) if len(mask) else idx


def group_of(code: np.ndarray) -> np.ndarray:
    """Placement group of each placement code (None for P1, Z1 and temporary moves)."""
    out = np.full(len(code), None, dtype=object)
    for g, codes in PLACEMENT_GROUPS.items():
        out[np.isin(code, codes)] = g
    return out


def random_moves(ctx: WorldContext, periods: Columns, events: Columns, exits: Columns,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Unplanned placement moves at the rate ``care_placement_move`` (per year) from each period's
    entry until its exit, its first planned move (P1, adoption placement) or the period end."""
    npd = len(periods["entry"])
    p_exit = np.full(npd, INF)
    p_exit[exits["period"]] = exits["date"]
    planned = events["kind"] >= PLANNED_P1
    first_planned = np.full(npd, INF)
    np.minimum.at(first_planned, events["period"][planned], events["date"][planned])
    wend = np.minimum(np.minimum(p_exit, first_planned), ctx.end + 1)
    act = np.flatnonzero(~periods["p1"].astype(bool) & (wend > periods["entry"] + 1))
    rate = max(ctx.dists["care_placement_move"].mean, 1e-9)
    last = periods["entry"][act].copy()
    t = last.astype(float)
    out_p, out_d = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for _ in range(MAX_MOVES):
        if not len(act):
            break
        t = t + rng.exponential(S.YEAR / rate, len(act))
        # A move within a day of the last change happens the next day (episodes are never zero-length).
        day = np.maximum(np.floor(t).astype(np.int64), last + 1)
        ok = day < wend[act]
        out_p.append(act[ok])
        out_d.append(day[ok])
        act, t, last = act[ok], t[ok], day[ok]
    p, dte = np.concatenate(out_p), np.concatenate(out_d)
    o = np.lexsort((dte, p))
    return {"period": p[o], "date": dte[o]}


def placements(ctx: WorldContext, periods: Columns, events: Columns, moves: Columns, person: pd.DataFrame,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every placement event of every period (entry, unplanned move, planned move) with its placement,
    carer, provider, address, URN and the reason for the change."""
    d, geo = ctx.dists, ctx.geo
    npd = len(periods["entry"])
    pm = events["kind"] >= PLANNED_P1
    period = np.concatenate([np.arange(npd), moves["period"], events["period"][pm]])
    date = np.concatenate([periods["entry"], moves["date"], events["date"][pm]])
    kind = np.concatenate([np.full(npd, ENTRY), np.full(len(moves["date"]), RANDOM), events["kind"][pm]])
    arow = np.concatenate([np.full(npd + len(moves["date"]), -1), events["adopt"][pm]])
    o = np.lexsort((kind, date, period))
    period, date, kind, arow = period[o], date[o], kind[o], arow[o]
    m = len(period)
    band = S.age_band(date - periods["dob"][period])
    drawn = d["care_placement_type"].sample(rng, m, band) if m else np.zeros(0, dtype=object)
    drawn = np.where((kind == ENTRY) & periods["p1"][period].astype(bool), "P1", drawn)
    drawn = np.where(kind == PLANNED_P1, "P1", np.where(kind == PLANNED_ADOPT, "", drawn)).astype(object)
    # Unplanned moves from a short-term foster placement: sometimes it becomes long term with the
    # same carers (T). A T never follows a T (the placement is long term by then).
    same_u = d["care_placement_move_same_carer"].sample(rng, m)
    prev = _shift(drawn, period)
    cand = (kind == RANDOM) & np.isin(prev, list(LONG_TERM)) & same_u
    pos0 = _ffill_index(~cand)
    t_move = cand & ((np.arange(m) - pos0 - 1) % 2 == 0)
    long = pd.Series(prev).map(LONG_TERM).to_numpy(object)
    code = np.where(t_move, long, drawn).astype(object)
    # Adoption placements: with the current foster carers (A5) or not (A6).
    prev_code = _shift(code, period)
    by_foster = d["adoption_by_foster_carer"].sample(rng, m)
    adopt = kind == PLANNED_ADOPT
    a5 = adopt & np.isin(prev_code, FOSTER) & by_foster
    code = np.where(adopt, np.where(a5, "A5", "A6"), code).astype(object)
    noop = (kind == PLANNED_P1) & (prev_code == "P1")
    keep = ~noop
    period, date, kind, arow, code, t_move, a5 = (period[keep], date[keep], kind[keep], arow[keep], code[keep],
                                                  t_move[keep], a5[keep])
    m = len(period)
    new_carer = (kind == ENTRY) | ((kind == RANDOM) & ~t_move) | (kind == PLANNED_P1) | (adopt[keep] & ~a5)
    prov_event = new_carer | a5
    # Provider, placement LA and postcode, URN.
    group = group_of(code)
    provider = np.full(m, None, dtype=object)
    drawn_g = prov_event & (group != None)  # noqa: E711 - elementwise on an object array
    if drawn_g.any():
        provider[drawn_g] = d["care_placement_provider"].sample(rng, int(drawn_g.sum()), group[drawn_g])
    provider[prov_event & (code == "P1")] = "PR0"
    ppos = np.searchsorted(person["person_id"].to_numpy(), periods["pid"][period])
    home_la = np.searchsorted(geo.la_code, person["la_code"].to_numpy(object)[ppos])
    home_la = np.clip(home_la, 0, len(geo.la_code) - 1)
    in_home = d["care_placement_in_home_la"].sample(rng, m) | (code == "P1")
    la = home_la.copy()
    away = np.flatnonzero(~in_home)
    country = geo.la_country[home_la[away]]
    pick = geo.sample_la(country, np.full(len(away), "public", dtype=object), rng.random(len(away)))
    for _ in range(3):  # another LA of the same country: draw again where the home LA came up
        same = pick == home_la[away]
        if not same.any():
            break
        pick[same] = geo.sample_la(country[same], np.full(int(same.sum()), "public", dtype=object),
                                   rng.random(int(same.sum())))
    la[away] = pick
    postcode = ids.pseudo_postcodes(la, rng)
    postcode = np.where(code == "P1", person["postcode"].to_numpy(object)[ppos], postcode).astype(object)
    urn = _urns(code, la, rng)
    last_carer, last_prov = _ffill_index(new_carer), _ffill_index(prov_event)
    reason = np.full(m, None, dtype=object)
    unplanned = (kind == RANDOM) & ~t_move
    if unplanned.any():
        reason[unplanned] = d["care_reason_place_change"].sample(rng, int(unplanned.sum()))
    reason[(kind == RANDOM) & t_move] = "PLACE"
    reason[kind >= PLANNED_P1] = "CARPL"
    adopt_a5 = np.zeros(int(arow.max()) + 1 if (arow >= 0).any() else 0, dtype=bool)
    adopt_a5[arow[arow >= 0]] = a5[arow >= 0]
    return {
        "period": period, "date": date, "entry": kind == ENTRY, "code": code, "new_carer": new_carer,
        "provider": provider[last_prov], "la": geo.la_code[la[last_carer]], "postcode": postcode[last_carer],
        "urn": urn[last_prov], "reason": reason, "adopt_a5": adopt_a5,
    }


def _urns(code: np.ndarray, la: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ofsted-style URNs: the same dozen or so establishments per LA and kind of placement."""
    which = rng.integers(0, 12, len(code))
    letter = pd.Series(code, dtype=object).str[:1].fillna("").to_numpy(str)
    kind = np.searchsorted(np.array(["A", "K", "R", "S", "U"]), letter)
    digits = keyed_id(la * 1024 + kind * 16 + which, 0x903) % 1_000_000
    text = np.char.zfill(digits.astype(str), 6).astype(object) if len(code) else np.zeros(0, dtype=object)
    out = np.full(len(code), None, dtype=object)
    sc = np.isin(code, URN_SC)
    out[sc] = "SC" + text[sc]
    school = code == "S1"
    out[school] = "1" + text[school]
    out[np.isin(code, URN_X)] = "XXXXXXX"
    return out


def _periods(eps: pd.DataFrame, end: int) -> pd.DataFrame:
    """One row per care period: person, proceeding, first day, day after the last (or end + 1)."""
    # Episodes come in (person, start) order, so each period's episodes are one run.
    key = eps["person_id"].to_numpy() * EPISODE_STRIDE + eps["period"].to_numpy()
    change = key[1:] != key[:-1]
    first = np.flatnonzero(np.concatenate([[True], change])) if len(key) else np.zeros(0, dtype=np.int64)
    last = np.flatnonzero(np.concatenate([change, [True]])) if len(key) else np.zeros(0, dtype=np.int64)
    stop = days_of(eps["end_date"].to_numpy()[last])
    return pd.DataFrame({
        "person_id": eps["person_id"].to_numpy()[first], "proceeding_id": eps["proceeding_id"].to_numpy()[first],
        "start": days_of(eps["start_date"].to_numpy()[first]), "exit": stop, "stop": np.minimum(stop, end + 1),
    })


def _dob(person: pd.DataFrame, pid: np.ndarray) -> np.ndarray:
    return days_of(person["date_of_birth"].to_numpy()[np.searchsorted(person["person_id"].to_numpy(), pid)])


def _numbered(df: pd.DataFrame, id_name: str, date_col: str) -> pd.DataFrame:
    df = df.sort_values(["person_id", date_col], kind="stable").reset_index(drop=True)
    seq = S.within_group_index(df["person_id"].to_numpy()) + 1
    df.insert(0, id_name, df["person_id"].to_numpy() * EPISODE_STRIDE + seq)
    return df[seq < EPISODE_STRIDE].reset_index(drop=True)


def review_table(ctx: WorldContext, eps: pd.DataFrame, person: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Statutory reviews of each care period, with the child's participation code (PN0 under 4)."""
    per = _periods(eps, ctx.end)
    k = ((per["stop"] - per["start"]).clip(lower=0) // 120 + 3).to_numpy()
    rep = np.repeat(np.arange(len(per)), k)
    i = np.minimum(S.within_group_index(rep), 2)
    due, window = np.asarray(REVIEW_DUE)[i], np.asarray(REVIEW_WINDOW)[i]
    gap = due - np.floor(rng.random(len(rep)) * window).astype(np.int64)
    cum = np.cumsum(gap)
    starts = np.concatenate([[0], np.cumsum(k)[:-1]]) if len(k) else np.zeros(0, dtype=np.int64)
    before = np.repeat(cum[starts] - gap[starts], k) if len(k) else cum
    date = per["start"].to_numpy()[rep] + cum - before
    ok = date < per["stop"].to_numpy()[rep]
    rep, date = rep[ok], date[ok]
    pid = per["person_id"].to_numpy()[rep]
    under4 = date < add_years(_dob(person, pid), 4)
    code = ctx.dists["care_review_participation"].sample(rng, len(rep))
    df = pd.DataFrame({"person_id": pid, "proceeding_id": per["proceeding_id"].to_numpy()[rep],
                       "review_date": to_dates(date), "review_code": np.where(under4, "PN0", code).astype(object)})
    return _numbered(df, "review_id", "review_date")[["review_id", "person_id", "proceeding_id", "review_date",
                                                      "review_code"]]


def missing_table(ctx: WorldContext, eps: pd.DataFrame, person: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Missing (M) and away-without-authorisation (A) episodes while looked after, by age band."""
    d = ctx.dists
    per = _periods(eps, ctx.end)
    dob = _dob(person, per["person_id"].to_numpy())
    start, stop = per["start"].to_numpy(), per["stop"].to_numpy()
    bounds = np.stack([add_years(dob, y) for y in BAND_YEARS], axis=1)
    lo = np.maximum(start[:, None], bounds[:, :-1])
    hi = np.minimum(stop[:, None], bounds[:, 1:])
    mean = np.array([d["care_missing_incidents"].cases[b].mean for b in AGE_BANDS])
    span = np.maximum(hi - lo, 0)
    n = rng.poisson(mean[None, :] * span / S.YEAR)
    flat = np.repeat(np.arange(n.size), n.ravel())
    p = flat // len(AGE_BANDS)
    s = lo.ravel()[flat] + np.floor(rng.random(len(flat)) * span.ravel()[flat]).astype(np.int64)
    dur = d["care_missing_duration"].sample(rng, len(flat))
    e = np.minimum(s + dur, per["exit"].to_numpy()[p])
    kind = np.where(d["care_missing_type_missing"].sample(rng, len(flat)), "M", "A").astype(object)
    o = np.lexsort((s, per["person_id"].to_numpy()[p]))
    p, s, e, kind = p[o], s[o], e[o], kind[o]
    pid = per["person_id"].to_numpy()[p]
    prev_end = np.concatenate([[-INF], e[:-1]]) if len(e) else e
    same = np.concatenate([[False], pid[1:] == pid[:-1]]) if len(pid) else np.zeros(0, dtype=bool)
    keep = ~(same & (s <= prev_end))
    p, s, e, kind, pid = p[keep], s[keep], e[keep], kind[keep], pid[keep]
    df = pd.DataFrame({"person_id": pid, "proceeding_id": per["proceeding_id"].to_numpy()[p],
                       "missing_type": kind, "start_date": to_dates(s),
                       "end_date": to_dates(np.where(e > ctx.end, INF, e))})
    return _numbered(df, "missing_id", "start_date")[["missing_id", "person_id", "proceeding_id", "missing_type",
                                                      "start_date", "end_date"]]


def adoption_table(adopt: dict, a5: np.ndarray) -> pd.DataFrame:
    """One row per placement order: decision, match, placement, adoption or the decision ceasing."""
    n = len(adopt["pc_id"])
    placed = adopt["placed"] < INF
    label = pd.Series(adopt["adopters"], dtype=object).str.split("_", n=1)
    sex, status = label.str[0].to_numpy(object), label.str[1].to_numpy(object)
    fc = np.zeros(n, dtype=bool)
    fc[: len(a5)] = a5[:n]
    df = pd.DataFrame({
        "adoption_id": adopt["pc_id"], "person_id": adopt["pid"], "proceeding_id": adopt["proc"],
        "decision_date": to_dates(adopt["decision"]), "placement_order_date": to_dates(adopt["order"]),
        "match_date": to_dates(adopt["match"]), "placed_date": to_dates(adopt["placed"]),
        "adoption_date": to_dates(adopt["adopted"]), "ceased_date": to_dates(adopt["ceased"]),
        "ceased_reason": adopt["reason"], "foster_carer": fc & placed,
        "n_adopters": pd.array(np.where(placed, np.where(np.isin(sex, ["M1", "F1"]), 1, 2), None), dtype="Int64"),  # type: ignore[call-overload]
        "adopters_sex": sex, "adopters_legal_status": status,
    })
    return df.sort_values("adoption_id", kind="stable").reset_index(drop=True)
