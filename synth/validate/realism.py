"""Realism: every distribution the profile states, achieved versus target, plus published figures.

For each named distribution an *observer* reads the truth tables and returns what the mechanism
produced for that distribution (one sample per conditional case); ``synth.validate.compare`` then
judges it with a tolerance derived from the sample size. Distributions without an observer are
reported as not checked (a failed result), so a new distribution cannot silently escape.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile import distributions as D
from synth.profile.requirements import AWAY_FROM_HOME
from synth.validate import compare as C
from synth.validate.care_observers import care_observe
from synth.validate.core import CheckResult, RunData
from synth.validate.figures import check_figures
from synth.world.families import MAX_MOTHER_AGE_AT_BIRTH, MIN_GAP_AFTER_DISPOSAL

YEAR = 365.25
DAY = np.timedelta64(1, "D")


def _days(a, b) -> np.ndarray:
    """Days from date column a to date column b."""
    return ((pd.to_datetime(b, cache=False).to_numpy("datetime64[D]")
             - pd.to_datetime(a, cache=False).to_numpy("datetime64[D]")) / DAY).astype(float)


class Truth:
    """Truth tables with the joins the observers need, computed once."""

    def __init__(self, run: RunData):
        self.run = run
        self.end = np.datetime64(run.profile.period.end, "D")
        self.proc = run.truth("proceeding")
        self.pc = run.truth("proceeding_child")
        self.person = run.truth("person")
        self.party = run.truth("proceeding_party")
        self.hearing = run.truth("hearing")
        self.family = run.truth("family")
        self.index = self.proc[self.proc["sequence"] == 1]
        self.family_law = self.index.set_index("family_id")["law_type"]
        self.dob = self.person.set_index("person_id")["date_of_birth"]
        kids = self.person[self.person["family_role"] == "child"].copy()
        kids["order"] = kids.groupby("family_id")["date_of_birth"].rank(method="first")
        self.kids = kids.sort_values(["family_id", "date_of_birth", "person_id"])


def observe(t: Truth, name: str):
    """Observations for one distribution: {case path: data} or None when not observable."""
    p, pc = t.proc, t.pc
    if name == "month_of_issue":
        return {(): pd.to_datetime(t.index["issue_date"]).dt.month.astype(str)}
    if name == "children_per_case":
        return {(lt,): g["n_children"].astype(str) for lt, g in t.index.groupby("law_type")}
    if name == "youngest_child_age_at_issue":
        c = pc[pc["proceeding_id"].isin(t.index["proceeding_id"])]
        y = c.groupby("proceeding_id")["age_at_issue_days"].min()
        law = t.index.set_index("proceeding_id")["law_type"].reindex(y.index)
        return {(lt,): y[law == lt].to_numpy() for lt in law.unique()}
    if name == "sibling_spacing":
        return {(): _spacing(t)}
    if name == "mother_age_at_first_birth":
        first = t.kids.groupby("family_id").first()
        mum = first["mother_id"].map(t.dob)
        age = _days(mum, first["date_of_birth"])
        law = t.family_law.reindex(first.index)
        return {(lt,): age[(law == lt).to_numpy()] for lt in law.dropna().unique()}
    if name == "new_father_at_birth":
        k = t.kids
        prev = k.groupby("family_id")["father_id"].shift()
        later = prev.notna()
        return {(): (k.loc[later, "father_id"] != prev[later]).to_numpy()}
    if name == "father_age_gap":
        fathers = t.person[t.person["family_role"] == "father"]
        mothers = t.family.set_index("family_id")["mother_id"].reindex(fathers["family_id"]).map(t.dob)
        return {(): _days(fathers["date_of_birth"].to_numpy(), mothers.to_numpy())}
    if name == "father_recorded":
        has = p["proceeding_id"].isin(t.party.loc[t.party["relationship"] == "father", "proceeding_id"])
        ok = p["applicant_type"] != "father"
        return {(lt,): has[ok & (p["law_type"] == lt)].to_numpy() for lt in p["law_type"].unique()}
    if name == "other_adult_parties":
        rel = t.party[t.party["relationship"].isin(["grandparent", "other_relative"])]
        n = rel.groupby("proceeding_id").size().reindex(p["proceeding_id"], fill_value=0).to_numpy()
        ok = ~p["applicant_type"].isin(["grandparent", "other_relative"]).to_numpy()
        return {(lt,): n[ok & (p["law_type"] == lt).to_numpy()] for lt in p["law_type"].unique()}
    if name == "private_applicant":
        return {(): p.loc[p["law_type"] == "private", "applicant_type"]}
    if name == "child_sex_male":
        return {(): (t.kids["sex"] == 1).to_numpy()}
    if name == "ethnicity":
        mothers = t.person[t.person["family_role"] == "mother"]
        return {(c,): g["ethnicity"] for c, g in mothers.groupby("country")}
    if name == "issue_to_receipt_days":
        return {(): _days(p["issue_date"], p["receipt_date"]).astype(int)}
    if name == "application_type":
        return {(lt,): g["application_type"] for lt, g in p.groupby("law_type")}
    if name == "duration":
        done = p[p["disposal_date"].notna()]
        return {(lt,): (_days(g["issue_date"], g["disposal_date"]), g["fy"].astype(str).to_numpy())
                for lt, g in done.groupby("law_type")}
    if name == "hearings":
        done = p[p["disposal_date"].notna()]
        n = t.hearing.groupby("proceeding_id").size().reindex(done["proceeding_id"], fill_value=0)
        return {(lt,): n[(done["law_type"] == lt).to_numpy()].to_numpy() for lt in done["law_type"].unique()}
    if name == "hearing_type":
        h = t.hearing
        last = h.groupby("proceeding_id")["sequence"].transform("max")
        open_ = h["proceeding_id"].map(p.set_index("proceeding_id")["disposal_date"]).isna()
        middle = (h["sequence"] > 1) & ((h["sequence"] < last) | open_)
        law = h["proceeding_id"].map(p.set_index("proceeding_id")["law_type"])
        return {(lt,): h.loc[middle & (law == lt), "hearing_type"] for lt in law.unique()}
    if name == "outcome":
        c = pc[pc["has_outcome"]]
        law = c["proceeding_id"].map(p.set_index("proceeding_id")["law_type"])
        return {(lt, b): c.loc[(law == lt) & (c["age_band"] == b), "outcome"]
                for lt in law.unique() for b in c["age_band"].unique()}
    if name == "recurrence":
        return _recurrence(t)
    if name == "recurrence_law_type":
        s = p.sort_values(["family_id", "sequence"])
        nxt = s.groupby("family_id")["law_type"].shift(-1)
        has = nxt.notna()
        return {(lt,): nxt[has & (s["law_type"] == lt)] for lt in s["law_type"].unique()}
    if name in ("recurrence_new_baby", "recurrence_baby_age_at_issue"):
        return _new_babies(t, name)
    if name == "child_father_surname":
        k = t.kids
        sur = t.person.set_index("person_id")["surname"]
        dad, mum = k["father_id"].map(sur), k["mother_id"].map(sur)
        differ = (dad != mum).to_numpy()
        return {(): (k["surname"].to_numpy() == dad.to_numpy())[differ]}
    if name == "address_duration":
        a = t.run.truth("address")
        moved = a["to_date"].notna().to_numpy()
        stop = np.where(moved, pd.to_datetime(a["to_date"]).to_numpy("datetime64[D]") + 1, t.end)
        dur = ((stop - pd.to_datetime(a["from_date"]).to_numpy("datetime64[D]")) / DAY).astype(float)
        return {(): (dur, moved, None)}
    if name == "address_recorded":
        adults = t.person[t.person["family_role"] != "child"]
        pcd = adults["postcode"]
        lab = np.where(pcd == "ZZ99 3VZ", "no_fixed_abode",
                       np.where(pcd.isin(["ZZ99 3CZ", "ZZ99 3GZ"]), "not_specified", "known"))
        return {(): lab}
    return care_observe(t, name)  # care and adoption distributions, or None


def _spacing(t: Truth) -> np.ndarray:
    """Spacing of two-child index groups where compression cannot bind (room above the 99.9th percentile).

    Selection is on the youngest child's age and the mother's age at the first birth, which are
    drawn independently of the spacing, so the sample is unbiased.
    """
    import math

    dist = t.run.profile.world.distributions["sibling_spacing"]
    s = math.sqrt(math.log1p(dist.cv**2))
    q = dist.mean * math.exp(-s * s / 2 + 3.09 * s) * C.UNIT_DAYS[dist.unit]
    idx = t.index[t.index["n_children"] == 2]
    c = t.pc[t.pc["proceeding_id"].isin(idx["proceeding_id"])].sort_values(["proceeding_id", "age_at_issue_days"])
    ages = c.groupby("proceeding_id")["age_at_issue_days"].agg(["min", "max"])
    fam = idx.set_index("proceeding_id")["family_id"].reindex(ages.index)
    mum = t.family.set_index("family_id")["mother_id"].reindex(fam).map(t.dob).to_numpy()
    issue = idx.set_index("proceeding_id")["issue_date"].reindex(ages.index)
    eldest_dob = pd.to_datetime(issue, cache=False) - pd.to_timedelta(ages["max"], unit="D")
    a1 = _days(mum, eldest_dob)
    room_ok = (17.9 * YEAR - np.maximum(ages["min"], 0) > q) & (47 * YEAR - a1 > q)
    return (ages["max"] - ages["min"])[room_ok.to_numpy()].to_numpy(float)


def _recurrence(t: Truth):
    s = t.proc.sort_values(["family_id", "sequence"])
    nxt = s.groupby("family_id")["issue_date"].shift(-1)
    teen = s["family_id"].map(t.family.set_index("family_id")["teen_first_birth"]).astype(bool)
    history = np.where(s["sequence"] > 1, "repeat", np.where(teen, "first_teen", "first_other"))
    event = nxt.notna().to_numpy()
    # A family stops being at risk when no subject of this proceeding is under 18 any more and,
    # for public law, the mother is past childbearing (a return needs a child to be about).
    youngest = pd.to_datetime(t.pc["person_id"].map(t.dob), cache=False).groupby(t.pc["proceeding_id"]).max()
    kid_end = pd.to_datetime(s["proceeding_id"].map(youngest), cache=False) + pd.Timedelta(days=17.9 * YEAR)
    mum = s["family_id"].map(t.family.set_index("family_id")["mother_id"]).map(t.dob)
    mum_end = pd.to_datetime(mum, cache=False) + pd.Timedelta(days=47 * YEAR)
    at_risk_end = np.where(s["law_type"] == "public", np.maximum(kid_end, mum_end), kid_end)
    censor = np.minimum(np.asarray(at_risk_end, dtype="datetime64[D]"), t.end)
    stop = np.where(event, pd.to_datetime(nxt, cache=False).to_numpy("datetime64[D]"), censor)
    dur = ((stop - pd.to_datetime(s["issue_date"], cache=False).to_numpy("datetime64[D]")) / DAY).astype(float)
    # A return comes at least MIN_GAP_AFTER_DISPOSAL days after the previous disposal.
    earliest = _days(s["issue_date"], s["disposal_date"]) + MIN_GAP_AFTER_DISPOSAL
    out = {}
    for lt in s["law_type"].unique():
        for h in ("first_teen", "first_other", "repeat"):
            m = ((s["law_type"] == lt).to_numpy()) & (history == h)
            out[(lt, h)] = (dur[m], event[m], earliest[m])
    return out


def _new_babies(t: Truth, name: str):
    """Public law returns: whether they were about a new baby, and that baby's age at issue."""
    p, pc = t.proc, t.pc
    s = p.sort_values(["family_id", "sequence"])
    prev = s.groupby("family_id")["proceeding_id"].shift()
    ret = s[prev.notna() & (s["law_type"] == "public")].assign(prev=prev[prev.notna() & (s["law_type"] == "public")])
    seen = pc.merge(p[["proceeding_id", "family_id", "sequence"]], on="proceeding_id")
    first_seen = seen.groupby("person_id")["sequence"].min()
    cur = pc[pc["proceeding_id"].isin(ret["proceeding_id"])]
    cur_seq = cur["proceeding_id"].map(p.set_index("proceeding_id")["sequence"])
    is_new = (cur["person_id"].map(first_seen) == cur_seq).to_numpy() & (cur["age_at_issue_days"] < YEAR).to_numpy()
    if name == "recurrence_baby_age_at_issue":
        return {(): cur.loc[is_new, "age_at_issue_days"].to_numpy()}
    baby_cases = set(cur.loc[is_new, "proceeding_id"])
    # Older children at home: subjects of the previous proceeding not placed away, under 18 at the new issue.
    prevc = pc.merge(ret[["proceeding_id", "prev", "issue_date"]].rename(
        columns={"proceeding_id": "ret_id"}), left_on="proceeding_id", right_on="prev")
    at_home = ~prevc["outcome"].isin(AWAY_FROM_HOME) & (
        _days(prevc["person_id"].map(t.dob), prevc["issue_date"]) < 17.9 * YEAR)
    home_cases = set(prevc.loc[at_home, "ret_id"])
    mum = ret["family_id"].map(t.family.set_index("family_id")["mother_id"]).map(t.dob)
    fertile = _days(mum, ret["issue_date"]) < MAX_MOTHER_AGE_AT_BIRTH - 61
    eligible = ret[ret["proceeding_id"].isin(home_cases) & fertile]
    return {(): eligible["proceeding_id"].isin(baby_cases).to_numpy()}


