"""Person-level distributions measured from an extract: children's orders and sex, parents, families.

Like :mod:`synth.learn.derive`, each function measures one named distribution and leaves the
disclosure control to :mod:`synth.learn.leaves`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.learn import sdc
from synth.learn.derive import YEAR, each_case, index_cases, law_cases
from synth.learn.leaves import (
    Context,
    Leaf,
    SdcControl,
    case_text,
    categorical_leaf,
    histogram_leaf,
    probabilities,
    share_leaf,
    share_value,
)
from synth.profile.kinds import UNIT_DAYS, Categorical, Conditional, Kind, Lognormal, Poisson
from synth.profile.mechanisms import derivation
from synth.world.sampling import age_band

RELATIVES = ("grandparent", "other_relative", "relative")


def _dob_mid(lo: pd.Series, hi: pd.Series) -> pd.Series:
    return lo + (hi - lo) / 2


@derivation("outcome")
def outcome(ctx: Context) -> None:
    """Final order per child by law type and age band; a band that cannot be published falls back
    to its law type's orders over all ages, then to the base."""
    s = ctx.x.subjects.dropna(subset=["outcome"])
    if s.empty:
        return ctx.keep("outcome", "no column records children's final orders")
    law = s["case"].map(ctx.x.cases.set_index("case")["law_type"]).to_numpy()
    band = age_band(((s["age_lo"] + s["age_hi"]) / 2).to_numpy(float))
    got = 0
    for lt in law_cases(ctx, "outcome"):
        base = ctx.base_leaf("outcome", (lt,))
        pooled: list[Leaf | None] = []
        for b in (list(base.cases) if isinstance(base, Conditional) else []):
            sel = (law == lt) & (band == b)
            leaf = categorical_leaf(ctx, "outcome", (lt, b), s.loc[sel, "outcome"], s.loc[sel, "case"], "children",
                                    ordered=False)
            if leaf is None:
                if not pooled:
                    all_ages = law == lt
                    pooled.append(categorical_leaf(
                        ctx, "outcome", (lt, "all ages"), s.loc[all_ages, "outcome"], s.loc[all_ages, "case"],
                        "children", ordered=False, prior=_mean_prior(base),
                        note=f"orders of all ages of {lt} law (the age band alone was not publishable)"))
                leaf = pooled[0] and Leaf("outcome", (lt, b), pooled[0].body, pooled[0].n, pooled[0].unit,
                                          pooled[0].note, pooled[0].groups)
                ctx.log.add("outcome", case_text((lt, b)), "fallback", "age band not publishable: "
                            + (f"orders of all ages of {lt} law used" if leaf else "kept from the base profile"))
            got += ctx.add(leaf) is not None
    if not got:
        ctx.keep("outcome", "too few children with a recorded order")


def _mean_prior(d: Kind | None) -> dict[str, float] | None:
    """The average of a conditional's categorical cases (label -> probability)."""
    if not isinstance(d, Conditional):
        return None
    out: dict[str, float] = {}
    for c in d.cases.values():
        for k, v in getattr(c, "probabilities", {}).items():
            out[k] = out.get(k, 0.0) + v / len(d.cases)
    return out or None


