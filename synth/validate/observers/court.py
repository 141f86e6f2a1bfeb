"""Realism observers for families and proceedings (synth/world/families.py, truth.py, residence.py).

Each observer reads the truth and returns what the mechanism produced for one named
distribution, one sample per conditional case; it is registered against the mechanism's name
and called as ``fn(truth, name)``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.profile.kinds import UNIT_DAYS, Categorical, Histogram, Lognormal, Observed, Share
from synth.profile.mechanisms import AWAY_FROM_HOME, observer
from synth.validate.observers import finish, place_adjust
from synth.validate.observers.truth import DAY, YEAR, Observations, Truth, days_between
from synth.validate.pooling import Pooled
from synth.world.families import MAX_MOTHER_AGE_AT_BIRTH, MIN_SPACING_DAYS


@observer("month_of_issue")
def month_of_issue(t: Truth, name: str) -> Observations:
    """Calendar month of each index proceeding's issue."""
    return {(): pd.to_datetime(t.index["issue_date"]).dt.month.astype(str)}


@observer("children_per_case")
def children_per_case(t: Truth, name: str) -> Observations:
    """Subject children on each index proceeding, by law type."""
    return {(lt,): g["n_children"].astype(str) for lt, g in t.index.groupby("law_type")}


@observer("youngest_child_age_at_issue")
def youngest_child_age_at_issue(t: Truth, name: str) -> Observations:
    """Age at issue (days) of the youngest subject of each index proceeding, by law type."""
    c = t.pc[t.pc["proceeding_id"].isin(t.index["proceeding_id"])]
    y = c.groupby("proceeding_id")["age_at_issue_days"].min()
    law = t.index.set_index("proceeding_id")["law_type"].reindex(y.index)
    fy = t.index.set_index("proceeding_id")["fy"].reindex(y.index)
    out = {(lt,): y[law == lt].to_numpy() for lt in law.unique()}
    if ("public",) in out:  # the issue year's age mix mapped onto the stated one (place_adjust.py)
        out[("public",)] = place_adjust.stated_youngest(t, out[("public",)], fy[law == "public"].to_numpy())
    return out


@observer("sibling_spacing")
def sibling_spacing(t: Truth, name: str) -> Observations:
    """Spacing of two-child index groups where compression cannot bind (room above the 99.9th percentile).

    Selection is on the youngest child's age and the mother's age at the first birth, which are
    drawn independently of the spacing, so the sample is unbiased.
    """
    dist = t.leaf("sibling_spacing", Lognormal)
    q = dist.quantile_999() * UNIT_DAYS[dist.unit]
    idx = t.index[t.index["n_children"] == 2]
    c = t.pc[t.pc["proceeding_id"].isin(idx["proceeding_id"])].sort_values(["proceeding_id", "age_at_issue_days"])
    ages = c.groupby("proceeding_id")["age_at_issue_days"].agg(["min", "max"])
    fam = idx.set_index("proceeding_id")["family_id"].reindex(ages.index)
    mum = t.family.set_index("family_id")["mother_id"].reindex(fam).map(t.dob).to_numpy()
    issue = idx.set_index("proceeding_id")["issue_date"].reindex(ages.index)
    eldest_dob = pd.to_datetime(issue, cache=False) - pd.to_timedelta(ages["max"], unit="D")
    a1 = days_between(mum, eldest_dob)
    room_ok = (17.9 * YEAR - np.maximum(ages["min"], 0) > q) & (47 * YEAR - a1 > q)
    return {(): (ages["max"] - ages["min"])[room_ok.to_numpy()].to_numpy(float)}


@observer("mother_age_at_first_birth")
def mother_age_at_first_birth(t: Truth, name: str) -> Observations:
    """Mother's age (days) at her first child's birth, by the law type of the family's index case."""
    first = t.kids.groupby("family_id").first()
    mum = first["mother_id"].map(t.dob)
    age = days_between(mum, first["date_of_birth"])
    law = t.family_law.reindex(first.index)
    return {(lt,): age[(law == lt).to_numpy()] for lt in law.dropna().unique()}


@observer("new_father_at_birth")
def new_father_at_birth(t: Truth, name: str) -> Observations:
    """Whether each later-born child has a different father from the previous child."""
    k = t.kids
    prev = k.groupby("family_id")["father_id"].shift()
    later = prev.notna()
    return {(): (k.loc[later, "father_id"] != prev[later]).to_numpy()}