def _deff_outcome(t: Truth, rho: float) -> float:
    sizes = t.pc[t.pc["has_outcome"]].groupby("proceeding_id").size()
    m = float(sizes.mean()) if len(sizes) else 1.0
    return 1 + (m - 1) * rho


def _checkable_years(t: Truth, dist: D.Lognormal) -> set[str]:
    """Financial years whose durations are fully observed by the period end (99.9th percentile)."""
    import math

    out = set()
    s = math.sqrt(math.log1p(dist.cv**2))
    for k, mean in dist.mean.items():
        q = mean * math.exp(-s * s / 2 + 3.09 * s) * C.UNIT_DAYS[dist.unit]
        fy_end = np.datetime64(f"{int(k) + 1}-03-31", "D")
        if fy_end + np.timedelta64(int(q), "D") <= t.end:
            out.add(k)
    return out


def _judge(name, case, dist, data, z, t: Truth) -> CheckResult:
    label = f"distribution:{name}"
    case_s = "/".join(case) or None
    table = "truth"
    if isinstance(dist, D.Categorical):
        deff = _deff_outcome(t, t.run.profile.world.distributions["outcome_sibling_correlation"].p) \
            if name == "outcome" else 1.0
        return C.categorical(label, table, case_s, dist.labels, dist.p, data, z, deff)
    if isinstance(dist, D.Histogram):
        return C.histogram(label, table, case_s, dist, data, z)
    if isinstance(dist, D.Share):
        return C.share(label, table, case_s, dist.p, data, z)
    if isinstance(dist, D.Lognormal):
        if isinstance(data, tuple):
            days, keys = data
            return C.lognormal_by_key(label, table, case_s, dist, days, keys, z, _checkable_years(t, dist))
        return C.lognormal_by_key(label, table, case_s, dist, data, None, z)
    if isinstance(dist, D.Poisson):
        return C.poisson(label, table, case_s, dist, data, z)
    if isinstance(dist, D.Survival):
        durations, events, earliest = data
        return C.survival(label, table, case_s, dist, durations, events, z, earliest)
    return CheckResult("realism", label, False, table, case_s, detail=f"no comparison for kind {dist.kind}")