@derivation("outcome_sibling_correlation")
def outcome_sibling_correlation(ctx: Context) -> None:
    """Siblings of one age band on one case share an order with P = rho^2 + (1 - rho^2) S, S = sum p^2."""
    s = ctx.x.subjects.dropna(subset=["outcome"]).sort_values(["case", "person"])
    law = s["case"].map(ctx.x.cases.set_index("case")["law_type"])
    s = s.assign(law=law, band=age_band(((s["age_lo"] + s["age_hi"]) / 2).to_numpy(float)))
    g = s.groupby(["case", "law", "band"])["outcome"].agg(["first", "last", "size"])
    pairs = g[g["size"] >= 2].reset_index()
    if pairs.empty:
        return ctx.keep("outcome_sibling_correlation", "no sibling pairs with orders")

    def concentration(lt: str, b: str) -> float:
        leaf = ctx.learned("outcome", (lt, b))
        p = np.array(list(leaf.body["probabilities"].values())) if leaf else getattr(
            ctx.base_leaf("outcome", (lt, b)), "p", np.array([1.0]))
        return float((np.asarray(p) ** 2).sum())

    keys = pairs[["law", "band"]].drop_duplicates()
    conc = {(r.law, r.band): concentration(r.law, r.band) for r in keys.itertuples()}
    expected = np.array([conc[k] for k in zip(pairs["law"], pairs["band"])])
    same = (pairs["first"] == pairs["last"]).to_numpy()
    p_same = share_value(ctx, "outcome_sibling_correlation", (), same, pairs["case"].to_numpy())

    def make(case: tuple[str, ...]) -> Leaf | None:
        if p_same is None:
            return None
        m = float(expected.mean())
        rho = math.sqrt(min(max((p_same - m) / (1 - m), 0.0), 1.0)) if m < 1 else 1.0
        return Leaf("outcome_sibling_correlation", case, {"kind": "share", "p": round(rho, 3)},
                    float(sdc.round_base(len(pairs), ctx.rules.rounding)), "sibling pairs",
                    "from the share of siblings (one age band, one case) with the same order")

    each_case(ctx, "outcome_sibling_correlation", [()], make)


@derivation("child_sex_male")
def child_sex_male(ctx: Context) -> None:
    """Share of subject children recorded male."""
    s = ctx.x.subjects.dropna(subset=["sex"]).drop_duplicates("person")
    s = s[s["sex"].isin(["1", "2"])]
    each_case(ctx, "child_sex_male", [()], lambda c: share_leaf(
        ctx, "child_sex_male", c, (s["sex"] == "1").to_numpy(), None, "children"))


@derivation("ethnicity")
def ethnicity(ctx: Context) -> None:
    """Ethnicity of the children in public-law cases (each once), for the agency's country: the
    profile's ``ethnicity`` is that mix (synth/world/ethnicity.py calibrates to it).

    When the agency records only coarse groups, the group shares are learned and split into codes
    by the base profile's shares within each group; codes outside every group keep their base share.
    """
    if len(ctx.countries) != 1:
        return ctx.keep("ethnicity", "the agency covers more than one country")
    country = ctx.countries[0]
    base = ctx.base_leaf("ethnicity", (country,))
    if not isinstance(base, Categorical):
        return ctx.keep("ethnicity", f"the base profile has no categorical ethnicity for {country}")
    public = ctx.x.cases.loc[ctx.x.cases["law_type"] == "public", "case"]
    people = ctx.x.subjects[ctx.x.subjects["case"].isin(public)].dropna(subset=["ethnicity"]).drop_duplicates("person")
    unit = "children in public-law cases"
    if people.empty:
        return ctx.keep("ethnicity", "the agency records no ethnicity")
    groups = ctx.x.ethnicity_groups
    if groups is None:
        each_case(ctx, "ethnicity", [(country,)], lambda c: categorical_leaf(
            ctx, "ethnicity", c, people["ethnicity"], people["person"], unit, ordered=False))
        return
    ctx.log.add("ethnicity", country, "coarse", "only coarse groups are recorded: group shares are learned and "
                "split into codes by the base profile's shares within each group; codes in no group keep their "
                "base share")
    base_p = base.probabilities
    outside = {c: p for c, p in base_p.items() if not any(c in codes for codes in groups.values())}
    prior = {g: sum(base_p.get(c, 0.0) for c in codes) for g, codes in groups.items()}
    leaf = categorical_leaf(ctx, "ethnicity", (country,), people["ethnicity"], people["person"], unit,
                            ordered=False, prior=prior)
    if leaf is None:
        return ctx.keep("ethnicity", "too few people with a recorded ethnicity group")
    share = leaf.body["probabilities"]
    scale = 1.0 - sum(outside.values())
    probs = {}
    for code in base_p:
        if code in outside:
            probs[code] = outside[code]
            continue
        g = next(k for k, codes in groups.items() if code in codes)
        inside = [c for c in groups[g] if c in base_p]
        tot = sum(base_p[c] for c in inside)
        probs[code] = scale * share.get(g, 0.0) * (base_p[code] / tot if tot > 0 else 1 / len(inside))
    body = {"kind": "categorical",
            "probabilities": probabilities(list(probs), np.array(list(probs.values())), np.ones(len(probs), bool))}
    ctx.add(Leaf("ethnicity", (country,), body, leaf.n, unit,
                 "group shares learned; split into codes by the base profile's within-group shares"))


