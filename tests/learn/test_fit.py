"""Estimators: the normal tail and the censored lognormal fit used for durations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synth.learn.fit import censored_lognormal, inverse_mills, lognormal_mean_cv, spread


def test_inverse_mills_matches_the_exact_ratio_near_and_far():
    a = np.array([-5.0, -1.0, 0.0, 1.0, 2.9, 3.1, 6.0, 20.0])
    exact = [math.exp(-v * v / 2) / math.sqrt(2 * math.pi) / (0.5 * math.erfc(v / math.sqrt(2))) for v in a]
    assert inverse_mills(a) == pytest.approx(exact, rel=2e-4)


def test_censored_lognormal_recovers_means_by_group_and_cv():
    rng = np.random.default_rng(5)
    means, cv = np.array([30.0, 45.0]), 0.5
    s2 = math.log1p(cv**2)
    group = np.repeat([0, 1], 4000)
    t = np.exp(np.log(means[group]) - s2 / 2 + math.sqrt(s2) * rng.standard_normal(len(group)))
    follow = rng.uniform(5, 80, len(group))  # heavy censoring
    observed = t <= follow
    mu, sigma = censored_lognormal(np.where(observed, t, follow), observed, group, 2)
    got_mean, got_cv = lognormal_mean_cv(mu, sigma)
    assert got_mean == pytest.approx(means, rel=0.04)
    assert got_cv == pytest.approx(cv, rel=0.05)
    naive = np.array([t[(group == g) & observed].mean() for g in (0, 1)])
    assert np.all(naive < 0.9 * means), "completed durations alone are biased short"


def test_spread_puts_evenly_spaced_points_in_each_range():
    v, row = spread(np.array([0.0, 10.0]), np.array([6.0, 10.0]), 7)
    assert v[:7].tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert v[7:].tolist() == [10.0] * 7 and row.tolist() == [0] * 7 + [1] * 7
