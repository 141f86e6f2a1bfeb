"""Distribution kinds and their vectorised samplers: shapes, frequencies, edge cases, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from synth.profile import kinds as K
from synth.profile.kinds import group_rows
from synth.profile.kinds.categorical import inverse_cdf
from synth.profile.loader import load_profile

N = 200_000
Z = 5.0  # tolerance in standard errors

DIST = TypeAdapter(K.Distribution)


def dist(**kw):
    """Build any distribution from its YAML-like mapping."""
    return DIST.validate_python({"assumption": "test", **kw})


def assert_share(hits: int | np.integer, n: int, p: float) -> None:
    """Observed share ``hits / n`` within Z standard errors of ``p``."""
    se = math.sqrt(p * (1 - p) / n)
    assert abs(hits / n - p) <= Z * se + 1e-12, f"observed {hits / n:.5f}, expected {p:.5f} +- {Z * se:.5f}"


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# --------------------------------------------------------------------------------------------
# categorical


def test_categorical_index_shape_and_range(rng):
    d = dist(kind="categorical", probabilities={"a": 0.2, "b": 0.5, "c": 0.3})
    for shape in [(0,), (7,), (3, 4)]:
        idx = d.index(rng.random(shape))
        assert idx.shape == shape
        assert ((idx >= 0) & (idx < 3)).all()


def test_categorical_index_boundaries():
    d = dist(kind="categorical", probabilities={"a": 0.25, "b": 0.25, "c": 0.5})
    u = np.array([0.0, 0.2499, 0.25, 0.4999, 0.5, 0.999999])
    assert d.index(u).tolist() == [0, 0, 1, 1, 2, 2]


def test_categorical_zero_probability_never_drawn(rng):
    d = dist(kind="categorical", probabilities={"a": 0.4, "never": 0.0, "b": 0.6})
    idx = d.index(rng.random(N))
    assert (idx != 1).all()


def test_categorical_frequencies(rng):
    probs = {"1": 0.05, "2": 0.15, "3": 0.3, "4": 0.5}
    d = dist(kind="categorical", probabilities=probs)
    idx = d.index(rng.random(N))
    counts = np.bincount(idx, minlength=len(probs))
    for label, c in zip(d.labels, counts):
        assert_share(c, N, probs[label])


def test_categorical_keys_are_text():
    d = dist(kind="categorical", probabilities={1: 0.5, 2: 0.5})
    assert d.labels == ["1", "2"]


def test_shipped_month_of_issue_frequencies(rng):
    d = load_profile("training_small").profile.world.distributions["month_of_issue"]
    idx = d.index(rng.random(N))
    counts = np.bincount(idx, minlength=12)
    assert d.labels == [str(m) for m in range(1, 13)]
    for p, c in zip(d.p, counts):
        assert_share(c, N, p)


# --------------------------------------------------------------------------------------------
# histogram


@pytest.fixture
def hist():
    return dist(kind="histogram", unit="days", bins=[-10, 0, 5, 100], probabilities=[0.1, 0.6, 0.3])


def test_histogram_values_shape(hist, rng):
    for shape in [(0,), (9,), (2, 5)]:
        assert hist.at(rng.random(shape), rng.random(shape)).shape == shape


def test_histogram_values_fall_inside_their_bins(hist, rng):
    u, v = rng.random(N), rng.random(N)
    x = hist.at(u, v)
    idx = inverse_cdf(hist.p, u)  # the same inverse CDF picks the bin
    lo = np.asarray(hist.bins[:-1])[idx]
    hi = np.asarray(hist.bins[1:])[idx]
    assert ((x >= lo) & (x < hi)).all()
    assert (hist.bin_of(x) == idx).all()


def test_histogram_position_within_bin_follows_v(hist):
    # u picks the middle bin [0, 5); v is the fraction of the way through it.
    u = np.full(3, 0.5)
    assert hist.at(u, np.array([0.0, 0.5, 0.9])).tolist() == pytest.approx([0.0, 2.5, 4.5])


def test_histogram_bin_frequencies(hist, rng):
    x = hist.at(rng.random(N), rng.random(N))
    counts = np.bincount(hist.bin_of(x), minlength=3)
    for p, c in zip(hist.probabilities, counts):
        assert_share(c, N, p)


def test_histogram_values_uniform_within_bin(hist, rng):
    x = hist.at(rng.random(N), rng.random(N))
    top = x[x >= 5]
    # Within [5, 100) values are uniform: half fall below the midpoint.
    assert_share(int((top < 52.5).sum()), len(top), 0.5)


def test_histogram_bin_clips_outside_edges(hist):
    x = np.array([-1000.0, -10.0, -0.001, 0.0, 4.999, 5.0, 99.9, 100.0, 5000.0])
    assert hist.bin_of(x).tolist() == [0, 0, 0, 1, 1, 2, 2, 2, 2]


# --------------------------------------------------------------------------------------------
# share, poisson, lognormal


def test_share_validates_range():
    assert dist(kind="share", p=0.25).p == 0.25
    with pytest.raises(ValidationError):
        dist(kind="share", p=1.5)


def test_poisson_values_mean_offset_and_cap(rng):
    d = dist(kind="poisson", mean=3.0, offset=2)
    x = d.sample(rng, N)
    assert x.shape == (N,)
    assert x.min() >= 2
    assert abs(x.mean() - 5.0) <= Z * math.sqrt(3.0 / N)
    capped = dist(kind="poisson", mean=3.0, offset=2, max=4).sample(rng, N)
    assert capped.max() == 4
    # P(X + 2 >= 4) = P(X >= 2) for X ~ Poisson(3)
    assert_share(int((capped == 4).sum()), N, 1 - math.exp(-3) * (1 + 3))


def test_lognormal_values_mean_and_cv(rng):
    d = dist(kind="lognormal", unit="weeks", mean=30.0, cv=0.5)
    x = d.at(rng.standard_normal(N))
    assert x.shape == (N,)
    assert (x > 0).all()
    sd = 30.0 * 0.5
    assert abs(x.mean() - 30.0) <= Z * sd / math.sqrt(N)
    assert x.std() / x.mean() == pytest.approx(0.5, rel=0.05)


def test_lognormal_mean_per_key(rng):
    d = dist(kind="lognormal", unit="weeks", mean={2019: 10, 2020: 40}, cv=0.3, given="fy")
    keys = np.where(rng.random(N) < 0.5, "2019", "2020")
    x = d.at(rng.standard_normal(N), keys)
    for k, m in (("2019", 10.0), ("2020", 40.0)):
        sel = x[keys == k]
        assert abs(sel.mean() - m) <= Z * m * 0.3 / math.sqrt(len(sel))


def test_lognormal_min_max_clip(rng):
    d = dist(kind="lognormal", unit="weeks", mean=10.0, cv=1.0, min=5, max=12)
    x = d.at(rng.standard_normal(10_000))
    assert x.min() == 5 and x.max() == 12


def test_lognormal_validation():
    with pytest.raises(ValidationError, match="needs 'given:'"):
        dist(kind="lognormal", unit="weeks", mean={2019: 10}, cv=0.3)
    with pytest.raises(ValidationError, match="mean must be positive"):
        dist(kind="lognormal", unit="weeks", mean=0, cv=0.3)


# --------------------------------------------------------------------------------------------
# survival


@pytest.fixture
def surv():
    return dist(kind="survival", unit="years", times=[1, 2, 3], cumulative=[0.1, 0.3, 0.5])


def test_survival_interpolates_inside_the_curve(surv):
    u = np.array([0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.4999])
    t = surv.at(u)
    assert t.tolist() == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 2.9995])


def test_survival_nan_beyond_the_curve(surv):
    t = surv.at(np.array([0.5, 0.7, 0.999]))
    assert np.isnan(t).all()


def test_survival_shape(surv, rng):
    assert surv.at(rng.random((4, 6))).shape == (4, 6)
    assert surv.at(np.zeros(0)).shape == (0,)


def test_survival_frequencies(surv, rng):
    t = surv.at(rng.random(N))
    assert_share(int(np.isnan(t).sum()), N, 1 - surv.ever)
    assert_share(int((t <= 1).sum()), N, 0.1)
    assert_share(int(((t > 1) & (t <= 2)).sum()), N, 0.2)
    assert np.nanmax(t) <= 3


def test_survival_validation():
    with pytest.raises(ValidationError, match="non-decreasing"):
        dist(kind="survival", unit="years", times=[1, 2], cumulative=[0.3, 0.2])
    with pytest.raises(ValidationError, match="strictly increasing"):
        dist(kind="survival", unit="years", times=[2, 1], cumulative=[0.1, 0.2])
    with pytest.raises(ValidationError, match="same, non-zero length"):
        dist(kind="survival", unit="years", times=[1, 2], cumulative=[0.1])


# --------------------------------------------------------------------------------------------
# conditional and grouping


def test_group_rows_sorted_and_complete():
    keys = np.array(["b", "a", "c", "a", "b", "a"])
    groups = group_rows(keys)
    assert [k for k, _ in groups] == ["a", "b", "c"]
    assert [pos.tolist() for _, pos in groups] == [[1, 3, 5], [0, 4], [2]]
    assert sorted(np.concatenate([p for _, p in groups]).tolist()) == list(range(len(keys)))


def test_group_rows_is_deterministic(rng):
    keys = rng.choice(["public", "private", "x"], size=5000)
    a, b = group_rows(keys), group_rows(keys.copy())
    assert [k for k, _ in a] == [k for k, _ in b]
    for (_, pa), (_, pb) in zip(a, b):
        assert np.array_equal(pa, pb)
    for k, pos in a:
        assert (keys[pos] == k).all()
        assert (np.diff(pos) > 0).all()  # stable: positions stay in row order


def test_group_rows_stringifies_keys():
    groups = group_rows(np.array([2, 10, 2]))
    assert [(k, p.tolist()) for k, p in groups] == [("10", [1]), ("2", [0, 2])]


def test_group_rows_empty():
    assert group_rows(np.array([], dtype=str)) == []


def test_conditional_case_of_and_leaf_kind():
    d = dist(kind="conditional", given="law_type", cases={
        "public": {"kind": "share", "p": 0.1}, "private": {"kind": "share", "p": 0.9}})
    assert d.case_of("public").p == 0.1
    assert d.leaf_kind() == "share"
    with pytest.raises(KeyError, match="no case 'other' for given 'law_type'"):
        d.case_of("other")


def test_conditional_cases_must_share_a_kind():
    with pytest.raises(ValidationError, match="every case must be of one kind"):
        dist(kind="conditional", given="law_type", cases={
            "public": {"kind": "share", "p": 0.1},
            "private": {"kind": "poisson", "mean": 1}})


def test_provenance():
    assert K.Share(kind="share", p=0.5, source="x").has_provenance()
    assert not K.Share(kind="share", p=0.5).has_provenance()
    cond = K.Conditional(kind="conditional", given="law_type", cases={
        "public": K.Share(kind="share", p=0.1, assumption="a"),
        "private": K.Share(kind="share", p=0.2, source="s")})
    assert cond.has_provenance()
    cond_missing = K.Conditional(kind="conditional", given="law_type", cases={
        "public": K.Share(kind="share", p=0.1, assumption="a"),
        "private": K.Share(kind="share", p=0.2)})
    assert not cond_missing.has_provenance()


# --------------------------------------------------------------------------------------------
# validation of probabilities and bins


def test_probabilities_must_sum_to_one():
    with pytest.raises(ValidationError, match="probabilities sum to 0.9, not 1"):
        dist(kind="categorical", probabilities={"a": 0.5, "b": 0.4})
    with pytest.raises(ValidationError, match="must not be negative"):
        dist(kind="categorical", probabilities={"a": 1.2, "b": -0.2})
    # Within the tolerance is accepted.
    dist(kind="categorical", probabilities={"a": 0.5, "b": 0.5 + 1e-8})


def test_histogram_validation():
    with pytest.raises(ValidationError, match="strictly increasing"):
        dist(kind="histogram", unit="days", bins=[0, 5, 5], probabilities=[0.5, 0.5])
    with pytest.raises(ValidationError, match="4 bin edges need 3 probabilities, got 2"):
        dist(kind="histogram", unit="days", bins=[0, 1, 2, 3], probabilities=[0.5, 0.5])
    with pytest.raises(ValidationError, match="one entry per bin"):
        dist(kind="histogram", unit="days", bins=[0, 1, 2], probabilities=[0.5, 0.5], labels=["x"])


def test_unknown_key_rejected():
    with pytest.raises(ValidationError, match="cvv"):
        dist(kind="lognormal", unit="weeks", mean=3, cv=0.2, cvv=0.1)
