"""Case-level distributions measured from an extract, the way the realism validator measures them.

Each derivation reads :class:`~synth.learn.extract.Extract` frames, measures one named
distribution per conditional case and hands the observations to :mod:`synth.learn.leaves`,
which applies disclosure control. A case that cannot be published falls back to the base
profile (logged); a distribution with nothing learned is kept as in the base, with the reason.

The realism validator measures index (first) proceedings for the shape of a family's first case;
here a case is an index case when its mother has no earlier case in the extract.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from synth.learn import sdc
from synth.learn.fit import censored_lognormal, lognormal_mean_cv
from synth.learn.leaves import Context, Leaf, SdcControl, case_text, categorical_leaf, histogram_leaf
from synth.profile.kinds import Conditional, Lognormal, Poisson
from synth.profile.mechanisms import derivation

DAY = pd.Timedelta(days=1)
YEAR = 365.25


def index_cases(ctx: Context) -> pd.DataFrame:
    """Cases whose mother has no earlier case in the extract (or no recorded mother)."""
    return ctx.x.cases[ctx.x.cases["seq"] == 0]


def law_cases(ctx: Context, name: str) -> list[str]:
    """The law types the base distribution has cases for."""
    d = ctx.dists.get(name)
    return list(d.cases) if isinstance(d, Conditional) and d.given == "law_type" else []


def each_case(ctx: Context, name: str, cases: list[tuple[str, ...]], make: Callable[[tuple], Leaf | None],
              reason: str = "too few contributors in every case") -> int:
    """Learn each case with ``make``; log the ones that fall back to the base. Returns how many were learned."""
    got = 0
    for case in cases:
        leaf = ctx.add(make(case))
        if leaf is None:
            ctx.log.add(name, case_text(case), "fallback", "kept from the base profile (not publishable)")
        got += leaf is not None
    if not got:
        ctx.keep(name, reason)
    return got


@derivation("month_of_issue")
def month_of_issue(ctx: Context) -> None:
    """Calendar month of issue of index cases."""
    d = index_cases(ctx)["issue_date"].dropna()
    each_case(ctx, "month_of_issue", [()], lambda c: categorical_leaf(
        ctx, "month_of_issue", c, d.dt.month.astype(str), None, "index cases", ordered=True))


@derivation("children_per_case")
def children_per_case(ctx: Context) -> None:
    """Subject children on each index case, by law type."""
    idx = index_cases(ctx)
    n = ctx.x.subjects.groupby("case").size()

    def make(case: tuple[str, ...]) -> Leaf | None:
        k = n.reindex(idx.loc[idx["law_type"] == case[0], "case"]).dropna().astype(int)
        return categorical_leaf(ctx, "children_per_case", case, k.astype(str), None, "index cases", ordered=True)

    each_case(ctx, "children_per_case", [(lt,) for lt in law_cases(ctx, "children_per_case")], make)


@derivation("youngest_child_age_at_issue")
def youngest_child_age_at_issue(ctx: Context) -> None:
    """Age at issue (days) of the youngest child on each index case, by law type."""
    idx = index_cases(ctx)
    s = ctx.x.subjects[ctx.x.subjects["case"].isin(idx["case"])]
    ages = s.groupby("case")[["age_lo", "age_hi"]].min()
    law = idx.set_index("case")["law_type"].reindex(ages.index)

    def make(case: tuple[str, ...]) -> Leaf | None:
        a = ages[(law == case[0]).to_numpy()]
        return histogram_leaf(ctx, "youngest_child_age_at_issue", case, a["age_lo"], a["age_hi"], None, "index cases")

    each_case(ctx, "youngest_child_age_at_issue", [(lt,) for lt in law_cases(ctx, "youngest_child_age_at_issue")],
              make)


@derivation("application_type")
def application_type(ctx: Context) -> None:
    """Primary order applied for, per application, by law type."""
    a = ctx.x.apps.dropna(subset=["application_type"])
    if a.empty:
        return ctx.keep("application_type", "no column records the order applied for")

    def make(case: tuple[str, ...]) -> Leaf | None:
        g = a[a["law_type"] == case[0]]
        return categorical_leaf(ctx, "application_type", case, g["application_type"], g["case"], "applications",
                                ordered=False)

    each_case(ctx, "application_type", [(lt,) for lt in law_cases(ctx, "application_type")], make)


@derivation("issue_to_receipt_days")
def issue_to_receipt_days(ctx: Context) -> None:
    """Days from issue to receipt, per application (negative lags count as 0)."""
    a = ctx.x.apps
    days = ((a["receipt_date"] - a["issue_date"]) / DAY).to_numpy(float)
    ok = ~np.isnan(days)
    if not ok.any():
        return ctx.keep("issue_to_receipt_days", "no issue and receipt dates")
    neg = int((days[ok] < 0).sum())
    if neg:
        ctx.log.add("issue_to_receipt_days", "", "clip",
                    f"{sdc.say(neg, ctx.rules)} applications received before issue counted as 0 days")
    days = np.maximum(days[ok], 0)
    cases = a["case"].to_numpy()[ok]
    got = Poisson.learn(None, (days, cases), SdcControl(ctx, "issue_to_receipt_days"))

    def make(case: tuple[str, ...]) -> Leaf | None:
        if got is None:
            return None
        return Leaf("issue_to_receipt_days", case, got.body, got.n, "applications",
                    "mean lag of applications with both dates")

    each_case(ctx, "issue_to_receipt_days", [()], make)


@derivation("duration")
def duration(ctx: Context) -> None:
    """Weeks from issue to disposal by law type: lognormal, a mean per financial year and one CV.

    Open applications are right-censored at the extract's last day: the fit is a censored
    lognormal (EM), so recent years are not biased short. Years too small or dominated are
    pooled with a neighbouring year.
    """
    a = ctx.x.apps.dropna(subset=["issue_date"])
    end = ctx.x.end

    def make(case: tuple[str, ...]) -> Leaf | None:
        base = ctx.base_leaf("duration", case)
        if not isinstance(base, Lognormal) or not isinstance(base.mean, dict):
            return None
        g = a[a["law_type"] == case[0]]
        years = sorted(base.mean, key=int)
        fy = np.where(g["issue_date"].dt.month >= 4, g["issue_date"].dt.year, g["issue_date"].dt.year - 1)
        inside = np.isin(fy.astype(str), years)
        g, fy = g[inside], fy[inside].astype(str)
        observed = g["disposal_date"].notna().to_numpy()
        t = np.where(observed, (g["disposal_date"] - g["issue_date"]) / DAY, (end - g["issue_date"]) / DAY)
        t = np.maximum(t.astype(float), np.where(observed, 1.0, 0.5))
        year_of = pd.Categorical(fy, categories=years).codes
        values = [t[year_of == i] for i in range(len(years))]
        runs = sdc.merge_ordered_summaries(values, ctx.rules)
        pooled = np.concatenate([values[i] for i in runs[0]]) if len(runs) == 1 else None
        if pooled is not None and sdc.summary_problem(pooled, ctx.rules) is not None:
            ctx.log.add("duration", case_text(case), "suppress",
                        f"durations not published: {sdc.summary_problem(pooled, ctx.rules)}")
            return None
        spread = sdc.dispersion_problem(np.log(t[observed]), ctx.rules)
        if spread is not None:
            ctx.log.add("duration", case_text(case), "suppress", f"CV not published: {spread}")
            return None
        run_of = sdc.group_of_runs(runs, len(years))
        for r in runs:
            if len(r) > 1:
                ctx.log.add("duration", case_text(case), "merge",
                            f"years {'+'.join(years[i] for i in r)} pooled for one mean "
                            f"(a year alone had fewer than {ctx.rules.threshold} contributors or was dominated)")
        mu, sigma = censored_lognormal(t / 7.0, observed, run_of[year_of], len(runs))
        means, cv = lognormal_mean_cv(mu, sigma)
        body = {"kind": "lognormal", "unit": "weeks", "given": "fy",
                "mean": {int(y): round(float(means[run_of[i]]), 1) for i, y in enumerate(years)},
                "cv": round(cv, 3)}
        if base.min is not None:
            body["min"] = base.min
        if base.max is not None:
            body["max"] = base.max
        open_share = sdc.say(int((~observed).sum()), ctx.rules)
        return Leaf("duration", case, body, float(sdc.round_base(len(t), ctx.rules.rounding)), "applications",
                    f"censored-lognormal fit; {open_share} applications still open at the extract's end")

    each_case(ctx, "duration", [(lt,) for lt in law_cases(ctx, "duration")], make)


@derivation("hearings")
def hearings(ctx: Context) -> None:
    """Hearings per disposed case by law type: the base offset kept, the Poisson mean learned."""
    h = ctx.x.hearings
    if h is None:
        return ctx.keep("hearings", "the agency has no hearing table")
    done = ctx.x.cases[ctx.x.cases["disposal_date"].notna()]
    n = h.groupby("case").size().reindex(done["case"], fill_value=0).to_numpy()

    def make(case: tuple[str, ...]) -> Leaf | None:
        base = ctx.base_leaf("hearings", case)
        if not isinstance(base, Poisson):
            return None
        sel = (done["law_type"] == case[0]).to_numpy()
        got = Poisson.learn(base, (n[sel], None), SdcControl(ctx, "hearings", case))
        if got is None:
            return None
        below = int((n[sel] < base.offset).sum())
        if below >= ctx.rules.threshold:
            ctx.log.add("hearings", case_text(case), "note",
                        f"{sdc.say(below, ctx.rules)} cases have fewer hearings than the base offset "
                        f"({base.offset}), which is kept")
        return Leaf("hearings", case, got.body, got.n, "disposed cases",
                    f"mean hearings per disposed case less the base offset {base.offset}")

    each_case(ctx, "hearings", [(lt,) for lt in law_cases(ctx, "hearings")], make)


@derivation("hearing_type")
def hearing_type(ctx: Context) -> None:
    """Type of hearings that are neither a case's first nor (for disposed cases) its last."""
    h = ctx.x.hearings
    if h is None or h["type"].isna().all():
        return ctx.keep("hearing_type", "the agency records no hearing types")
    h = h.sort_values(["case", "date"], kind="stable")
    rank = h.groupby("case").cumcount()
    last = rank.groupby(h["case"]).transform("max")
    cases = ctx.x.cases.set_index("case")
    open_ = h["case"].map(cases["disposal_date"]).isna()
    middle = (rank > 0) & ((rank < last) | open_)
    law = h["case"].map(cases["law_type"])

    def make(case: tuple[str, ...]) -> Leaf | None:
        sel = middle & (law == case[0])
        return categorical_leaf(ctx, "hearing_type", case, h.loc[sel, "type"], h.loc[sel, "case"], "hearings",
                                ordered=False)

    each_case(ctx, "hearing_type", [(lt,) for lt in law_cases(ctx, "hearing_type")], make)