@observer("father_age_gap")
def father_age_gap(t: Truth, name: str) -> Observations:
    """Father's age minus mother's age, in days, over couples (partnerships).

    Every couple counts, including a man's later partnership with another mother, whose gap follows
    from his age (synth/world/partners.py), not from a draw; counting each man once, against his first
    partner, would judge only the partnerships whose man was not shared.
    """
    ps = t.run.truth("partnership")
    return {(): days_between(ps["man_id"].map(t.dob).to_numpy(), ps["woman_id"].map(t.dob).to_numpy())}


@observer("father_recorded")
def father_recorded(t: Truth, name: str) -> Observations:
    """Proceedings (not applied for by a father) with a father as a party, by law type."""
    p = t.proc
    has = p["proceeding_id"].isin(t.party.loc[t.party["relationship"] == "father", "proceeding_id"])
    ok = p["applicant_type"] != "father"
    return {(lt,): has[ok & (p["law_type"] == lt)].to_numpy() for lt in p["law_type"].unique()}


@observer("other_adult_parties")
def other_adult_parties(t: Truth, name: str) -> Observations:
    """Relatives who are parties per proceeding whose applicant is not a relative, by law type."""
    p = t.proc
    rel = t.party[t.party["relationship"].isin(["grandparent", "other_relative"])]
    n = rel.groupby("proceeding_id").size().reindex(p["proceeding_id"], fill_value=0).to_numpy()
    ok = ~p["applicant_type"].isin(["grandparent", "other_relative"]).to_numpy()
    return {(lt,): n[ok & (p["law_type"] == lt).to_numpy()] for lt in p["law_type"].unique()}


@observer("private_applicant")
def private_applicant(t: Truth, name: str) -> Observations:
    """Applicant type of private law proceedings."""
    return {(): t.proc.loc[t.proc["law_type"] == "private", "applicant_type"]}


@observer("child_sex_male")
def child_sex_male(t: Truth, name: str) -> Observations:
    """Whether each child is male."""
    return {(): (t.kids["sex"] == 1).to_numpy()}


@observer("ethnicity")
def ethnicity(t: Truth, name: str) -> Observations:
    """Ethnicity of the children in public-law proceedings (each child once), by country."""
    public = t.proc.loc[t.proc["law_type"] == "public", "proceeding_id"]
    ids = np.unique(t.pc.loc[t.pc["proceeding_id"].isin(public), "person_id"].to_numpy(np.int64))
    kids = t.person[t.person["person_id"].isin(ids)]
    return {(c,): g["ethnicity"] for c, g in kids.groupby("country")}


@observer("issue_to_receipt_days")
def issue_to_receipt_days(t: Truth, name: str) -> Observations:
    """Days from issue to receipt of each proceeding."""
    return {(): days_between(t.proc["issue_date"], t.proc["receipt_date"]).astype(int)}


@observer("application_type")
def application_type(t: Truth, name: str) -> Observations:
    """Order applied for, by law type."""
    return {(lt,): g["application_type"] for lt, g in t.proc.groupby("law_type")}


def checkable_years(t: Truth, dist: Lognormal) -> set[str]:
    """Financial years whose durations are fully observed by the period end (99.9th percentile)."""
    out = set()
    s = math.sqrt(math.log1p(dist.cv**2))
    for k, mean in dist.mean.items():  # type: ignore[union-attr]
        q = mean * math.exp(-s * s / 2 + 3.09 * s) * UNIT_DAYS[dist.unit]
        fy_end = np.datetime64(f"{int(k) + 1}-03-31", "D")
        if fy_end + np.timedelta64(int(q), "D") <= t.end:
            out.add(k)
    return out


@observer("duration")
def duration(t: Truth, name: str) -> Observations:
    """Days from issue to disposal with the financial year of issue, by law type (fully observed years judged)."""
    dist = t.dists["duration"]
    done = t.proc[t.proc["disposal_date"].notna()]
    out: Observations = {}
    for lt, g in done.groupby("law_type"):
        data = (days_between(g["issue_date"], g["disposal_date"]), g["fy"].astype(str).to_numpy())
        leaf = dist.leaf_at((lt,))
        if isinstance(leaf, Lognormal) and isinstance(leaf.mean, dict):
            out[(lt,)] = Observed(data, {"checkable": checkable_years(t, leaf)})
        else:
            out[(lt,)] = Observed(data)
    return out


@observer("hearings")
def hearings(t: Truth, name: str) -> Observations:
    """Hearings per disposed proceeding, by law type."""
    done = t.proc[t.proc["disposal_date"].notna()]
    n = t.hearing.groupby("proceeding_id").size().reindex(done["proceeding_id"], fill_value=0)
    return {(lt,): n[(done["law_type"] == lt).to_numpy()].to_numpy() for lt in done["law_type"].unique()}


