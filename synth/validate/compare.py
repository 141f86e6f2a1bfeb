"""Achieved-versus-target comparisons with tolerances derived from the sample size.

With ``z`` the profile's ``checks.realism_z`` and ``n_eff = n / deff`` (``deff`` the design effect
of clustered observations, e.g. siblings sharing an outcome):

* categorical (and histogram bins, capped Poisson counts): total variation distance (TVD) against
  ``0.5 * sum_i z * sqrt(p_i (1 - p_i) / n_eff)`` — the sum of per-category sampling tolerances;
* a whole distribution (histogram, lognormal): Kolmogorov-Smirnov D against ``c(z) / sqrt(n_eff)``
  with ``c(z) = sqrt(-ln(alpha / 2) / 2)`` and ``alpha`` the two-sided normal tail beyond ``z``;
* a share: ``|p_hat - p| <= z * sqrt(p (1 - p) / n_eff)``;
* a mean: ``|mean_hat - mean| <= z * sd / sqrt(n_eff)``;
* a survival curve: Kaplan-Meier at each stated time within ``z`` Greenwood standard errors.

So a 300-family run and a 1,000,000-family run are each judged fairly.
"""

from __future__ import annotations

import math

import numpy as np

from synth.profile import distributions as D
from synth.validate.core import CheckResult
from synth.validate.measures import kaplan_meier

UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
MIN_N = 20


def erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function over an array (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    x = np.asarray(x, dtype=float)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    y = poly * np.exp(-a * a)
    return np.where(x >= 0, y, 2.0 - y)


def ks_constant(z: float) -> float:
    """KS critical constant matching a two-sided normal tail beyond ``z``."""
    alpha = math.erfc(z / math.sqrt(2))
    return math.sqrt(-math.log(alpha / 2) / 2)


def _too_few(name, table, case, n) -> CheckResult:
    return CheckResult("realism", name, True, table, case, statistic={"name": "n", "value": n, "tolerance": MIN_N},
                       detail=f"only {n} observations: too few to judge (needs {MIN_N})")


def categorical(name, table, case, labels, p, observed, z, deff=1.0, detail="") -> CheckResult:
    """TVD of observed labels against probabilities ``p`` over ``labels``."""
    observed = np.asarray(observed).astype(str)
    n = len(observed)
    if n < MIN_N:
        return _too_few(name, table, case, n)
    labels = [str(x) for x in labels]
    p = np.asarray(p, dtype=float)
    counts = np.array([(observed == lab).sum() for lab in labels], dtype=float)
    other = n - counts.sum()
    share = counts / n
    n_eff = n / deff
    tvd = 0.5 * (np.abs(share - p).sum() + other / n)
    tol = 0.5 * float(np.sum(z * np.sqrt(np.maximum(p * (1 - p), 0.25 / n) / n_eff)))
    worst = labels[int(np.argmax(np.abs(share - p)))]
    text = detail or f"{n:,} observations; largest gap at '{worst}'"
    if other:
        text += f"; {int(other)} values outside the stated categories"
    return CheckResult("realism", name, tvd <= tol and other == 0, table, case,
                       statistic={"name": "tvd", "value": round(float(tvd), 5), "tolerance": round(tol, 5), "n": n},
                       detail=text, series={"labels": labels, "target": p.round(5).tolist(),
                                            "achieved": share.round(5).tolist()})


def histogram(name, table, case, dist: D.Histogram, days, z, deff=1.0) -> CheckResult:
    """KS and binned shares of values (given in days) against a histogram distribution."""
    x = np.sort(np.asarray(days, dtype=float) / UNIT_DAYS[dist.unit])
    n = len(x)
    if n < MIN_N:
        return _too_few(name, table, case, n)
    cdf = np.concatenate([[0.0], np.cumsum(dist.p)])
    f = np.interp(x, dist.bins, cdf)
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))
    tol = ks_constant(z) / math.sqrt(n / deff)
    shares = np.bincount(D.histogram_bin(dist, x), minlength=len(dist.p)) / n
    labels = dist.labels or [f"{a:g}-{b:g}" for a, b in zip(dist.bins[:-1], dist.bins[1:])]
    return CheckResult("realism", name, d <= tol, table, case,
                       statistic={"name": "ks", "value": round(d, 5), "tolerance": round(tol, 5), "n": n},
                       detail=f"{n:,} observations in {dist.unit}; KS against the stated histogram",
                       series={"labels": list(labels), "target": dist.p.round(5).tolist(),
                               "achieved": shares.round(5).tolist()})


def share(name, table, case, p, observed_bool, z, deff=1.0, detail="") -> CheckResult:
    """A proportion against its target."""
    obs = np.asarray(observed_bool, dtype=bool)
    n = len(obs)
    if n < MIN_N:
        return _too_few(name, table, case, n)
    got = float(obs.mean())
    tol = z * math.sqrt(max(p * (1 - p), 0.25 / n) / (n / deff))
    return CheckResult("realism", name, abs(got - p) <= tol, table, case,
                       statistic={"name": "abs_error", "value": round(abs(got - p), 5), "tolerance": round(tol, 5),
                                  "n": n},
                       detail=detail or f"achieved {got:.4f} vs stated {p:.4f} over {n:,}",
                       series={"labels": ["share"], "target": [round(p, 5)], "achieved": [round(got, 5)]})


