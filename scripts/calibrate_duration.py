"""Calibrate the public law ``duration`` means (by financial year of issue) to FCSQ's series by disposal date.

FCSQ publishes the mean weeks to first disposal and the share within 26 weeks of the care and
supervision cases *disposed of* in a period (stats.md 4a; transcribed with their sources, status and
periods in ``synth/profiles/reference/care_duration.csv``). The generator draws each case's
duration when it is issued, from a lognormal with a mean per financial year of issue. This script
finds the issue-year means whose disposals reproduce the published series:

1. targets: the published means interpolated linearly between period midpoints (held flat beyond
   the first and last), i.e. unpublished years are interpolated;
2. the CV: one for all years, fitted by least squares to the published (mean, share within 26
   weeks) pairs (a lognormal with that CV has those shares);
3. issue dates spread over each financial year in proportion to the public law volumes
   (``reference/volumes.csv``); a fixed-point iteration scales each year's mean by target / achieved
   at its cohort's median disposal date.

Run:  python scripts/calibrate_duration.py   (prints the YAML ``mean:`` mapping and ``cv:``)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "synth" / "profiles" / "reference"
FIRST_FY, LAST_FY = 2010, 2023
END = np.datetime64("2024-03-31")
N = 400_000
#: Cohorts issued before this financial year keep the pre-PLO mean (their disposals fall before the
#: first published figure, and a run that starts in April 2010 has no older cases to mix with them).
FIRST_FREE, PRE_PLO_MEAN = 2012, 48.0
FIRST_TARGET = np.datetime64("2013-01-01")


def _phi(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def main() -> None:
    """Print the calibrated means and CV."""
    pub = pd.read_csv(REF / "care_duration.csv", parse_dates=["period_start", "period_end"])
    mid = pub["period_start"] + (pub["period_end"] - pub["period_start"]) / 2
    pub = pub.assign(mid=mid.to_numpy("datetime64[D]").astype(np.int64)).sort_values("mid")
    pairs = pub.dropna(subset=["share_within_26w"])
    sigmas = np.linspace(0.3, 1.0, 701)
    err = [np.sum((_phi((np.log(26 / pairs["mean_weeks"]) + s * s / 2) / s) - pairs["share_within_26w"]) ** 2)
           for s in sigmas]
    sigma = float(sigmas[int(np.argmin(err))])
    cv = math.sqrt(math.expm1(sigma**2))

    def target(day: np.ndarray) -> np.ndarray:
        return np.interp(day, pub["mid"].to_numpy(float), pub["mean_weeks"].to_numpy(float))

    vol = pd.read_csv(REF / "volumes.csv")
    vol = vol[(vol["law_type"] == "public")].groupby("fy")["cases"].sum()
    fys = np.arange(FIRST_FY, LAST_FY + 1)
    w = vol.reindex(fys).to_numpy(float)
    rng = np.random.default_rng(1)
    fy = rng.choice(fys, size=N, p=w / w.sum())
    start = np.array([np.datetime64(f"{y}-04-01") for y in fy]).astype("datetime64[D]").astype(np.int64)
    issue = start + np.floor(rng.random(N) * 365).astype(np.int64)
    z = rng.standard_normal(N)
    means = {int(y): float(target(np.array([issue[fy == y].mean() + 240]))[0]) for y in fys}
    free = fys >= FIRST_FREE
    for y in fys[~free]:
        means[int(y)] = PRE_PLO_MEAN
    for _ in range(60):
        m = np.array([means[int(y)] for y in fy])
        dur = np.exp(np.log(m) - sigma**2 / 2 + sigma * z) * 7
        disp = issue + np.round(dur).astype(np.int64)
        seen = (disp <= END.astype(np.int64)) & (disp >= FIRST_TARGET.astype(np.int64))
        q = disp // 91
        ach = pd.Series(dur[seen] / 7).groupby(q[seen]).mean()
        tq = target(ach.index.to_numpy(float) * 91 + 45)
        ratio = pd.Series(tq / ach.to_numpy(), index=ach.index)
        for y in fys[free]:
            sel = (fy == y) & seen
            # Each quarter's target / achieved, weighted by this cohort's disposals in it (damped).
            means[int(y)] *= float(ratio.reindex(q[sel]).mean()) ** 0.5
    print(f"cv: {cv:.2f}   # sigma {sigma:.3f}, least squares over {len(pairs)} (mean, share) pairs")
    print("mean: {" + ", ".join(f"{y}: {means[y]:.1f}" for y in fys) + "}")
    yr = disp[seen].astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    got = pd.DataFrame({"year": yr, "weeks": dur[seen] / 7}).groupby("year")["weeks"].agg(
        ["mean", lambda s: (s <= 26).mean()])
    got["target"] = [float(target(np.array([np.datetime64(f"{y}-07-01").astype(np.int64)]))[0]) for y in got.index]
    print(got.round(3).to_string())


if __name__ == "__main__":
    main()
