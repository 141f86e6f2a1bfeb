"""Care-proceedings rates per 10,000 children by local authority: achieved against published.

The run's public law proceedings in English LAs are put on the published scale year by year (the
volume table's England public law count over the run's count of that year) and divided by the LA's
child population (the profile's ``world.population``). Each LA with a published rate (``world.place
.published_rates``, stats.md 1f) is compared at the national level of its rate's year (its rate over
the period times that year's national rate over the period's), with a Poisson tolerance from its
count and a 20% allowance for rates that are themselves rounded and of one year; the spread of the
other LAs must stay inside the published range (about 4 to about 39 per 10,000, stats.md 8).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.profile.reference import read_reference
from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check
from synth.world.volumes import in_cases

#: Relative allowance for a published LA rate (one year's figure, rounded) against the period's.
ALLOWANCE = 0.2
#: The published range of LA rates (stats.md 8), with the same allowance.
PUBLISHED_RANGE = (4.0, 39.0)
#: LAs with fewer proceedings in the run are too small to place in the spread.
MIN_COUNT = 30


def la_rate_table(run: RunData) -> pd.DataFrame | None:
    """Per English LA: proceedings, children (mean 0-17 a year) and achieved rate per 10,000 a year."""
    w = run.profile.world
    if w.place is None or w.population is None:
        return None
    src = run.source("truth", "proceeding")
    n = run.sql.df(f"SELECT la_code, fy, count(*) AS n FROM {src} WHERE law_type = 'public' "
                   "AND country = 'England' GROUP BY la_code, fy")
    path = run.loaded.reference_path(w.volumes.file)
    vol = in_cases(read_reference(path, "volumes"), path)
    vol = vol[(vol["country"] == "England") & (vol["law_type"] == "public")].set_index("fy")["cases"]
    per_year = n.groupby("fy")["n"].sum()
    scale = (vol.reindex(per_year.index) / per_year).fillna(0.0)
    n = n.assign(scaled=n["n"] * n["fy"].map(scale))
    pop = read_reference(run.loaded.reference_path(w.population.file), "population")
    years = sorted(per_year.index)
    pop = pop[pop["year"].isin(years)].groupby(["la_code", "year"])["population"].sum()
    child = pop.groupby(level=0).sum()
    las = read_reference(run.loaded.reference_path(w.local_authorities.file), "local_authorities")
    las = las[las["country"] == "England"].set_index("la_code")
    out = pd.DataFrame({"la_name": las["la_name"]})
    out["proceedings"] = n.groupby("la_code")["n"].sum().reindex(out.index).fillna(0).astype(int)
    scaled = n.groupby("la_code")["scaled"].sum().reindex(out.index).fillna(0.0)
    out["children"] = child.reindex(out.index).fillna(0.0) / max(len(years), 1)
    out["rate"] = scaled / child.reindex(out.index).replace(0, np.nan) * 1e4
    national = vol.reindex(years) / pop.groupby(level=1).sum().reindex(years) * 1e4
    out.attrs["national"] = national
    return out


@check("realism", "la_rates", truth=("proceeding",))
def la_rates(run: RunData) -> list[CheckResult]:
    """Care-proceedings rates per 10,000 children by LA against the published LA rates and range."""
    table = la_rate_table(run)
    if table is None:
        return [CheckResult.skipped("realism", "la_rates", "the profile has no world.place and world.population",
                                    "truth")]
    spec = run.profile.world.place
    national = table.attrs["national"]
    labels, target, achieved, bad = [], [], [], []
    rates = spec.published_rates.rates if spec is not None and spec.published_rates else {}
    for code, (rate, fy) in rates.items():
        if code not in table.index or not table.loc[code, "proceedings"]:
            continue
        row = table.loc[code]
        at_year = float(row["rate"]) * float(national.get(fy, national.mean())) / float(national.mean())
        tol = at_year / math.sqrt(row["proceedings"]) * run.profile.checks.realism_z + ALLOWANCE * rate
        labels.append(f"{row['la_name']} {fy}/{(fy + 1) % 100:02d}")
        target.append(rate)
        achieved.append(round(at_year, 2))
        if abs(at_year - rate) > tol:
            bad.append(f"{row['la_name']} {at_year:.1f} vs {rate}")
    big = table[(table["proceedings"] >= MIN_COUNT) & ~table.index.isin(list(rates))]["rate"].dropna()
    lo, hi = PUBLISHED_RANGE
    spread = ""
    if len(big):
        q = big.quantile([0.1, 0.5, 0.9])
        spread = (f"other LAs ({len(big)} with >= {MIN_COUNT} proceedings): P10 {q[0.1]:.1f}, median {q[0.5]:.1f}, "
                  f"P90 {q[0.9]:.1f} (P90/P10 {q[0.9] / q[0.1]:.2f}), min {big.min():.1f}, max {big.max():.1f}")
        if big.min() < lo * (1 - ALLOWANCE) or big.max() > hi * (1 + ALLOWANCE):
            bad.append(f"spread {big.min():.1f}-{big.max():.1f} outside the published {lo:g}-{hi:g}")
    detail = (f"per 10,000 children a year; published LA rates (stats.md 1f) at their year's national level; {spread}"
              + (f"; off: {'; '.join(bad)}" if bad else ""))
    return [CheckResult("realism", "la_rates", not bad, "truth", "public",
                        statistic={"name": "las_off", "value": len(bad), "tolerance": 0, "n": len(table)},
                        detail=detail, series={"labels": labels, "target": target, "achieved": achieved})]
