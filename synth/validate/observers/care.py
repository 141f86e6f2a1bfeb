"""Realism observers for the care distributions (synth/world/care.py), read from the truth.

Each observer returns what the mechanism produced for one distribution, selecting only the rows
where the distribution acts unhindered: waits are measured where the period end, an 18th birthday
or a later proceeding could not have cut them short (the 99.9th percentile fits), and spells that
end for another reason are censored. Each is registered against its mechanism's name.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth.dates import INF, add_years, days_of
from synth.profile.kinds import UNIT_DAYS, Kind, Lognormal
from synth.profile.mechanisms import observer
from synth.validate.observers.truth import Observations, Truth
from synth.world.care_parts import FOSTER, LONG_TERM, group_of
from synth.world.sampling import age_band

PLANNED = ("P1", "A3", "A4", "A5", "A6")
MOVE = ("P", "T", "B", "U")


def _q999(dist: Kind) -> float:
    """99.9th percentile of a lognormal distribution, in days."""
    if not isinstance(dist, Lognormal) or isinstance(dist.mean, dict):
        raise TypeError(f"{dist!r}: expected a lognormal with one mean")
    s = math.sqrt(math.log1p(dist.cv**2))
    q = dist.mean * math.exp(-s * s / 2 + 3.09 * s)
    return (min(q, dist.max) if dist.max is not None else q) * UNIT_DAYS[dist.unit]


class Care:
    """The care truth with the columns observers share, computed once per validation."""

    def __init__(self, t: Truth) -> None:
        run = t.run
        self.t = t
        # Looked up by name; each observer knows the kind of the distributions it reads.
        self.dists: dict[str, Any] = run.profile.world.distributions
        self.end = int(days_of([run.profile.period.end])[0])
        self.start_of_period = int(days_of([run.profile.period.start])[0])
        e = run.truth("care_episode").sort_values(["person_id", "period", "start_date", "episode_id"], kind="stable")
        e = e.reset_index(drop=True)
        e["s"], e["e"] = days_of(e["start_date"]), days_of(e["end_date"])
        key = e["person_id"].to_numpy() * 1024 + e["period"].to_numpy()
        e["key"] = key
        e["first"] = np.concatenate([[True], key[1:] != key[:-1]]) if len(e) else np.zeros(0, dtype=bool)
        e["last"] = np.concatenate([key[1:] != key[:-1], [True]]) if len(e) else np.zeros(0, dtype=bool)
        e["prev_place"] = e["placement"].shift(1).where(~e["first"], None)
        e["next_rne"] = e["rne"].shift(-1).where(~e["last"], None)
        e["next_place"] = e["placement"].shift(-1).where(~e["last"], None)
        dob = t.person.set_index("person_id")["date_of_birth"]
        e["dob"] = days_of(e["person_id"].map(dob).to_numpy())
        self.e = e
        per = e[e["first"]].set_index("key")[["person_id", "proceeding_id", "s", "legal_status", "placement", "dob"]]
        lastrow = e[e["last"]].set_index("key")
        per["exit"] = lastrow["e"]
        per["rec"] = lastrow["reason_ceased"]
        per["last_place"] = lastrow["placement"]
        per["last_ls"] = lastrow["legal_status"]
        per["adult"] = add_years(per["dob"].to_numpy(), 18)
        self.periods = per.reset_index()
        pc = t.pc.merge(t.proc[["proceeding_id", "law_type", "issue_date", "disposal_date"]], on="proceeding_id")
        pub = pc[pc["law_type"] == "public"].copy()
        pub["issue"], pub["disp"] = days_of(pub["issue_date"]), days_of(pub["disposal_date"])
        self.public = pub
        self.disposals = pd.MultiIndex.from_arrays([pub["person_id"], pub["disp"]])

    def next_issue(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """First public law issue about each person strictly after ``day`` (INF if none)."""
        left = pd.DataFrame({"person_id": np.asarray(person, dtype=np.int64), "day": np.asarray(day, dtype=np.int64),
                             "row": np.arange(len(person))}).sort_values("day")
        right = self.public[["person_id", "issue"]].rename(columns={"issue": "day"}).sort_values("day")
        right = right.assign(nxt=right["day"]).astype({"day": np.int64})
        m = pd.merge_asof(left, right, on="day", by="person_id", direction="forward", allow_exact_matches=False)
        out = np.full(len(person), INF)
        out[m["row"].to_numpy()] = m["nxt"].fillna(INF).to_numpy(np.int64)
        return out

    def latest_issue(self, person: np.ndarray, day: np.ndarray, col: str = "issue") -> np.ndarray:
        """Latest public law issue (or ``col``) about each person on or before ``day`` (-INF if none)."""
        left = pd.DataFrame({"person_id": np.asarray(person, dtype=np.int64), "day": np.asarray(day, dtype=np.int64),
                             "row": np.arange(len(person))}).sort_values("day")
        right = self.public[["person_id", col]].rename(columns={col: "day"})
        right = right[right["day"] < INF].sort_values("day")
        right = right.assign(prev=right["day"]).astype({"day": np.int64})
        m = pd.merge_asof(left, right, on="day", by="person_id", direction="backward")
        out = np.full(len(person), -INF)
        out[m["row"].to_numpy()] = m["prev"].fillna(-INF).to_numpy(np.int64)
        return out

    def random_moves(self) -> pd.Series:
        e = self.e
        return (~e["first"]) & e["rne"].isin(MOVE) & ~e["placement"].isin(PLANNED)


def care_onset(c: Care) -> pd.DataFrame:
    """Each born child's state at the issue of a public proceeding: s20, ICO, at home (or continuing)."""
    pub = c.public
    pub = pub.assign(dob=days_of(pub["person_id"].map(c.t.person.set_index("person_id")["date_of_birth"]).to_numpy()))
    pub = pub[pub["dob"] < pub["issue"]]
    per = c.periods[["person_id", "proceeding_id", "s", "exit"]].rename(columns={"proceeding_id": "p_proc"})
    m = pub[["pc_id", "person_id", "proceeding_id", "issue", "dob"]].merge(per, on="person_id", how="left")
    cover = (m["s"] <= m["issue"]) & (m["exit"].fillna(INF) > m["issue"])
    m = m[cover.to_numpy()]
    state = pd.Series("at_home", index=pub["pc_id"].to_numpy())
    own = m["p_proc"] == m["proceeding_id"]
    state[m.loc[~own, "pc_id"].to_numpy()] = "continuing"
    state[m.loc[own & (m["s"] < m["issue"]), "pc_id"].to_numpy()] = "section_20"
    state[m.loc[own & (m["s"] == m["issue"]), "pc_id"].to_numpy()] = "interim_care_order"
    out = pub.set_index("pc_id")[["person_id", "issue", "dob"]].assign(state=state)
    s20_start = m[own & (m["s"] < m["issue"])].set_index("pc_id")["s"]
    return out.assign(entry=s20_start.reindex(out.index))


