"""Annual volumes learned from an extract: the shape over financial years and law types.

An extract may be a sample, so only the *shape* is learned: the country's counts by year and law
type, disclosure-controlled, then scaled so the years learned keep the base profile's total for
that country (the mix of countries stays as in the base). Years before the extract's first case
or after its last keep their base counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.learn import sdc
from synth.learn.extract import Extract


def learn_volumes(x: Extract, base: pd.DataFrame, country: str, first_fy: int, last_fy: int, rules: sdc.Rules,
                  log: sdc.Log, source: str) -> pd.DataFrame | None:
    """The base volumes table with ``country``'s rows learned, or None when nothing may be published.

    Args:
        x: the extract.
        base: the base profile's volumes table (fy, country, law_type, cases[, source]).
        country: the one country the agency covers.
        first_fy: the base period's first financial year.
        last_fy: its last.
        rules: disclosure-control settings.
        log: where events go.
        source: provenance text for the learned rows.
    """
    name = "volumes"
    fy = pd.to_numeric(x.cases["fy"], errors="coerce")
    inside = fy.between(first_fy, last_fy)
    outside = int((fy.notna() & ~inside).sum())
    if outside:
        log.add(name, country, "ignore", f"{sdc.say(outside, rules)} cases issued outside the base period ignored")
    cases = x.cases[inside.to_numpy()]
    if cases.empty:
        log.add(name, country, "kept", "kept from the base profile: no cases in the base period")
        return None
    years = list(range(int(fy[inside].min()), int(fy[inside].max()) + 1))
    rows = base[(base["country"] == country) & base["fy"].isin(years)]
    out = base.copy()
    if "source" not in out:
        out["source"] = ""
    out["source"] = out["source"].astype(object)
    learned: dict[str, np.ndarray] = {}
    for lt in sorted(rows["law_type"].unique()):
        counts = np.array([((cases["law_type"] == lt) & (cases["fy"] == y)).sum() for y in years])
        prior = rows[rows["law_type"] == lt].set_index("fy")["cases"].reindex(years).fillna(0).to_numpy(float)
        pub = sdc.control_categories(sdc.tally_counts(counts), [str(y) for y in years], prior, True, rules, log,
                                     name, f"{country}/{lt}")
        if pub is None:
            log.add(name, f"{country}/{lt}", "fallback", "kept from the base profile (not publishable)")
            continue
        learned[lt] = pub.counts
    learned_total = sum(float(v.sum()) for v in learned.values())
    if not learned or not learned_total > 0:  # nothing left after disclosure control: nothing to scale
        log.add(name, country, "kept", "kept from the base profile: no publishable counts")
        return None
    base_total = rows[rows["law_type"].isin(list(learned))]["cases"].sum()
    factor = base_total / learned_total
    for lt, v in learned.items():
        for y, c in zip(years, v):
            m = (out["country"] == country) & (out["law_type"] == lt) & (out["fy"] == y)
            out.loc[m, "cases"] = int(round(c * factor))
            out.loc[m, "source"] = source
    log.add(name, country, "scale", f"shape by year and law type learned for {years[0]}-{years[-1]}; scaled to the "
            "base profile's total for those years (the extract may be a sample)")
    out["cases"] = out["cases"].astype(int)
    return out
