"""Small statistics the kinds judge with (numpy only): erfc, KS constants, Kaplan-Meier.

With ``z`` the profile's ``checks.realism_z`` and ``n_eff = n / deff`` (``deff`` the design effect
of clustered observations, e.g. siblings sharing an outcome), each kind's ``compare`` uses:

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


def ks_distance(f: np.ndarray, f_below: np.ndarray | None = None) -> float:
    """KS D of a sorted sample whose target CDF values are ``f``.

    Args:
        f: the target CDF at each sorted value.
        f_below: for a target with steps (values recorded in whole units, e.g. days rounded from a
            continuous draw), the target CDF just below each value; the default (``f``) is right for
            a continuous target. The empirical CDF after a value is compared with ``f`` and the one
            before it with ``f_below``, so rounding is not mistaken for a different distribution.
    """
    n = len(f)
    i = np.arange(1, n + 1)
    below = f if f_below is None else f_below
    return float(max(np.max(i / n - f), np.max(below - (i - 1) / n)))


def kaplan_meier(durations: np.ndarray, events: np.ndarray, at: float) -> tuple[float, float]:
    """Kaplan-Meier cumulative incidence 1 - S(at), with Greenwood's standard error.

    Args:
        durations: time to event or censoring.
        events: True where the event was observed.
        at: time at which to read the curve.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    order = np.argsort(d, kind="stable")
    d, e = d[order], e[order]
    times = np.unique(d[e & (d <= at)])
    s, var_sum = 1.0, 0.0
    n_at_risk = len(d) - np.searchsorted(d, times, side="left")
    deaths = np.searchsorted(d[e], times, side="right") - np.searchsorted(d[e], times, side="left")
    for n_i, d_i in zip(n_at_risk, deaths):
        if n_i > 0:
            s *= 1 - d_i / n_i
            if n_i > d_i:
                var_sum += d_i / (n_i * (n_i - d_i))
    return 1 - s, s * np.sqrt(var_sum)


def kaplan_meier_curve(durations: np.ndarray, events: np.ndarray,
                       ats: np.ndarray | list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`kaplan_meier` at several times from one sort: incidence, Greenwood SE and number at risk.

    The same products and sums in the same order as :func:`kaplan_meier`, so each value is identical
    to its single-time call; a 12-million-row sample is sorted once instead of once per time.

    Args:
        durations: time to event or censoring.
        events: True where the event was observed.
        ats: times at which to read the curve.

    Returns:
        ``(incidence, se, at_risk)`` per time; ``at_risk`` counts durations at or beyond the time.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    at = np.asarray(ats, dtype=float)
    order = np.argsort(d, kind="stable")
    d, e = d[order], e[order]
    de = d[e]
    times = np.unique(de)
    n_at_risk = len(d) - np.searchsorted(d, times, side="left")
    deaths = np.searchsorted(de, times, side="right") - np.searchsorted(de, times, side="left")
    s = np.cumprod(1 - deaths / np.maximum(n_at_risk, 1))
    terms = np.where(n_at_risk > deaths, deaths / np.maximum(n_at_risk * (n_at_risk - deaths), 1), 0.0)
    var = np.cumsum(terms)
    k = np.searchsorted(times, at, side="right") - 1  # last event time <= at (-1: none yet)
    surv = np.where(k >= 0, s[np.maximum(k, 0)] if len(s) else 1.0, 1.0)
    var_at = np.where(k >= 0, var[np.maximum(k, 0)] if len(var) else 0.0, 0.0)
    return 1 - surv, surv * np.sqrt(var_at), len(d) - np.searchsorted(d, at, side="left")