def _s20_lead(c: Care):
    o = care_onset(c)
    q = _q999(c.dists["care_s20_before_issue"])
    per = c.periods
    ok = (o["state"] == "section_20") & (o["issue"] - q > o["dob"]) & (o["issue"] - q > c.start_of_period)
    # No earlier period ending within reach of the lead (the start is never before the last exit).
    ends = per.loc[per["exit"] < INF, ["person_id", "exit"]].rename(columns={"exit": "day"}).sort_values("day")
    left = pd.DataFrame({"person_id": o["person_id"].to_numpy(), "day": (o["issue"] - 1).to_numpy(),
                         "row": np.arange(len(o))}).sort_values("day")
    m = pd.merge_asof(left, ends.assign(last=ends["day"]).astype({"day": np.int64}), on="day", by="person_id")
    last_exit = np.full(len(o), -INF)
    last_exit[m["row"].to_numpy()] = m["last"].fillna(-INF).to_numpy(np.int64)
    last_disp = c.latest_issue(o["person_id"].to_numpy(), (o["issue"] - 1).to_numpy(), col="disp")
    ok &= np.maximum(last_exit, last_disp) < o["issue"] - q - 1
    o = o[ok]
    return {(): (o["issue"] - o["entry"]).to_numpy(float)}


def _moves(c: Care):
    """Unplanned moves in each full collection year looked after before any planned move."""
    from synth.dates import collection_year_end as year_end
    from synth.dates import collection_year_of as year_of
    from synth.dates import collection_year_start as year_start

    e, per = c.e, c.periods.set_index("key")
    rnd = c.random_moves()
    planned_first = e[(~e["first"]) & e["rne"].isin(MOVE) & e["placement"].isin(PLANNED)].groupby("key")["s"].min()
    window = np.minimum(np.minimum(per["exit"].to_numpy(), c.end + 1),
                        planned_first.reindex(per.index).fillna(INF).to_numpy())
    window = np.where(per["placement"].to_numpy() == "P1", per["s"].to_numpy(), window)  # no moves from P1
    y0 = year_of(per["s"].to_numpy()) + 1  # the first year starting after the entry day
    y1 = year_of(np.maximum(window, per["s"].to_numpy() + 1) - 1) - 1  # the last year ending before the window
    k = np.maximum(y1 - y0 + 1, 0)
    rep = np.repeat(np.arange(len(per)), k)
    year = y0[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k))
    ok = (year_start(year) > per["s"].to_numpy()[rep]) & (year_end(year) < window[rep])
    rep, year = rep[ok], year[ok]
    moves = pd.DataFrame({"key": e.loc[rnd, "key"], "year": year_of(e.loc[rnd, "s"].to_numpy())})
    counts = moves.groupby(["key", "year"]).size()
    idx = pd.MultiIndex.from_arrays([per.index.to_numpy()[rep], year])
    return {(): counts.reindex(idx).fillna(0).to_numpy(int)}