@observer("hearing_type")
def hearing_type(t: Truth, name: str) -> Observations:
    """Type of hearings that are neither first nor (for disposed proceedings) final, by law type."""
    p, h = t.proc, t.hearing
    last = h.groupby("proceeding_id")["sequence"].transform("max")
    open_ = h["proceeding_id"].map(p.set_index("proceeding_id")["disposal_date"]).isna()
    middle = (h["sequence"] > 1) & ((h["sequence"] < last) | open_)
    law = h["proceeding_id"].map(p.set_index("proceeding_id")["law_type"])
    return {(lt,): h.loc[middle & (law == lt), "hearing_type"] for lt in law.unique()}


def outcome_deff(t: Truth, rho: float) -> Pooled:
    """Design effect of siblings on one case sharing an outcome draw with correlation ``rho``.

    Pooled over slices of the families: each gives the children with an outcome and their cases.
    """
    sizes = t.pc[t.pc["has_outcome"]].groupby("proceeding_id").size()
    return Pooled([(int(sizes.sum()), len(sizes))], finish.design_effect, rho)


@observer("outcome")
def outcome(t: Truth, name: str) -> Observations:
    """Final order per child by law type and age band (siblings' correlation as a design effect)."""
    p, pc = t.proc, t.pc
    c = pc[pc["has_outcome"]]
    law = c["proceeding_id"].map(p.set_index("proceeding_id")["law_type"])
    deff = outcome_deff(t, t.leaf("outcome_sibling_correlation", Share).p)
    c = c.assign(outcome=place_adjust.stated_outcomes(t, c, law))  # year and LA mixes mapped (place_adjust.py)
    return {(lt, b): Observed(c.loc[(law == lt) & (c["age_band"] == b), "outcome"], {"deff": deff})
            for lt in law.unique() for b in c["age_band"].unique()}


@observer("outcome_sibling_correlation")
def outcome_sibling_correlation(t: Truth, name: str) -> Observations:
    """Pairs of siblings in one age band on one case share an outcome with P = rho^2 + (1 - rho^2) S.

    The expected share is pooled over slices of the families: each gives its pairs per law type
    and age band, and the share is their mean in (law type, age band) order, as on the whole run.
    """
    rho = t.leaf("outcome_sibling_correlation", Share).p
    c = t.pc[t.pc["has_outcome"]]
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    dist = t.dists["outcome"]
    same: list[bool] = []
    groups: dict[tuple, tuple[int, float]] = {}
    for (lt, band), g in c.assign(law=law).groupby(["law", "age_band"]):
        leaf = dist.leaf_at((lt, band))
        if not isinstance(leaf, Categorical):
            continue
        s = float((leaf.p**2).sum())
        firsts = g.groupby("proceeding_id")["outcome"].agg(["first", "last", "size"])
        pairs = firsts[firsts["size"] >= 2]
        same += (pairs["first"] == pairs["last"]).tolist()
        groups[(lt, band)] = (len(pairs), rho**2 + (1 - rho**2) * s)

    return {(): Observed(np.array(same, dtype=bool), {"target": Pooled([groups], finish.pair_target),
                                                       "detail": Pooled([groups], finish.pair_detail, rho)})}


@observer("recurrence")
def recurrence(t: Truth, name: str) -> Observations:
    """Days to the family's next issue (censored when no child is about or the period ends), by law type and history."""
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
    # A return comes no sooner than the disposal plus the next proceeding's pre-proceedings work;
    # each row's own pre-proceedings length is an independent draw of that work's length.
    earliest = days_between(s["issue_date"], s["disposal_date"]) + days_between(
        s["pre_proceedings_start"], s["issue_date"])
    out = {}
    for lt in s["law_type"].unique():
        for h in ("first_teen", "first_other", "repeat"):
            m = ((s["law_type"] == lt).to_numpy()) & (history == h)
            out[(lt, h)] = (dur[m], event[m], earliest[m])
    return out


@observer("pre_proceedings_days")
def pre_proceedings_days(t: Truth, name: str) -> Observations:
    """Days from the start of pre-proceedings work to issue, by law type."""
    p = t.proc
    days = days_between(p["pre_proceedings_start"], p["issue_date"])
    return {(lt,): days[(p["law_type"] == lt).to_numpy()] for lt in p["law_type"].unique()}


@observer("recurrence_law_type")
def recurrence_law_type(t: Truth, name: str) -> Observations:
    """Law type of each family's next proceeding, by the current one's."""
    s = t.proc.sort_values(["family_id", "sequence"])
    nxt = s.groupby("family_id")["law_type"].shift(-1)
    has = nxt.notna()
    return {(lt,): nxt[has & (s["law_type"] == lt)] for lt in s["law_type"].unique()}