def _leaf(dist, case: tuple):
    for value in case:
        if not isinstance(dist, D.Conditional) or str(value) not in dist.cases:
            return None
        dist = dist.cases[str(value)]
    return dist


def check_realism(run: RunData) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target."""
    z = run.profile.checks.realism_z
    t = Truth(run)
    out: list[CheckResult] = []
    for name, dist in run.profile.world.distributions.items():
        if name == "outcome_sibling_correlation":
            out.append(_sibling_correlation(t, dist.p, z))
            continue
        try:
            obs = observe(t, name)
        except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
            out.append(CheckResult("realism", f"distribution:{name}", False, "truth",
                                   detail=f"could not be measured: {type(e).__name__}: {e}"))
            continue
        if obs is None:
            out.append(CheckResult("realism", f"distribution:{name}", False, "truth",
                                   detail="no observer for this distribution; add one in synth/validate/realism.py"))
            continue
        for case, data in sorted(obs.items(), key=lambda kv: kv[0]):
            leaf = _leaf(dist, case)
            if leaf is None:
                continue
            out.append(_judge(name, case, leaf, data, z, t))
    out += check_figures(run, t)
    return out


def _sibling_correlation(t: Truth, rho: float, z: float) -> CheckResult:
    """Pairs of siblings in one age band on one case share an outcome with P = rho^2 + (1 - rho^2) S."""
    c = t.pc[t.pc["has_outcome"]]
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    dist = t.run.profile.world.distributions["outcome"]
    same, expected = [], []
    for (lt, band), g in c.assign(law=law).groupby(["law", "age_band"]):
        leaf = _leaf(dist, (lt, band))
        if leaf is None:
            continue
        s = float((leaf.p**2).sum())
        firsts = g.groupby("proceeding_id")["outcome"].agg(["first", "last", "size"])
        pairs = firsts[firsts["size"] >= 2]
        same += (pairs["first"] == pairs["last"]).tolist()
        expected += [rho**2 + (1 - rho**2) * s] * len(pairs)
    if len(same) < C.MIN_N:
        return C._too_few("distribution:outcome_sibling_correlation", "truth", None, len(same))
    p = float(np.mean(expected))
    return C.share("distribution:outcome_sibling_correlation", "truth", None, p, np.array(same), z,
                   detail=f"{len(same):,} sibling pairs in one age band on one case share an outcome "
                          f"(expected {p:.3f} from correlation {rho})")