def _same_carer(c: Care):
    e = c.e
    m = c.random_moves() & e["prev_place"].isin(list(LONG_TERM))
    return {(): e.loc[m, "rne"].isin(["T", "U"]).to_numpy()}


def _reason(c: Care):
    e = c.e
    m = e["next_rne"].isin(["P", "B"]) & ~e["next_place"].isin(PLANNED) & e["next_place"].notna()
    return {(): e.loc[m, "reason_place_change"]}


def _drawn_placements(c: Care) -> pd.Series:
    e = c.e
    return e["rne"].isin(["S", "P", "B"]) & (e["placement"] != "P1")


def _placement_type(c: Care):
    e = c.e
    m = _drawn_placements(c) & ~e["placement"].isin(PLANNED)
    band = age_band((e.loc[m, "s"] - e.loc[m, "dob"]).to_numpy())
    return {(b,): e.loc[m, "placement"][band == b] for b in c.dists["care_placement_type"].cases}


def _provider(c: Care):
    e = c.e
    m = _drawn_placements(c) | ((e["placement"] == "A5") & e["rne"].isin(["T", "U"]))
    grp = group_of(e["placement"].to_numpy(object))
    m &= pd.notna(grp)
    return {(g,): e.loc[m.to_numpy() & (grp == g), "provider"] for g in c.dists["care_placement_provider"].cases}


def _in_home(c: Care):
    e = c.e
    m = _drawn_placements(c)
    return {(): (e.loc[m, "placement_la"] == e.loc[m, "la_code"]).to_numpy()}


def _p1_share(c: Care):
    per = c.periods
    m = (per["rec"] == "E4A") & (per["placement"] != "P1")
    return {(): (per.loc[m, "last_place"] == "P1").to_numpy()}


def _p1_days(c: Care):
    e, per = c.e, c.periods.set_index("key")
    p1 = e[e["last"] & (e["placement"] == "P1") & (e["reason_ceased"] == "E4A") & ~e["first"]]
    ls_change = e[e["rne"].isin(["S", "L", "B", "U"])][["key", "s"]].sort_values("s")
    left = p1[["key", "s"]].reset_index().sort_values("s")
    m = pd.merge_asof(left, ls_change.rename(columns={"s": "ls_s"}).assign(s=lambda x: x["ls_s"]).sort_values("s"),
                      on="s", by="key", direction="backward", allow_exact_matches=False).set_index("index")
    floor = np.maximum(m["ls_s"].reindex(p1.index).fillna(-INF).to_numpy(),
                       c.latest_issue(p1["person_id"].to_numpy(), p1["s"].to_numpy()))
    days = (p1["e"] - p1["s"]).to_numpy(float)
    ok = (p1["e"].to_numpy() - floor - 1) >= _q999(c.dists["care_placed_with_parents_days"])
    ok &= per.loc[p1["key"], "placement"].to_numpy() != "P1"
    return {(): days[ok]}


