"""Publishing controlled cells: rounded counts and probabilities, described for the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synth.learn.sdc.groups import group_ordered, group_unordered
from synth.learn.sdc.rules import Log, Rules, round_base
from synth.learn.sdc.tally import Tally


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
    for members in groups:
        total = float(round_base(counts[members].sum(), rules.rounding))
        if len(members) == 1:
            out[members[0]] = total
            continue
        g = np.asarray(members)
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
    if not pub.counts.sum() > 0:  # a tiny extract: every count rounds to 0, so there are no probabilities
        log.add(name, case, "suppress", f"every count rounds to 0 (base {rules.rounding})")
        return None
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
    if not out.sum() > 0:
        log.add(name, case, "suppress", f"every bin count rounds to 0 (base {rules.rounding})")
        return None
    single = t.safe_size(np.arange(t.n_labels))
    for r in runs:
        if len(r) > 1:
            small = [labels[i] for i in r if single[i] < rules.threshold]
            log.add(name, case, "merge", f"bins {'+'.join(labels[i] for i in r)} merged into one bin "
                    f"({', '.join(small)}: each fewer than {rules.threshold})")
    log.add(name, case, "round", f"{len(runs)} bin count(s) rounded to base {rules.rounding}; "
            f"rounded total {int(out.sum()):,}")
    return Published(out, [list(map(int, r)) for r in runs], float(out.sum()))
