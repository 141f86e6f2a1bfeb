"""Small estimators the derivations need: a right-censored lognormal and value spreading.

Numpy only (no scipy): the normal tail is taken from the A&S erfc where it is accurate and from
the Mills-ratio continued fraction in the far tail.
"""

from __future__ import annotations

import math

import numpy as np

from synth.profile.kinds.histogram import spread  # noqa: F401 - re-exported for learn
from synth.profile.kinds.stats import erfc

SQRT2 = math.sqrt(2.0)
SQRT2PI = math.sqrt(2.0 * math.pi)


def inverse_mills(a: np.ndarray) -> np.ndarray:
    """phi(a) / (1 - Phi(a)): the mean excess of a standard normal above ``a``, in units of sd."""
    a = np.asarray(a, dtype=float)
    out = np.empty_like(a)
    near = a <= 3.0
    an = a[near]
    sf = 0.5 * erfc(an / SQRT2)
    out[near] = np.exp(-0.5 * an * an) / SQRT2PI / np.maximum(sf, 1e-300)
    af = a[~near]
    t = af.copy()  # continued fraction R(a) = 1 / (a + 1 / (a + 2 / (a + 3 / ...)))
    for k in range(40, 0, -1):
        t = af + k / t
    out[~near] = t
    return out


def censored_lognormal(t: np.ndarray, observed: np.ndarray, group: np.ndarray, n_groups: int,
                       iterations: int = 500, tol: float = 1e-9) -> tuple[np.ndarray, float]:
    """Fit log T ~ Normal(mu[group], sigma^2) to times of which some are right-censored (EM).

    Args:
        t: positive times (event times where ``observed``, else the censoring time).
        observed: True where the event happened at ``t``.
        group: group index of each time (e.g. financial year).
        n_groups: number of groups.
        iterations: maximum EM steps.
        tol: stop when no parameter moves more than this.

    Returns:
        ``(mu per group, sigma)``; groups without data get the mean of the others.
    """
    y = np.log(np.maximum(np.asarray(t, dtype=float), 1e-9))
    obs = np.asarray(observed, dtype=bool)
    group = np.asarray(group, dtype=np.int64)
    n = np.bincount(group, minlength=n_groups).astype(float)
    has = n > 0
    base = y[obs] if obs.any() else y
    mu = np.full(n_groups, float(base.mean()))
    sigma = float(max(base.std(), 0.1))
    for _ in range(iterations):
        m = mu[group]
        a = (y - m) / sigma
        lam = inverse_mills(a)
        ey = np.where(obs, y, m + sigma * lam)
        ey2 = np.where(obs, y * y, m * m + sigma * sigma + sigma * (y + m) * lam)
        new_mu = np.where(has, np.bincount(group, weights=ey, minlength=n_groups) / np.maximum(n, 1), mu)
        nm = new_mu[group]
        new_sigma = math.sqrt(max(float(np.mean(ey2 - 2 * nm * ey + nm * nm)), 1e-12))
        done = np.max(np.abs(new_mu - mu)) < tol and abs(new_sigma - sigma) < tol
        mu, sigma = new_mu, new_sigma
        if done:
            break
    if has.any() and not has.all():
        mu[~has] = mu[has].mean()
    return mu, sigma


def lognormal_mean_cv(mu: np.ndarray | float, sigma: float) -> tuple[np.ndarray, float]:
    """Mean and coefficient of variation of a lognormal from its log-scale parameters."""
    return np.exp(np.asarray(mu) + sigma * sigma / 2), math.sqrt(math.expm1(sigma * sigma))