@derivation("recurrence_law_type")
def recurrence_law_type(ctx: Context) -> None:
    """Law type of a mother's next case, by the law type of the current one."""
    c = ctx.x.cases.dropna(subset=["next_law", "mother"])

    def make(case: tuple[str, ...]) -> Leaf | None:
        g = c[c["law_type"] == case[0]]
        return categorical_leaf(ctx, "recurrence_law_type", case, g["next_law"], g["mother"],
                                "mothers' next cases", ordered=False)

    each_case(ctx, "recurrence_law_type", [(lt,) for lt in law_cases(ctx, "recurrence_law_type")], make,
              "too few mothers with a later case")


@derivation("recurrence_baby_age_at_issue")
def recurrence_baby_age_at_issue(ctx: Context) -> None:
    """Age at issue of a child first seen on a mother's later public law case, under one year old."""
    s = ctx.x.subjects.merge(ctx.x.cases[["case", "mother", "seq", "law_type"]], on="case")
    s = s[s["mother"].notna()]
    first = s.groupby(["mother", "person"])["seq"].transform("min")
    new = (s["seq"] > 0) & (s["seq"] == first) & (s["law_type"] == "public") & (s["age_lo"] < YEAR)
    b = s[new]
    each_case(ctx, "recurrence_baby_age_at_issue", [()], lambda c: histogram_leaf(
        ctx, "recurrence_baby_age_at_issue", c, b["age_lo"], b["age_hi"], b["case"], "new babies on returns"),
        "too few new babies on public law returns")
