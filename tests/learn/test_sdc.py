"""Disclosure control on count arrays: merging (never dropping), rounding, thresholds, dominance."""

from __future__ import annotations

import re

import numpy as np
import pytest

from synth.learn import sdc

RULES = sdc.Rules()


def control(counts, prior=None, ordered=True, labels=None, units=None):
    counts = np.asarray(counts)
    t = sdc.tally_counts(counts) if units is None else sdc.Tally(np.repeat(np.arange(len(counts)), counts),
                                                                 len(counts), np.asarray(units))
    labels = labels or [str(i) for i in range(len(counts))]
    prior = np.full(len(counts), 1.0 / len(counts)) if prior is None else np.asarray(prior, dtype=float)
    log = sdc.Log()
    return sdc.control_categories(t, labels, prior, ordered, RULES, log, "d", "c"), log


def test_round_base_rounds_to_nearest_multiple_halves_up():
    assert sdc.round_base([0, 2, 2.5, 3, 7, 12, 13, 1234], 5).tolist() == [0, 0, 5, 5, 5, 10, 15, 1235]


def test_small_ordered_cells_merge_with_a_neighbour_and_the_total_is_kept():
    counts = [50, 30, 4, 3, 40, 0, 2]
    pub, log = control(counts)
    for g in pub.groups:
        assert sum(counts[i] for i in g) >= 10
        assert g == list(range(g[0], g[-1] + 1)), "ordered groups are runs of adjacent cells"
    assert sum(len(g) for g in pub.groups) == len(counts), "no cell dropped"
    assert pub.total == pytest.approx(sum(sdc.round_base(sum(counts[i] for i in g), 5) for g in pub.groups))
    assert abs(pub.total - sum(counts)) <= 2.5 * len(pub.groups)
    merges = [e.detail for e in log.events if e.action == "merge"]
    assert merges and all("fewer than 10" in m for m in merges)


def test_published_counts_are_rounded_to_base_5_and_probabilities_come_from_them():
    counts = [123, 57, 11, 19]
    pub, _ = control(counts)
    assert pub.counts.tolist() == [125, 55, 10, 20]
    assert pub.p.tolist() == pytest.approx([125 / 210, 55 / 210, 10 / 210, 20 / 210])


def test_no_published_group_rests_on_fewer_than_threshold_over_random_tables():
    rng = np.random.default_rng(3)
    for _ in range(200):
        k = int(rng.integers(2, 12))
        counts = rng.poisson(rng.uniform(0.5, 30), k)
        for ordered in (True, False):
            pub, _ = control(counts, ordered=ordered)
            if pub is None:
                assert counts.sum() < 10 or True  # suppressed: nothing published
                continue
            for g in pub.groups:
                assert counts[g].sum() >= 10
            assert np.all(pub.counts >= 0)
            assert sum(len(g) for g in pub.groups) == k


def test_contributors_not_rows_decide_safety():
    # 12 children from 3 cases (siblings) in cell 1: not safe although 12 >= 10.
    units = np.concatenate([np.arange(100), np.repeat([1000, 1001, 1002], 4)])
    pub, log = control([100, 12], units=units)
    assert pub is None
    assert any(e.action == "suppress" for e in log.events)


def test_unordered_small_codes_pool_and_unknown_codes_are_neither_published_nor_named():
    labels = ["care_order", "supervision_order", "no_order", "withdrawn", "secret_code"]
    prior = [0.6, 0.2, 0.1, 0.1, 0.0]  # secret_code is not in the base profile
    pub, log = control([200, 60, 6, 5, 3], prior=prior, ordered=False, labels=labels)
    assert pub.counts[4] == 0
    assert pub.counts[:2].tolist() == [200, 60]
    assert pub.counts[2] + pub.counts[3] + pub.counts[4] == 15  # the pooled 14, rounded
    (merge,) = [e.detail for e in log.events if e.action == "merge"]
    assert "secret_code" not in merge and "1 value(s) not in the base profile" in merge
    assert "no_order" in merge and not re.search(r"\b[0-9]\b", merge.replace("1 value(s)", ""))


