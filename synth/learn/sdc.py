"""Output disclosure control: what may leave a secure environment, and in what form.

Pure functions over observation arrays, following the ONS/SAIL output-checking conventions and
the rules ACRO/SACRO automate (threshold, N-K dominance, p% rule):

* **threshold**: no published cell rests on fewer than ``threshold`` contributors. A contributor
  is a *unit* (a case, a mother, a child): several observations of one unit count once. Small
  cells are merged, never dropped, so the total is kept:

  - ordered cells (histogram bins, counts, months, years): the smallest unsafe run is merged with
    its smaller neighbour until every run is safe;
  - unordered cells (codes): every unsafe category goes into one pooled group; the pool is
    published (split over its members by the base profile's proportions) when it is safe and
    holds a category the base profile knows, otherwise it joins the largest safe category.

  A category the base profile does not know is published only when it is safe on its own, so a
  rare code never appears in the output at all.
* **rounding**: each published group count is rounded to the nearest multiple of ``rounding``;
  probabilities are computed from the rounded counts.
* **dominance** (continuous summaries: means, coefficients of variation): a summary is suppressed
  when it rests on fewer than ``threshold`` units, when the largest ``n`` units hold more than
  ``k`` of the total for any ``(n, k)`` rule, or when the total less the two largest is under
  ``p`` times the largest (p% rule: the second largest could estimate the largest too closely).

Nothing here prints a small count: log entries name the cells and the reason, never the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Rules:
    """Disclosure-control settings.

    Attributes:
        threshold: minimum contributors behind any published cell or summary.
        rounding: base to which published counts are rounded.
        dominance: ``(n, k)`` pairs: suppress when the largest ``n`` hold more than ``k`` of a total.
        p_percent: p% rule: suppress when (total - largest two) < p * largest.
    """

    threshold: int = 10
    rounding: int = 5
    dominance: tuple[tuple[int, float], ...] = ((1, 0.5), (2, 0.85))
    p_percent: float = 0.10

    def describe(self) -> str:
        """One line for provenance strings."""
        return f"threshold {self.threshold}, base-{self.rounding} rounding"


@dataclass(frozen=True)
class Event:
    """One disclosure-control action, in words that do not themselves disclose a small count."""

    distribution: str
    case: str
    action: str
    detail: str


@dataclass
class Log:
    """Events in the order they happened."""

    events: list[Event] = field(default_factory=list)

    def add(self, distribution: str, case: str, action: str, detail: str) -> None:
        """Record one event."""
        self.events.append(Event(distribution, case, action, detail))


def round_base(x, base: int) -> np.ndarray:
    """Round to the nearest multiple of ``base`` (halves up)."""
    return np.floor(np.asarray(x, dtype=float) / base + 0.5) * base


def say(n: float, rules: Rules) -> str:
    """A count in publishable words: rounded when safe, "fewer than T" otherwise."""
    if n < rules.threshold:
        return f"fewer than {rules.threshold}"
    return f"{int(round_base(n, rules.rounding)[()]):,}"


# --------------------------------------------------------------------------------------------
# Tallies: observations in labelled cells, with the units behind them.


@dataclass(frozen=True)
class Tally:
    """Observations of ``n_labels`` cells.

    Attributes:
        cat: cell index of each observation.
        n_labels: number of cells.
        unit: unit id of each observation (None: every observation is its own unit).
        weight: weight of each observation (None: 1; fractional when a value is spread over
            the days it may fall on, e.g. an age known to the week).
    """

    cat: np.ndarray
    n_labels: int
    unit: np.ndarray | None = None
    weight: np.ndarray | None = None

    @property
    def counts(self) -> np.ndarray:
        """Weighted count per cell."""
        return np.bincount(self.cat, weights=self.weight, minlength=self.n_labels).astype(float)

    def contributors(self, group_of: np.ndarray) -> np.ndarray:
        """Distinct units per group, for a grouping of the cells (``group_of[label]``)."""
        g = np.asarray(group_of)[self.cat]
        n_groups = int(np.max(group_of)) + 1 if len(group_of) else 0
        if self.unit is None and self.weight is None:
            return np.bincount(g, minlength=n_groups).astype(float)
        unit = np.arange(len(self.cat)) if self.unit is None else np.asarray(self.unit)
        _, codes = np.unique(unit, return_inverse=True)
        pairs = np.unique(codes.astype(np.int64) * max(n_groups, 1) + g)
        return np.bincount(pairs % max(n_groups, 1), minlength=n_groups).astype(float)

    def safe_size(self, group_of: np.ndarray) -> np.ndarray:
        """Per group, the smaller of its weighted count and its distinct units."""
        group_of = np.asarray(group_of)
        n_groups = int(group_of.max()) + 1 if len(group_of) else 0
        counts = np.bincount(group_of, weights=self.counts, minlength=n_groups)
        return np.minimum(counts, self.contributors(group_of))


def tally_counts(counts: Sequence[float]) -> Tally:
    """A tally with one unit per observation, from integer counts per cell (for tests, volumes)."""
    c = np.asarray(counts, dtype=np.int64)
    return Tally(np.repeat(np.arange(len(c)), c), len(c))


# --------------------------------------------------------------------------------------------
# Grouping.


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


# --------------------------------------------------------------------------------------------
# Publishing.


@dataclass(frozen=True)
class Published:
    """A disclosure-controlled set of cells.

    Attributes:
        counts: rounded count per original cell (a merged group's count is placed on its members,
            see :func:`publish`).
        groups: the groups of cells that were published together.
        total: the rounded total.
    """

    counts: np.ndarray
    groups: list[list[int]]
    total: float

    @property
    def p(self) -> np.ndarray:
        """Probabilities from the rounded counts."""
        return self.counts / self.counts.sum()


def publish(t: Tally, groups: list[list[int]], prior: np.ndarray, rules: Rules, ordered: bool = False) -> Published:
    """Round each group's count and place it on the group's cells.

    Ordered cells (counts, months, years) share a merged group's rounded count by the base
    profile's proportions (``prior``), which keeps the shape of a tail. Unordered cells give it to
    the members that are safe on their own (in proportion to their counts), else by ``prior``.
    When the base gives the members nothing, the count goes to the first member (ordered) or the
    safe members. Only the group's total is information from the data either way.
    """
    counts = t.counts
    single = t.safe_size(np.arange(t.n_labels))
    out = np.zeros(t.n_labels)
    for g in groups:
        total = float(round_base(counts[g].sum(), rules.rounding))
        if len(g) == 1:
            out[g[0]] = total
            continue
        g = np.asarray(g)
        own = g[single[g] >= rules.threshold]
        if ordered and prior[g].sum() > 0:
            out[g] = total * prior[g] / prior[g].sum()
        elif len(own):
            out[own] = total * counts[own] / counts[own].sum()
        elif prior[g].sum() > 0:
            out[g] = total * prior[g] / prior[g].sum()
        else:
            out[g[0]] = total
    return Published(out, [list(map(int, g)) for g in groups], float(out.sum()))


def describe_groups(labels: Sequence[str], groups: list[list[int]], t: Tally, named: np.ndarray,
                    prior: np.ndarray, rules: Rules, ordered: bool = False) -> list[str]:
    """Sentences for each merge, naming cells but never a small count.

    Cells the base profile does not list (``named`` false) are counted, not named.
    """
    single = t.safe_size(np.arange(t.n_labels))
    out = []
    for g in groups:
        if len(g) == 1:
            continue
        small = [i for i in g if single[i] < rules.threshold]
        big = [i for i in g if single[i] >= rules.threshold]
        what = ", ".join(labels[i] for i in small if named[i])
        unnamed = len([i for i in small if not named[i]])
        if unnamed:
            what += (", and " if what else "") + f"{unnamed} value(s) not in the base profile"
        if ordered and prior[g].sum() > 0:
            out.append(f"{', '.join(labels[i] for i in g if named[i])} merged into one group ({what}: each fewer "
                       f"than {rules.threshold}); its rounded count is split by the base profile's proportions")
        elif big:
            out.append(f"{what} merged into {', '.join(labels[i] for i in big)} "
                       f"(each fewer than {rules.threshold})")
        elif prior[g].sum() > 0:
            out.append(f"{what} merged into one group (each fewer than {rules.threshold}); "
                       "its rounded count is split over them by the base profile's proportions")
        else:
            out.append(f"{what} merged into one group (each fewer than {rules.threshold}); "
                       f"its rounded count is placed on {labels[g[0]]}")
    return out


def control_categories(t: Tally, labels: Sequence[str], prior: np.ndarray, ordered: bool, rules: Rules,
                       log: Log, name: str, case: str, named: np.ndarray | None = None) -> Published | None:
    """Merge, round and publish categorical cells; None when nothing safe is left to publish.

    Args:
        t: the tally over ``labels``.
        labels: cell names (base profile labels first, then values seen in the data).
        prior: the base profile's probability of each label (0 for labels it does not have).
        ordered: whether adjacent cells may merge (True) or small ones are pooled (False).
        rules: the disclosure-control settings.
        log: where merges and suppressions are recorded.
        name: the distribution, for the log.
        case: the conditional case, for the log.
        named: per label, whether it may be named in the log (the base profile lists it); default:
            labels with a positive prior.
    """
    prior = np.asarray(prior, dtype=float)
    known = prior > 0
    named = known if named is None else np.asarray(named, dtype=bool)
    if len(t.cat) == 0 or t.safe_size(np.zeros(t.n_labels, dtype=np.int64))[0] < rules.threshold:
        log.add(name, case, "suppress", f"fewer than {rules.threshold} contributors in all")
        return None
    groups = group_ordered(t, rules.threshold) if ordered else group_unordered(t, rules.threshold, known)
    if len(groups) == 1 and t.n_labels > 1:
        log.add(name, case, "suppress", "at most one category is safe on its own; publishing would show that "
                "(nearly) every contributor shares it")
        return None
    pub = publish(t, groups, prior, rules, ordered)
    for sentence in describe_groups(labels, groups, t, named, prior, rules, ordered):
        log.add(name, case, "merge", sentence)
    log.add(name, case, "round", f"{len(groups)} cell count(s) rounded to base {rules.rounding}; "
            f"rounded total {int(pub.total):,}")
    return pub


def control_bins(t: Tally, rules: Rules, log: Log, name: str, case: str, labels: Sequence[str]) -> Published | None:
    """Merge adjacent histogram bins until each is safe, then round; None when nothing is left."""
    if len(t.cat) == 0 or t.safe_size(np.zeros(t.n_labels, dtype=np.int64))[0] < rules.threshold:
        log.add(name, case, "suppress", f"fewer than {rules.threshold} contributors in all")
        return None
    runs = group_ordered(t, rules.threshold)
    if len(runs) == 1:
        log.add(name, case, "suppress", "no bin is safe on its own: nothing to publish beyond the total")
        return None
    counts = t.counts
    out = np.array([float(round_base(counts[r].sum(), rules.rounding)) for r in runs])
    single = t.safe_size(np.arange(t.n_labels))
    for r in runs:
        if len(r) > 1:
            small = [labels[i] for i in r if single[i] < rules.threshold]
            log.add(name, case, "merge", f"bins {'+'.join(labels[i] for i in r)} merged into one bin "
                    f"({', '.join(small)}: each fewer than {rules.threshold})")
    log.add(name, case, "round", f"{len(runs)} bin count(s) rounded to base {rules.rounding}; "
            f"rounded total {int(out.sum()):,}")
    return Published(out, [list(map(int, r)) for r in runs], float(out.sum()))


# --------------------------------------------------------------------------------------------
# Continuous summaries.


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
