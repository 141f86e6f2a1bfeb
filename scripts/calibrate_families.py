"""Measure the family mechanism against the published figures of stats.md section 3 (deterministic).

Simulates shards of a profile's world (no views, no export) with a fixed seed and prints, for each
figure the life-course issue (11) names, the published value and what the mechanism produced. It
changes nothing: the profile's parameters are edited by hand (each with ``source:`` or
``assumption:``) and this script shows whether they hit the figures. Same profile, seed and size
give the same numbers.

    .venv/bin/python scripts/calibrate_families.py [--profile england_wales] [--families 20000] [--seed 1]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from synth.keys import FAMILIES_PER_SHARD
from synth.profile.loader import load_profile
from synth.validate.measures import recurrence_km
from synth.world.context import build_context
from synth.world.truth import simulate_shard

YEAR = 365.25


def truth(profile: str, families: int, seed: int) -> tuple[dict[str, pd.DataFrame], np.datetime64]:
    """The world's truth tables for ``families`` families (whole shards first, then the rest)."""
    ctx = build_context(load_profile(profile), seed=seed)
    sizes = [FAMILIES_PER_SHARD] * (families // FAMILIES_PER_SHARD)
    if families % FAMILIES_PER_SHARD:
        sizes.append(families % FAMILIES_PER_SHARD)
    parts = [simulate_shard(ctx, s, n) for s, n in enumerate(sizes)]
    tables = {k: pd.concat([p[k] for p in parts], ignore_index=True) for k in parts[0]}
    return tables, np.datetime64(int(ctx.end), "D")


def figures(t: dict[str, pd.DataFrame], end: np.datetime64) -> list[tuple[str, str, float, int]]:
    """(figure, published, achieved, n) for the issue's calibration targets."""
    p = t["proceeding"].sort_values(["family_id", "sequence"]).reset_index(drop=True)
    person = t["person"].set_index("person_id")
    fam = t["family"].set_index("family_id")
    out: list[tuple[str, str, float, int]] = []
    for years in (7, 10):
        inc, _, n = recurrence_km(p, "public", end, years)
        out.append((f"public law mothers returning within {years} years (KM)", "0.24 (stats.md 3)", inc, n))
    teen = fam["teen_first_birth"].astype(bool)
    inc, _, n = recurrence_km(p, "public", end, 7, teen)
    out.append(("returning within 7 years, teenage at first birth", "about 1 in 3 (stats.md 3)", inc, n))
    pub = p[p["law_type"] == "public"]
    counts = pub.groupby("family_id").size()
    first = pub[pub["family_id"].isin(counts[counts >= 2].index)].groupby("family_id")["issue_date"].min()
    mum = pd.to_datetime(fam.loc[first.index, "mother_id"].map(person["date_of_birth"])).to_numpy()
    age = (pd.to_datetime(first).to_numpy() - mum) / np.timedelta64(1, "D") / YEAR
    out.append(("recurrent mothers under 20 at first application", "0.19 (stats.md 3)", float(np.mean(age < 20)),
                len(age)))
    out.append(("recurrent mothers 24 or under at first application", "0.50 (stats.md 3)",
                float(np.mean(age < 25)), len(age)))
    prev = p.groupby("family_id")["disposal_date"].shift()
    rep = p["sequence"] > 1
    gap = (pd.to_datetime(p.loc[rep, "issue_date"]) - pd.to_datetime(prev[rep])).dt.days
    share = float(gap.value_counts().iloc[0] / max(rep.sum(), 1)) if rep.any() else float("nan")
    out.append(("most common gap after a disposal (share of repeats)", "< 0.02 (issue 11)", share, int(rep.sum())))
    sub = t["proceeding_child"]
    rec = pub[pub["sequence"] > 1]
    youngest = sub[sub["proceeding_id"].isin(rec["proceeding_id"])].groupby("proceeding_id")["age_at_issue_days"].min()
    out.append(("recurrent cases issued within a month of the baby's birth", "0.42 (stats.md 3)",
                float(np.mean(youngest <= 30)), len(youngest)))
    party = t["proceeding_party"]
    adults = party[party["party_role"] != "subject"].groupby("proceeding_id").size()
    adults = adults.reindex(pub["proceeding_id"], fill_value=0)
    out.append(("adults per public law case", "2.03 (stats.md 3)", float(adults.mean()), len(adults)))
    fathers = party.loc[party["relationship"] == "father", "proceeding_id"].unique()
    out.append(("public law cases naming a father", "0.80 (stats.md 3)",
                float(np.isin(pub["proceeding_id"], fathers).mean()), len(pub)))
    return out


def uncalibrated(t: dict[str, pd.DataFrame]) -> list[tuple[str, str, float, int]]:
    """(figure, published, produced, n) for what the mechanism makes without being calibrated to it."""
    person, party, proc = t["person"], t["proceeding_party"], t["proceeding"]
    kids = person[person["family_role"] == "child"]
    mothers = kids.dropna(subset=["father_id"]).groupby("father_id")["mother_id"].nunique()
    out = [("fathers with children by more than one mother", "not found", float(np.mean(mothers > 1)), len(mothers))]
    fathers = party[party["relationship"] == "father"].merge(proc[["proceeding_id", "family_id"]], on="proceeding_id")
    fams = fathers.groupby("person_id")["family_id"].nunique()
    out.append(("fathers who are parties in more than one family's proceedings", "not found",
                float(np.mean(fams > 1)), len(fams)))
    dads = kids.groupby("mother_id")["father_id"].nunique()
    several = kids.groupby("mother_id").size() > 1
    out.append(("mothers of 2+ children whose children have more than one father (half-siblings)", "not found",
                float(np.mean(dads[several] > 1)), int(several.sum())))
    dob = pd.to_datetime(kids.sort_values(["mother_id", "date_of_birth"])["date_of_birth"])
    same = kids.sort_values(["mother_id", "date_of_birth"])["mother_id"].duplicated()
    gaps = dob.diff()[same].dt.days / 30.44
    out.append(("median months between a mother's births", "not found", float(gaps.median()), len(gaps)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="england_wales")
    ap.add_argument("--families", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    t, end = truth(a.profile, a.families, a.seed)
    print(f"{a.profile}, seed {a.seed}, {a.families:,} families")
    print(f"{'figure':<62} {'published':<22} {'achieved':>9} {'n':>8}")
    for name, published, value, n in figures(t, end):
        print(f"{name:<62} {published:<22} {value:9.3f} {n:8,}")
    print("not calibrated (what the mechanism produced):")
    for name, published, value, n in uncalibrated(t):
        print(f"{name:<62} {published:<22} {value:9.3f} {n:8,}")


if __name__ == "__main__":
    main()