@observer("recurrence_new_baby", "recurrence_baby_age_at_issue")
def new_babies(t: Truth, name: str) -> Observations:
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
    if name == "recurrence_baby_age_at_issue":  # the issue year's mix mapped onto the stated one
        fy = cur.loc[is_new, "proceeding_id"].map(p.set_index("proceeding_id")["fy"]).to_numpy()
        return {(): place_adjust.stated_baby_ages(t, cur.loc[is_new, "age_at_issue_days"].to_numpy(), fy)}
    baby_cases = set(cur.loc[is_new, "proceeding_id"])
    # Older children at home: subjects of the previous proceeding not placed away, under 18 at the new issue.
    prevc = pc.merge(ret[["proceeding_id", "prev", "issue_date"]].rename(
        columns={"proceeding_id": "ret_id"}), left_on="proceeding_id", right_on="prev")
    at_home = ~prevc["outcome"].isin(AWAY_FROM_HOME) & (
        days_between(prevc["person_id"].map(t.dob), prevc["issue_date"]) < 17.9 * YEAR)
    home_cases = set(prevc.loc[at_home, "ret_id"])
    mum = ret["family_id"].map(t.family.set_index("family_id")["mother_id"]).map(t.dob)
    fertile = days_between(mum, ret["issue_date"]) < MAX_MOTHER_AGE_AT_BIRTH - 61
    # A new baby is possible only MIN_SPACING_DAYS after the mother's last birth among the children the
    # family had by the previous proceeding (each a subject of it or of an earlier one; an unborn subject
    # counts, at its birth).
    prev_seq = ret["prev"].map(p.set_index("proceeding_id")["sequence"])
    kids = t.kids[["family_id", "person_id", "date_of_birth"]].assign(seen=lambda k: k["person_id"].map(first_seen))
    born = ret[["proceeding_id", "family_id"]].assign(prev_seq=prev_seq.to_numpy()).merge(kids, on="family_id")
    born = born[born["seen"] <= born["prev_seq"]]
    last = ret["proceeding_id"].map(born.groupby("proceeding_id")["date_of_birth"].max()).to_numpy()
    # The baby's age at issue is drawn (recurrence_baby_age_at_issue): the chance that the drawn age
    # leaves the spacing is the stated CDF at the room there is; the target is p times that chance.
    age = t.leaf("recurrence_baby_age_at_issue", Histogram)
    room = days_between(last, ret["issue_date"]) - MIN_SPACING_DAYS + 0.5
    fits = np.interp(np.nan_to_num(room, nan=-np.inf), np.asarray(age.bins) * UNIT_DAYS[age.unit],
                     np.concatenate([[0.0], np.cumsum(age.p)]), left=0.0, right=1.0)
    ok = (ret["proceeding_id"].isin(home_cases) & fertile).to_numpy() & (fits > 0)
    flags = ret.loc[ok, "proceeding_id"].isin(baby_cases).to_numpy()
    share = t.leaf("recurrence_new_baby", Share).p

    # Target and detail from the whole run's samples (a Pooled option: realism reads slices of families).
    parts = [(fits[ok], flags)]
    return {(): Observed(flags, {"target": Pooled(parts, finish.baby_target, share),
                                 "detail": Pooled(parts, finish.baby_detail, share)})}


@observer("child_father_surname")
def child_father_surname(t: Truth, name: str) -> Observations:
    """Whether a child whose parents' surnames differ has its father's."""
    k = t.kids
    sur = t.person.set_index("person_id")["surname"]
    dad, mum = k["father_id"].map(sur), k["mother_id"].map(sur)
    differ = (dad != mum).to_numpy()
    return {(): (k["surname"].to_numpy() == dad.to_numpy())[differ]}


@observer("address_duration")
def address_duration(t: Truth, name: str) -> Observations:
    """Days at each address (censored at the period end)."""
    a = t.run.truth("address", ["from_date", "to_date"])
    moved = a["to_date"].notna().to_numpy()
    stop = np.where(moved, pd.to_datetime(a["to_date"]).to_numpy("datetime64[D]") + 1, t.end)
    dur = ((stop - pd.to_datetime(a["from_date"]).to_numpy("datetime64[D]")) / DAY).astype(float)
    return {(): (dur, moved, None)}


@observer("address_recorded")
def address_recorded(t: Truth, name: str) -> Observations:
    """How each adult's address is recorded."""
    adults = t.person[t.person["family_role"] != "child"]
    pcd = adults["postcode"]
    lab = np.where(pcd == "ZZ99 3VZ", "no_fixed_abode",
                   np.where(pcd.isin(["ZZ99 3CZ", "ZZ99 3GZ"]), "not_specified", "known"))
    return {(): lab}