def _applicant_relation(ctx: Context) -> pd.Series:
    """Who applied, per case: the applicant type column, else the applicant party's relationship."""
    a = ctx.x.apps.dropna(subset=["applicant_type"]).drop_duplicates("case").set_index("case")["applicant_type"]
    ad = ctx.x.adults
    party = ad[ad["party_role"] == "applicant"].sort_values(["case", "person"]).drop_duplicates("case")
    return a.combine_first(party.set_index("case")["relationship"])


@derivation("father_recorded")
def father_recorded(ctx: Context) -> None:
    """Cases (the applicant not a father) with a father as a party, by law type."""
    ad = ctx.x.adults
    if ad["relationship"].isna().all():
        return ctx.keep("father_recorded", "the agency records no parties' relationships")
    cases = ctx.x.cases
    app = cases["case"].map(_applicant_relation(ctx))
    has = cases["case"].isin(ad.loc[ad["relationship"] == "father", "case"]).to_numpy()
    ok = (app != "father").to_numpy()

    def make(case: tuple[str, ...]) -> Leaf | None:
        sel = ok & (cases["law_type"] == case[0]).to_numpy()
        return share_leaf(ctx, "father_recorded", case, has[sel], None, "cases")

    each_case(ctx, "father_recorded", [(lt,) for lt in law_cases(ctx, "father_recorded")], make)


@derivation("other_adult_parties")
def other_adult_parties(ctx: Context) -> None:
    """Relatives (not parents) who are parties, per case whose applicant is not a relative.

    The Poisson mean is taken from the share of cases with none (-log P(0)), which the base's cap
    on the count does not disturb.
    """
    ad = ctx.x.adults
    if ad["relationship"].isna().all():
        return ctx.keep("other_adult_parties", "the agency records no parties' relationships")
    cases = ctx.x.cases
    n = ad[ad["relationship"].isin(RELATIVES)].groupby("case").size().reindex(cases["case"], fill_value=0).to_numpy()
    ok = ~cases["case"].map(_applicant_relation(ctx)).isin(RELATIVES).to_numpy()

    def make(case: tuple[str, ...]) -> Leaf | None:
        base = ctx.base_leaf("other_adult_parties", case)
        sel = ok & (cases["law_type"] == case[0]).to_numpy()
        p_any = share_value(ctx, "other_adult_parties", case, n[sel] > 0, None)
        if p_any is None or p_any >= 1 or not isinstance(base, Poisson):
            return None
        body = {"kind": "poisson", "mean": round(-math.log(1 - p_any), 4)}
        if base.max is not None:
            body["max"] = base.max
        return Leaf("other_adult_parties", case, body, float(sdc.round_base(sel.sum(), ctx.rules.rounding)), "cases",
                    "mean from the share of cases with no relative as a party")

    each_case(ctx, "other_adult_parties", [(lt,) for lt in law_cases(ctx, "other_adult_parties")], make)


