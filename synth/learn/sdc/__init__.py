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

Modules: ``rules`` (rules, log), ``tally`` (counts and units per cell), ``groups`` (merging unsafe
cells), ``publish`` (rounded, described cells) and ``summaries`` (dominance and p% rules).
"""

from __future__ import annotations

from synth.learn.sdc.groups import group_of_runs, group_ordered, group_unordered, merge_runs
from synth.learn.sdc.publish import Published, control_bins, control_categories, describe_groups, publish
from synth.learn.sdc.rules import Event, Log, Rules, round_base, say
from synth.learn.sdc.summaries import dispersion_problem, dominated, merge_ordered_summaries, summary_problem
from synth.learn.sdc.tally import Tally, tally_counts

__all__ = [
    "Event", "Log", "Published", "Rules", "Tally", "control_bins", "control_categories", "describe_groups",
    "dispersion_problem", "dominated", "group_of_runs", "group_ordered", "group_unordered",
    "merge_ordered_summaries", "merge_runs", "publish", "round_base", "say", "summary_problem", "tally_counts",
]
