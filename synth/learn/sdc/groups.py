"""Merging unsafe cells: runs of ordered cells, pools of unordered ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synth.learn.sdc.tally import Tally


def merge_runs(n: int, size: Callable[[list[int]], float], safe: Callable[[list[int]], bool]) -> list[list[int]]:
    """Merge adjacent cells until every run is ``safe``.

    The smallest unsafe run (the first on ties) joins its smaller neighbour (the left one on
    ties); stops when every run is safe or one run is left.

    Args:
        n: number of ordered cells.
        size: the size of a run of cells (e.g. its distinct contributors).
        safe: whether a run may be published.
    """
    runs = [[i] for i in range(n)]
    sizes = [size(r) for r in runs]
    ok = [safe(r) for r in runs]
    while len(runs) > 1 and not all(ok):
        i = min((j for j in range(len(runs)) if not ok[j]), key=lambda j: (sizes[j], j))
        left = sizes[i - 1] if i > 0 else np.inf
        right = sizes[i + 1] if i + 1 < len(runs) else np.inf
        j = i - 1 if left <= right else i + 1
        a, b = min(i, j), max(i, j)
        merged = runs[a] + runs[b]
        runs[a:b + 1] = [merged]
        sizes[a:b + 1] = [size(merged)]
        ok[a:b + 1] = [safe(merged)]
    return runs


def group_of_runs(runs: list[list[int]], n: int) -> np.ndarray:
    """``group_of[label]`` from a list of runs."""
    out = np.empty(n, dtype=np.int64)
    for g, r in enumerate(runs):
        out[r] = g
    return out


def group_ordered(t: Tally, threshold: float) -> list[list[int]]:
    """Runs of adjacent cells, each with at least ``threshold`` contributors."""
    counts = t.counts

    def size(run: list[int]) -> float:
        g = np.zeros(t.n_labels, dtype=np.int64)
        g[run] = 1
        return float(min(counts[run].sum(), t.contributors(g)[1] if len(t.cat) else 0.0))

    return merge_runs(t.n_labels, size, lambda run: size(run) >= threshold)


def group_unordered(t: Tally, threshold: float, known: np.ndarray) -> list[list[int]]:
    """Groups of cells for an unordered code list (see the module docstring).

    Args:
        t: the tally.
        threshold: contributors a group needs.
        known: per cell, whether the base profile gives it a positive probability.
    """
    n = t.n_labels
    single = t.safe_size(np.arange(n))
    safe = [i for i in range(n) if single[i] >= threshold]
    small = [i for i in range(n) if single[i] < threshold]
    if not small:
        return [[i] for i in range(n)]
    if not safe:
        return [list(range(n))]
    pool_group = np.zeros(n, dtype=np.int64)
    pool_group[small] = 1
    pool_safe = t.safe_size(pool_group)[1] >= threshold if len(t.cat) else False
    if pool_safe and known[small].any() and len(small) > 1:
        return [[i] for i in safe] + [small]
    counts = t.counts
    largest = max(safe, key=lambda i: (counts[i], -i))
    return [[i] if i != largest else sorted([i, *small]) for i in safe]