@derivation("private_applicant")
def private_applicant(ctx: Context) -> None:
    """Who applies in private law; a relative of unknown kind is split by the base's grandparent share."""
    cases = ctx.x.cases[ctx.x.cases["law_type"] == "private"]
    who = cases["case"].map(_applicant_relation(ctx))
    if who.isna().all():
        return ctx.keep("private_applicant", "the agency records no applicant")
    base = ctx.base_leaf("private_applicant")
    if not (who == "relative").any() or not isinstance(base, Categorical):
        each_case(ctx, "private_applicant", [()], lambda c: categorical_leaf(
            ctx, "private_applicant", c, who, None, "private law cases", ordered=False))
        return
    rel = {k: v for k, v in base.probabilities.items() if k in RELATIVES}
    coarse = {k: v for k, v in base.probabilities.items() if k not in RELATIVES} | {"relative": sum(rel.values())}
    leaf = categorical_leaf(ctx, "private_applicant", (), who, None, "private law cases", ordered=False, prior=coarse)
    if leaf is None:
        return ctx.keep("private_applicant", "too few private law applicants")
    ctx.log.add("private_applicant", "", "coarse", "relatives are not told apart: their share is split into "
                "grandparent and other_relative by the base profile's proportions")
    p = dict(leaf.body["probabilities"])
    r = p.pop("relative", 0.0)
    tot = sum(rel.values()) or 1.0
    p |= {k: r * v / tot for k, v in rel.items()}
    body = {"kind": "categorical", "probabilities": probabilities(list(p), np.array(list(p.values())),
                                                                  np.ones(len(p), bool))}
    ctx.add(Leaf("private_applicant", (), body, leaf.n, leaf.unit, "relatives split by the base proportions"))


def _child_dob(ctx: Context) -> pd.DataFrame:
    """Each subject's date-of-birth range from its age at issue."""
    s = ctx.x.subjects.merge(ctx.x.cases[["case", "issue_date", "mother", "seq", "law_type"]], on="case")
    s["dob_lo"] = s["issue_date"] - pd.to_timedelta(s["age_hi"], unit="D")
    s["dob_hi"] = s["issue_date"] - pd.to_timedelta(s["age_lo"], unit="D")
    return s


@derivation("mother_age_at_first_birth")
def mother_age_at_first_birth(ctx: Context) -> None:
    """Mother's age at the birth of her eldest child seen, by the law type of her first case."""
    s = _child_dob(ctx).dropna(subset=["mother", "dob_lo"])
    mum = ctx.x.adults.dropna(subset=["dob_lo"]).drop_duplicates("person").set_index("person")
    eldest = s.sort_values("dob_lo").drop_duplicates("mother").set_index("mother")
    first = ctx.x.cases[ctx.x.cases["seq"] == 0].dropna(subset=["mother"]).drop_duplicates("mother")
    law = first.set_index("mother")["law_type"].reindex(eldest.index)
    m_lo, m_hi = mum["dob_lo"].reindex(eldest.index), mum["dob_hi"].reindex(eldest.index)
    lo = (eldest["dob_lo"] - m_hi).dt.days.to_numpy(float)
    hi = (eldest["dob_hi"] - m_lo).dt.days.to_numpy(float)

    def make(case: tuple[str, ...]) -> Leaf | None:
        sel = (law == case[0]).to_numpy()
        return histogram_leaf(ctx, "mother_age_at_first_birth", case, lo[sel], hi[sel], None, "mothers")

    each_case(ctx, "mother_age_at_first_birth", [(lt,) for lt in law_cases(ctx, "mother_age_at_first_birth")],
              make)


def _parents_of(ctx: Context) -> pd.DataFrame | None:
    """child, mother, father (where recorded) from the parent-child pairs."""
    pa = ctx.x.parentage
    if pa is None or pa["parent_role"].isna().all():
        return None
    pa = pa.drop_duplicates(["child", "parent"])
    m = pa[pa["parent_role"] == "mother"].drop_duplicates("child").set_index("child")["parent"]
    f = pa[pa["parent_role"] == "father"].drop_duplicates("child").set_index("child")["parent"]
    return pd.DataFrame({"mother": m, "father": f})