def _c2_tracks(c: Care) -> pd.DataFrame:
    e = c.e
    first_c2 = e[e["legal_status"] == "C2"].groupby("key").head(1).set_index("key")["s"]
    per = c.periods.set_index("key").loc[first_c2.index]
    out = per.assign(s2=first_c2)
    out["censor"] = np.minimum(np.minimum(c.next_issue(out["person_id"].to_numpy(), out["s2"].to_numpy()),
                                          out["adult"].to_numpy()), c.end + 1)
    return out


def _order_exit(c: Care):
    tr = _c2_tracks(c)
    labels = set(c.dists["care_order_exit_reason"].labels)
    ex = tr["exit"].fillna(INF).to_numpy()
    event = (ex < tr["censor"].to_numpy()) & tr["rec"].isin(labels).to_numpy()
    stop = np.where(event, ex, np.minimum(ex, tr["censor"].to_numpy()))
    return {(): ((stop - tr["s2"].to_numpy()).astype(float), event, None)}


def _exit_reason(c: Care):
    per = c.periods
    ex = per["exit"].fillna(INF)
    at_disposal = pd.MultiIndex.from_arrays([per["person_id"], ex]).isin(c.disposals)
    m = (per["last_ls"] == "C2") & (ex < INF) & (ex != per["adult"]) & ~at_disposal & (per["rec"] != "X1")
    return {(): per.loc[m.to_numpy(), "rec"]}


def _at_18(c: Care):
    per = c.periods
    return {(): per.loc[per["exit"] == per["adult"], "rec"]}


def _sgo(c: Care):
    per = c.periods
    s = per[per["rec"].isin(["E45", "E46", "E47", "E48"])]
    g = np.where(s["last_place"].isin(["U1", "U2", "U3"]), "kinship_foster",
                 np.where(s["last_place"].isin(["U4", "U5", "U6"]), "other_foster", "not_foster"))
    return {(k,): s.loc[g == k, "rec"] for k in c.dists["care_sgo_reason"].cases}


def _missing(c: Care, name: str):
    m = c.t.run.truth("care_missing")
    if name == "care_missing_type_missing":
        return {(): (m["missing_type"] == "M").to_numpy()}
    per = c.periods
    stop = np.minimum(per["exit"].fillna(INF).to_numpy(), c.end + 1)
    if name == "care_missing_duration":
        mm = m.merge(per[["person_id", "proceeding_id", "exit"]], on=["person_id", "proceeding_id"])
        s, e = days_of(mm["start_date"]), days_of(mm["end_date"])
        cap = c.dists["care_missing_duration"].max or 60
        ok = s + cap < np.minimum(mm["exit"].fillna(INF).to_numpy(), c.end)
        return {(): (e - s)[ok]}
    # Incidents per full collection year looked after within one age band.
    from synth.dates import collection_year_end as year_end
    from synth.dates import collection_year_of as year_of
    from synth.dates import collection_year_start as year_start

    y0 = year_of(per["s"].to_numpy()) + 1
    y1 = year_of(stop - 1) - 1
    k = np.maximum(y1 - y0 + 1, 0)
    rep = np.repeat(np.arange(len(per)), k)
    year = y0[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k))
    dob = per["dob"].to_numpy()[rep]
    b0 = age_band(year_start(year) - dob)
    b1 = age_band(year_end(year) - dob)
    ok = b0 == b1
    rep, year, band = rep[ok], year[ok], b0[ok]
    pid = per["person_id"].to_numpy()[rep]
    ms = pd.DataFrame({"person_id": m["person_id"], "year": year_of(days_of(m["start_date"]))})
    counts = ms.groupby(["person_id", "year"]).size()
    n = pd.Series(counts.reindex(pd.MultiIndex.from_arrays([pid, year])).fillna(0).to_numpy(int))
    return {(b,): n[band == b].to_numpy() for b in c.dists["care_missing_incidents"].cases}


