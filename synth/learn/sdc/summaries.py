"""Continuous summaries (means, CVs): threshold, dominance and p% rules."""

from __future__ import annotations

import numpy as np

from synth.learn.sdc.groups import merge_runs
from synth.learn.sdc.rules import Rules


def dominated(values: np.ndarray, rules: Rules) -> str | None:
    """Why a total of non-negative contributions is dominated, or None.

    Args:
        values: one contribution per unit.
        rules: the (n, k) rules and the p% rule.
    """
    v = np.sort(np.abs(np.asarray(values, dtype=float)))[::-1]
    total = float(v.sum())
    if total <= 0:
        return None
    for n, k in rules.dominance:
        if v[:n].sum() > k * total:
            return f"the largest {n} contributor(s) hold more than {k:.0%} of the total ({n},{k:g} rule)"
    if len(v) >= 2 and total - v[0] - v[1] < rules.p_percent * v[0]:
        return f"the p% rule (p = {rules.p_percent:.0%}): the others could estimate the largest too closely"
    return None


def summary_problem(values: np.ndarray, rules: Rules, units: np.ndarray | None = None) -> str | None:
    """Why a mean or dispersion of ``values`` may not be published, or None when it may.

    Args:
        values: the observations.
        rules: settings.
        units: unit of each observation (contributions are summed per unit); None: one each.
    """
    v = np.asarray(values, dtype=float)
    if units is not None and len(v):
        _, codes = np.unique(np.asarray(units), return_inverse=True)
        v = np.bincount(codes, weights=v)
    if len(v) < rules.threshold:
        return f"fewer than {rules.threshold} contributors"
    return dominated(v, rules)


def dispersion_problem(values: np.ndarray, rules: Rules) -> str | None:
    """Why a spread (SD, CV) of ``values`` may not be published: the mean's rules, then dominance of
    the squared deviations (one extreme value must not carry the spread)."""
    v = np.asarray(values, dtype=float)
    problem = summary_problem(v, rules)
    if problem is None and len(v):
        problem = dominated((v - v.mean()) ** 2, rules)
        problem = problem and f"spread: {problem}"
    return problem


def merge_ordered_summaries(values: list[np.ndarray], rules: Rules) -> list[list[int]]:
    """Runs of adjacent keys (e.g. financial years) whose pooled values may be summarised.

    A key whose values are too few or dominated is pooled with its smaller neighbour.
    """
    def pooled(run: list[int]) -> np.ndarray:
        return np.concatenate([np.asarray(values[i], dtype=float) for i in run])

    return merge_runs(len(values), lambda run: float(len(pooled(run))),
                      lambda run: summary_problem(pooled(run), rules) is None)