@derivation("father_age_gap")
def father_age_gap(ctx: Context) -> None:
    """Father's age minus mother's age (years), once per mother-father pair."""
    par = _parents_of(ctx)
    if par is None:
        return ctx.keep("father_age_gap", "the agency records no parent-child pairs")
    pairs = par.dropna().drop_duplicates()
    dob = ctx.x.adults.dropna(subset=["dob_lo"]).drop_duplicates("person").set_index("person")
    lo = (pairs["mother"].map(dob["dob_lo"]) - pairs["father"].map(dob["dob_hi"])).dt.days.to_numpy(float)
    hi = (pairs["mother"].map(dob["dob_hi"]) - pairs["father"].map(dob["dob_lo"])).dt.days.to_numpy(float)
    each_case(ctx, "father_age_gap", [()], lambda c: histogram_leaf(
        ctx, "father_age_gap", c, lo, hi, None, "mother-father pairs"))


@derivation("new_father_at_birth")
def new_father_at_birth(ctx: Context) -> None:
    """Consecutive siblings (birth order) on an index case whose fathers differ."""
    par = _parents_of(ctx)
    if par is None:
        return ctx.keep("new_father_at_birth", "the agency records no parent-child pairs")
    idx = index_cases(ctx)
    s = ctx.x.subjects[ctx.x.subjects["case"].isin(idx["case"])]
    s = s.assign(father=s["person"].map(par["father"]), age=(s["age_lo"] + s["age_hi"]) / 2)
    s = s.sort_values(["case", "age", "person"], ascending=[True, False, True])
    prev = s.groupby("case")["father"].shift()
    both = (prev.notna() & s["father"].notna()).to_numpy()
    differ = (s["father"] != prev).to_numpy()[both]
    each_case(ctx, "new_father_at_birth", [()], lambda c: share_leaf(
        ctx, "new_father_at_birth", c, differ, s["case"].to_numpy()[both], "sibling pairs"))


@derivation("sibling_spacing")
def sibling_spacing(ctx: Context) -> None:
    """Months between the two children of two-child index cases where spacing cannot have been squeezed.

    As the realism validator does, only cases with room above the base spacing's 99.9th
    percentile (before the eldest is 18 and the mother 47) are used.
    """
    base = ctx.base_leaf("sibling_spacing")
    if not isinstance(base, Lognormal) or isinstance(base.mean, dict):
        return ctx.keep("sibling_spacing", "the base spacing is not a single lognormal")
    s = math.sqrt(math.log1p(base.cv**2))
    q = base.mean * math.exp(-s * s / 2 + 3.09 * s) * UNIT_DAYS[base.unit]
    sub = _child_dob(ctx)
    sub = sub[sub["seq"] == 0]
    two = sub[sub.groupby("case")["person"].transform("size") == 2]
    age = (two["age_lo"] + two["age_hi"]) / 2
    ag = age.groupby(two["case"]).agg(["min", "max"])
    mum = ctx.x.adults.dropna(subset=["dob_lo"]).drop_duplicates("person").set_index("person")
    mother = ctx.x.cases.set_index("case")["mother"].reindex(ag.index)
    issue = ctx.x.cases.set_index("case")["issue_date"].reindex(ag.index)
    mdob = _dob_mid(mother.map(mum["dob_lo"]), mother.map(mum["dob_hi"]))
    a1 = ((issue - pd.to_timedelta(ag["max"], unit="D")) - mdob).dt.days
    room = (17.9 * YEAR - ag["min"].clip(lower=0) > q) & ((47 * YEAR - a1 > q) | a1.isna())
    days = (ag["max"] - ag["min"])[room & (ag["min"] >= 0)].to_numpy(float)

    def make(case: tuple[str, ...]) -> Leaf | None:
        got = Lognormal.learn(base, days, SdcControl(ctx, "sibling_spacing", case), unit="months")
        if got is None:
            return None
        return Leaf("sibling_spacing", case, got.body, got.n, "two-child index cases",
                    "mean and CV of the spacing where it cannot have been squeezed")

    each_case(ctx, "sibling_spacing", [()], make)