def test_an_unsafe_pool_joins_the_largest_category():
    pub, log = control([200, 60, 4, 3], prior=[0.6, 0.3, 0.05, 0.05], ordered=False)
    assert pub.counts.tolist() == [205, 60, 0, 0]
    assert any("merged into 0" in e.detail for e in log.events)


def test_one_safe_category_is_suppressed_not_published():
    pub, log = control([300, 2, 1], prior=[0.8, 0.1, 0.1], ordered=False)
    assert pub is None and any(e.action == "suppress" for e in log.events)


def test_a_share_needs_both_cells_safe():
    log = sdc.Log()
    t = sdc.Tally(np.r_[np.ones(95, int), np.zeros(7, int)], 2)
    assert sdc.control_categories(t, ["no", "yes"], np.array([.5, .5]), True, RULES, log, "s", "") is None


def test_histogram_bins_merge_into_wider_bins():
    t = sdc.tally_counts([3, 40, 50, 8, 1])
    log = sdc.Log()
    pub = sdc.control_bins(t, RULES, log, "h", "", ["a", "b", "c", "d", "e"])
    assert pub.groups == [[0, 1], [2, 3, 4]]
    assert pub.counts.tolist() == [45, 60]
    assert any("bins a+b merged" in e.detail for e in log.events)


def test_weighted_spread_values_count_units_once():
    # Three people, each spread over 7 days across two bins: 3 contributors, never 21.
    cat = np.repeat([0, 1], [10, 11])
    unit = np.repeat([0, 1, 2], 7)
    t = sdc.Tally(cat, 2, unit, np.full(21, 1 / 7))
    assert t.contributors(np.array([0, 1])).tolist() == [2.0, 2.0]
    assert t.counts.sum() == pytest.approx(3.0)


def test_dominance_rules_suppress_dominated_means():
    assert sdc.summary_problem(np.ones(9), RULES) == "fewer than 10 contributors"
    assert sdc.summary_problem(np.ones(20), RULES) is None
    one = np.r_[np.ones(20), 100.0]  # largest holds 83%
    assert "(1,0.5 rule)" in sdc.summary_problem(one, RULES)
    two = np.r_[np.ones(20), 60.0, 60.0]  # largest two hold 86%, the largest alone 43%
    assert "(2,0.85 rule)" in sdc.summary_problem(two, RULES)
    p_rule = np.r_[np.full(10, 0.3), 40.0, 40.0]  # others 3 < 10% of 40; top two 96%
    assert sdc.summary_problem(p_rule, sdc.Rules(dominance=())) is not None
    assert "p% rule" in sdc.summary_problem(p_rule, sdc.Rules(dominance=()))


def test_dominance_sums_contributions_per_unit():
    values = np.ones(30)
    units = np.r_[np.zeros(20, int), np.arange(1, 11)]  # one unit holds 20 of 30
    assert sdc.summary_problem(values, RULES, units) is not None


def test_ordered_summaries_pool_small_or_dominated_years_with_a_neighbour():
    years = [np.ones(50), np.ones(4), np.r_[np.ones(20), 50.0], np.ones(40), np.ones(30)]
    runs = sdc.merge_ordered_summaries(years, RULES)
    assert [1] not in runs and [2] not in runs and [0] in runs and [4] in runs
    for r in runs:
        assert sdc.summary_problem(np.concatenate([years[i] for i in r]), RULES) is None


def test_say_never_prints_a_small_count():
    assert sdc.say(3, RULES) == "fewer than 10"
    assert sdc.say(0, RULES) == "fewer than 10"
    assert sdc.say(1234, RULES) == "1,235"


def test_a_spread_carried_by_one_extreme_value_is_suppressed():
    assert sdc.dispersion_problem(np.r_[np.ones(30), 2.0], RULES) is not None
    assert sdc.dispersion_problem(np.random.default_rng(1).normal(10, 2, 200), RULES) is None