def lognormal_by_key(name, table, case, dist: D.Lognormal, days, keys, z, checkable=None) -> CheckResult:
    """Means per key (e.g. financial year) against the stated means; optionally KS when scalar."""
    x = np.asarray(days, dtype=float) / UNIT_DAYS[dist.unit]
    if dist.min is not None:
        x = np.where(np.isclose(x, dist.min, rtol=1e-6, atol=1e-3 / UNIT_DAYS[dist.unit]), dist.min, x)
    if not isinstance(dist.mean, dict):
        n = len(x)
        if n < MIN_N:
            return _too_few(name, table, case, n)
        s2 = math.log1p(dist.cv**2)
        mu = math.log(dist.mean) - s2 / 2
        xs = np.sort(x)
        f = 0.5 * erfc(-(np.log(np.maximum(xs, 1e-12)) - mu) / math.sqrt(2 * s2))
        # Values clipped at min/max put a point mass at the bound: the CDF jumps there.
        if dist.min is not None:
            f = np.where(xs < dist.min, 0.0, f)
        if dist.max is not None:
            f = np.where(xs >= dist.max, 1.0, f)
        i = np.arange(1, n + 1)
        d = float(max(np.max(i / n - f), np.max(f - (i - 1) / n)))
        tol = ks_constant(z) / math.sqrt(n)
        return CheckResult("realism", name, d <= tol, table, case,
                           statistic={"name": "ks", "value": round(d, 5), "tolerance": round(tol, 5), "n": n},
                           detail=f"{n:,} observations; KS against lognormal(mean {dist.mean}, cv {dist.cv})")
    keys = np.asarray(keys).astype(str)
    labels, target, achieved, worst = [], [], [], 0.0
    for k in sorted(dist.mean, key=lambda v: (len(v), v)):
        if checkable is not None and k not in checkable:
            continue
        sel = x[keys == k]
        if len(sel) < MIN_N:
            continue
        m = dist.mean[k]
        zval = abs(sel.mean() - m) / (dist.cv * m / math.sqrt(len(sel)))
        worst = max(worst, zval)
        labels.append(k)
        target.append(round(m, 3))
        achieved.append(round(float(sel.mean()), 3))
    if not labels:
        return _too_few(name, table, case, 0)
    return CheckResult("realism", name, worst <= z, table, case,
                       statistic={"name": "max_z_of_mean", "value": round(worst, 3), "tolerance": z,
                                  "n": int(len(x))},
                       detail=f"mean {dist.unit} per {dist.given} for {len(labels)} fully observed values",
                       series={"labels": labels, "target": target, "achieved": achieved})


def poisson(name, table, case, dist: D.Poisson, counts, z) -> CheckResult:
    """Counts against offset + Poisson(mean), capped at max."""
    c = np.asarray(counts, dtype=int)
    top = dist.max if dist.max is not None else int(dist.offset + dist.mean + 8 * math.sqrt(dist.mean + 1) + 5)
    k = np.arange(0, top - dist.offset + 1)
    pmf = np.exp(-dist.mean + k * math.log(max(dist.mean, 1e-300)) - np.array([math.lgamma(v + 1) for v in k]))
    if dist.mean == 0:
        pmf = (k == 0).astype(float)
    pmf[-1] += max(0.0, 1 - pmf.sum())
    labels = [str(v + dist.offset) for v in k]
    return categorical(name, table, case, labels, pmf, c.astype(str), z,
                       detail=f"{len(c):,} counts against {dist.offset} + Poisson({dist.mean})"
                              + (f" capped at {dist.max}" if dist.max is not None else ""))


def survival(name, table, case, dist: D.Survival, durations_days, events, z, earliest_days=None) -> CheckResult:
    """Kaplan-Meier cumulative incidence at each stated time against the stated curve.

    Args:
        earliest_days: optional earliest possible event time per row (days); an event drawn
            earlier happens then instead. The target at time t becomes F(t) * P(earliest <= t),
            estimated from the rows where it is known (the draw and the earliest time are independent).
    """
    t = np.asarray(durations_days, dtype=float) / UNIT_DAYS[dist.unit]
    e = np.asarray(events, dtype=bool)
    n = len(t)
    if n < MIN_N:
        return _too_few(name, table, case, n)
    floor = None
    if earliest_days is not None:
        known = np.asarray(earliest_days, dtype=float)
        floor = np.sort(known[~np.isnan(known)]) / UNIT_DAYS[dist.unit]
    targets = []
    for time, target in zip(dist.times, dist.cumulative):
        factor = np.searchsorted(floor, time, side="right") / len(floor) if floor is not None and len(floor) else 1.0
        targets.append(round(float(target * factor), 5))
    achieved, worst = [], 0.0
    for time, target in zip(dist.times, targets):
        inc, se = kaplan_meier(t, e, time)
        achieved.append(round(float(inc), 5))
        # Greenwood's SE comes from the achieved curve and is far too small when few events are
        # seen; the SE the target itself implies for those still at risk bounds it from below.
        at_risk = max(int((t >= time).sum()), 1)
        se = max(se, math.sqrt(target * (1 - target) / at_risk))
        if se > 0:
            worst = max(worst, abs(inc - target) / se)
        elif abs(inc - target) > 0.5 / math.sqrt(n):
            worst = max(worst, float("inf"))
    return CheckResult("realism", name, worst <= z, table, case,
                       statistic={"name": "max_z_km", "value": round(worst, 3), "tolerance": z, "n": n},
                       detail=f"Kaplan-Meier over {n:,} at risk ({int(e.sum()):,} events), censored at the period end"
                              + ("; target allows for the earliest possible return" if floor is not None else ""),
                       series={"labels": [f"{v:g} {dist.unit}" for v in dist.times],
                               "target": targets, "achieved": achieved})