def _adoption(c: Care, name: str):
    a = c.t.run.truth("adoption")
    d = c.dists
    po, placed = days_of(a["placement_order_date"]), days_of(a["placed_date"])
    adopted, ceased, decision = days_of(a["adoption_date"]), days_of(a["ceased_date"]), days_of(a["decision_date"])
    dob = days_of(a["person_id"].map(c.t.person.set_index("person_id")["date_of_birth"]).to_numpy())
    pid = a["person_id"].to_numpy()
    limit_po = np.minimum(np.minimum(c.next_issue(pid, po), add_years(dob, 18)), c.end)
    if name == "adoption_placed":
        h = max(_q999(d["adoption_placement_wait"]), _q999(d["adoption_decision_ceased_wait"]))
        ok = (po + h <= limit_po) & (dob <= po)
        return {(): (placed < INF)[ok]}
    if name in ("adoption_placement_wait", "adoption_decision_ceased_wait"):
        when = placed if name == "adoption_placement_wait" else ceased
        ok = (po + _q999(d[name]) <= limit_po) & (when < INF) & (dob <= po)
        return {(): (when - po)[ok].astype(float)}
    if name == "adoption_order_wait":
        limit = np.minimum(np.minimum(c.next_issue(pid, placed), add_years(dob, 18)), c.end)
        ok = (placed < INF) & (placed + _q999(d[name]) <= limit)
        return {(): (adopted - placed)[ok].astype(float)}
    if name == "adoption_match_before_placement":
        match = days_of(a["match_date"])
        ok = (placed < INF) & (placed - np.maximum(po, dob) > _q999(d[name]))
        return {(): (placed - match)[ok].astype(float)}
    if name == "adoption_decision_before_order":
        issue = days_of(a["proceeding_id"].map(c.t.proc.set_index("proceeding_id")["issue_date"]).to_numpy())
        ok = po - issue > _q999(d[name])
        return {(): (po - decision)[ok].astype(float)}
    if name == "adoption_decision_ceased_reason":
        return {(): a["ceased_reason"].dropna()}
    if name == "adopters":
        p = a[placed < INF]
        return {(): p["adopters_sex"].astype(str) + "_" + p["adopters_legal_status"].astype(str)}
    if name == "adoption_unopposed":
        rec = c.periods["rec"]
        return {(): (rec[rec.isin(["E11", "E12"])] == "E11").to_numpy()}
    if name == "adoption_by_foster_carer":
        e = c.e
        m = e["placement"].isin(["A5", "A6"]) & e["rne"].isin(MOVE) & e["prev_place"].isin(FOSTER)
        return {(): (e.loc[m, "placement"] == "A5").to_numpy()}
    return None


_BY_NAME = {
    "care_onset": lambda c: {(): (o := care_onset(c)).loc[o["state"] != "continuing", "state"]},
    "care_s20_before_issue": _s20_lead,
    "care_order_at_home": lambda c: {(): (c.periods.loc[c.periods["legal_status"] == "C2", "placement"] == "P1")
                                     .to_numpy()},
    "care_placement_type": _placement_type,
    "care_placement_move": _moves,
    "care_placement_move_same_carer": _same_carer,
    "care_reason_place_change": _reason,
    "care_placement_provider": _provider,
    "care_placement_in_home_la": _in_home,
    "care_category_of_need": lambda c: {(): c.e.loc[c.e["first"], "cin"]},
    "care_placed_with_parents_before_return": _p1_share,
    "care_placed_with_parents_days": _p1_days,
    "care_order_exit": _order_exit,
    "care_order_exit_reason": _exit_reason,
    "care_leaving_at_18": _at_18,
    "care_sgo_reason": _sgo,
    "care_review_participation": lambda c: {(): (r := c.t.run.truth("care_review"))
                                            .loc[r["review_code"] != "PN0", "review_code"]},
}


def care_of(t: Truth) -> Care:
    """The care truth of a validation, built on first use."""
    if "care" not in t.shared:
        t.shared["care"] = Care(t)
    return t.shared["care"]


@observer(*_BY_NAME)
def care(t: Truth, name: str) -> Observations:
    """Placements, moves, exits, SGOs and reviews."""
    return _BY_NAME[name](care_of(t))


@observer("care_missing_incidents", "care_missing_type_missing", "care_missing_duration")
def missing(t: Truth, name: str) -> Observations:
    """Missing and away incidents."""
    return _missing(care_of(t), name)


@observer("adoption_placed", "adoption_decision_before_order", "adoption_placement_wait",
          "adoption_match_before_placement", "adoption_order_wait", "adoption_unopposed",
          "adoption_by_foster_carer", "adopters", "adoption_decision_ceased_reason", "adoption_decision_ceased_wait")
def adoption(t: Truth, name: str) -> Observations:
    """Adoption decisions, placements and orders."""
    return _adoption(care_of(t), name)
