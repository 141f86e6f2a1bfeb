"""Distribution kinds as classes: the registry, strict parameters, and sample/compare/describe/learn."""

from __future__ import annotations

import hashlib
import pkgutil
from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from synth.profile import kinds as K
from synth.profile.kinds import Kind

DIST = TypeAdapter(K.Distribution)

SPECS = {
    "categorical": {"kind": "categorical", "probabilities": {"a": 0.2, "b": 0.5, "c": 0.3}},
    "histogram": {"kind": "histogram", "unit": "weeks", "bins": [-1, 0, 5, 20], "probabilities": [0.1, 0.6, 0.3]},
    "share": {"kind": "share", "p": 0.3},
    "lognormal": {"kind": "lognormal", "unit": "weeks", "mean": {"2019": 10, "2020": 30}, "given": "fy", "cv": 0.4,
                  "min": 2},
    "poisson": {"kind": "poisson", "mean": 2.5, "offset": 1, "max": 6},
    "survival": {"kind": "survival", "unit": "years", "times": [1, 2, 4], "cumulative": [0.1, 0.25, 0.4]},
}
#: SHA-256 prefixes of each kind's draws (unconditional then conditional, seed 7): the draws of
#: ``synth.world.sampling`` before kinds were classes. Output stays byte-identical only while these hold.
DRAWS = {
    "categorical": "7a05b00b597bfd5b", "histogram": "91504ed7fd8258c1", "share": "088048c4ce6d6aad",
    "lognormal": "897d59e1accd42a6", "poisson": "8737909ad4a2b831", "survival": "d19bb0351e15f20d",
}


def dist(spec: dict) -> Kind:
    return DIST.validate_python({"assumption": "test", **spec})


def conditional(leaf: dict) -> Kind:
    other = leaf | ({"p": 0.7} if leaf["kind"] == "share" else {})
    return dist({"kind": "conditional", "given": "g", "cases": {"x": leaf, "y": other}})


# --------------------------------------------------------------------------------------------
# registry


def test_every_module_of_the_package_is_a_kind_of_the_union():
    modules = {m.name for m in pkgutil.iter_modules(K.__path__)} - set(K.SUPPORT_MODULES)
    assert modules == set(K.KINDS)
    union = set(DIST.json_schema()["discriminator"]["mapping"])
    assert union == set(K.KINDS)


@pytest.mark.parametrize("name", sorted(K.KINDS))
def test_every_kind_samples_compares_describes_and_learns(name):
    cls = K.KINDS[name]
    for method in ("compare", "describe", "learn"):
        assert getattr(cls, method) is not getattr(Kind, method), f"{name} lacks its own {method}"
    assert cls.values is not Kind.values or cls.sample is not Kind.sample or cls.leaf_groups is not Kind.leaf_groups


def test_a_new_kind_module_is_discovered_and_joins_the_union(tmp_path, monkeypatch):
    (tmp_path / "uniform.py").write_text(
        "from typing import Literal\n"
        "import numpy as np\n"
        "from synth.profile.kinds.base import Kind\n\n\n"
        "class Uniform(Kind):\n"
        "    kind: Literal['uniform']\n"
        "    low: float\n"
        "    high: float\n\n"
        "    def draw(self, rng, n):\n"
        "        return (rng.random(n),)\n\n"
        "    def values(self, draws, rng, key=None):\n"
        "        return self.low + (self.high - self.low) * draws[0]\n")
    monkeypatch.setattr(K, "__path__", [*K.__path__, str(tmp_path)])
    found = K.discover()
    assert "uniform" in found and list(found)[-1] == "conditional"
    d = TypeAdapter(K.build_union(found)).validate_python({"kind": "uniform", "low": 2, "high": 3})
    x = d.sample(np.random.default_rng(1), 100)
    assert ((x >= 2) & (x < 3)).all()


# --------------------------------------------------------------------------------------------
# strict parameters


BAD = [
    ("categorical", {"probabilities": {"a": float("nan"), "b": 1.0}}, "finite number"),
    ("categorical", {"probabilities": {"a": float("inf"), "b": 0.0}}, "finite number"),
    ("categorical", {"probabilities": {"a": 1.2, "b": -0.2}}, "must not be negative"),
    ("categorical", {"probabilities": {"a": 0.5, "b": 0.4}}, "probabilities sum to 0.9, not 1"),
    ("histogram", {"bins": [0, 1, float("inf")]}, "finite number"),
    ("histogram", {"probabilities": [0.1, float("nan"), 0.3]}, "finite number"),
    ("histogram", {"probabilities": [0.5, 0.6, -0.1]}, "must not be negative"),
    ("histogram", {"probabilities": [0.1, 0.6, 0.2]}, "not 1"),
    ("share", {"p": float("nan")}, "finite number"),
    ("share", {"p": -0.1}, "greater than or equal to 0"),
    ("share", {"p": float("inf")}, "finite number"),
    ("lognormal", {"cv": float("nan")}, "finite number"),
    ("lognormal", {"mean": {"2019": float("inf"), "2020": 1}}, "finite number"),
    ("lognormal", {"mean": {"2019": -3, "2020": 1}}, "mean must be positive"),
    ("lognormal", {"cv": -0.5}, "greater than 0"),
    ("lognormal", {"min": 5, "max": 3}, "min (5) is above max (3)"),
    ("poisson", {"mean": float("inf")}, "finite number"),
    ("poisson", {"mean": -1}, "greater than or equal to 0"),
    ("poisson", {"offset": -1}, "greater than or equal to 0"),
    ("poisson", {"max": 0}, "max (0) is below offset (1)"),
    ("survival", {"times": [1, float("inf"), 4]}, "finite number"),
    ("survival", {"cumulative": [0.1, float("nan"), 0.4]}, "finite number"),
    ("survival", {"cumulative": [-0.1, 0.25, 0.4]}, "non-decreasing probabilities in [0, 1]"),
]


@pytest.mark.parametrize(("name", "change", "message"), BAD, ids=[f"{n}-{m[:20]}" for n, _, m in BAD])
def test_each_kind_rejects_nan_inf_negatives_and_bad_sums(name, change, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        dist({**SPECS[name], **change})


def test_a_conditional_rejects_nan_in_a_case():
    with pytest.raises(ValidationError, match="finite number") as info:
        dist({"kind": "conditional", "given": "g", "cases": {"x": {"kind": "share", "p": float("nan")}}})
    assert info.value.errors()[0]["loc"][:3] == ("conditional", "cases", "x")


# --------------------------------------------------------------------------------------------
# sample


@pytest.mark.parametrize("name", sorted(SPECS))
def test_sample_draws_exactly_as_before(name):
    d, c = dist(SPECS[name]), conditional(SPECS[name])
    rng, n = np.random.default_rng(7), 1000
    g = np.where(np.random.default_rng(8).random(n) < 0.4, "x", "y")
    kw = {"key": np.where(np.random.default_rng(9).random(n) < 0.5, "2019", "2020")} if name == "lognormal" else {}
    a, b = d.sample(rng, n, **kw), c.sample(rng, n, g, **kw)
    digest = hashlib.sha256(np.asarray(a).astype(str).tobytes() + np.asarray(b).astype(str).tobytes()).hexdigest()
    assert digest[:16] == DRAWS[name]


def test_conditional_sample_uses_each_case_for_its_rows():
    c = conditional(SPECS["share"])
    g = np.array(["x", "y"] * 20_000)
    x = c.sample(np.random.default_rng(3), len(g), g)
    assert abs(x[g == "x"].mean() - 0.3) < 0.02 and abs(x[g == "y"].mean() - 0.7) < 0.02


# --------------------------------------------------------------------------------------------
# compare


def _observed(name: str, d: Kind, rng: np.random.Generator, n: int):
    key = np.where(rng.random(n) < 0.5, "2019", "2020")
    x = d.sample(rng, n, key=key) if name == "lognormal" else d.sample(rng, n)
    if name == "lognormal":
        return (x, key)
    if name == "survival":
        return (np.where(np.isnan(x), 4 * 365.25, x), ~np.isnan(x), None)
    return x


def _distorted(name: str, observed):
    if name == "lognormal":
        return (observed[0] * 1.3, observed[1])
    if name == "survival":
        return (observed[0] * 2, observed[1], None)
    if name == "share":
        return np.ones(len(observed), dtype=bool)
    if name == "categorical":
        return np.where(observed == "a", "b", observed)
    return observed + (0 if name == "poisson" else 7 * 3) + (name == "poisson")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_compare_passes_a_sample_of_itself_and_fails_a_distorted_one(name):
    d = dist(SPECS[name])
    observed = _observed(name, d, np.random.default_rng(11), 4000)
    ok = d.compare(observed, 4.0)
    assert ok.passed, ok
    assert ok.statistic["n"] == 4000 and ok.detail
    bad = d.compare(_distorted(name, observed), 4.0)
    assert not bad.passed, bad


def test_compare_too_few_passes_saying_so():
    j = dist(SPECS["share"]).compare(np.ones(5, dtype=bool), 4.0)
    assert j.passed and j.statistic == {"name": "n", "value": 5, "tolerance": K.MIN_N}


def test_conditional_compare_judges_against_the_case():
    c = conditional(SPECS["share"])
    flags = np.random.default_rng(2).random(5000) < 0.7
    assert c.compare((("y",), flags), 4.0).passed
    assert not c.compare((("x",), flags), 4.0).passed


# --------------------------------------------------------------------------------------------
# describe


@pytest.mark.parametrize("name", sorted(SPECS))
def test_describe_is_one_line_naming_the_kind(name):
    for d in (dist(SPECS[name]), conditional(SPECS[name])):
        text = d.describe()
        assert "\n" not in text and text.startswith(d.kind)
    assert dist(SPECS["share"]).describe() == "share: p = 0.3"
    assert dist(SPECS["poisson"]).describe() == "poisson: 1 + Poisson(2.5), at most 6"


# --------------------------------------------------------------------------------------------
# learn


class OpenControl:
    """Disclosure control that publishes everything as it is (a stand-in for synth.learn's)."""

    def categories(self, codes, labels, prior, ordered, units, named=None):
        counts = np.bincount(codes, minlength=len(labels)).astype(float)
        return SimpleNamespace(counts=counts, p=counts / counts.sum(), groups=[[i] for i in range(len(labels))])

    def bins(self, codes, labels, units, weight):
        counts = np.bincount(codes, weights=weight, minlength=len(labels)).astype(float)
        return SimpleNamespace(counts=counts, groups=[[i] for i in range(len(labels))])

    def mean(self, values, units=None):
        return float(np.mean(values))

    def dispersion(self, values):
        return True

    def rounded(self, n):
        return float(n)


def _learn_input(name: str, d: Kind, rng: np.random.Generator, n: int):
    if name == "categorical":
        return (d.sample(rng, n), None)
    if name == "histogram":
        x = d.sample(rng, n)
        return (x, x, None)
    if name == "share":
        return (d.sample(rng, n), None)
    if name == "poisson":
        return (d.sample(rng, n), None)
    if name == "survival":
        x = d.sample(rng, n)
        return (np.where(np.isnan(x), 5 * 365.25, x), ~np.isnan(x))
    return d.sample(rng, n)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_learn_recovers_the_parameters_of_a_sample(name):
    spec = {**SPECS[name], **({"mean": 12.0, "given": None} if name == "lognormal" else {})}
    d = dist(spec)
    got = type(d).learn(d, _learn_input(name, d, np.random.default_rng(5), 50_000), OpenControl())
    assert got is not None and got.n == 50_000
    learned = dist(got.body)
    assert type(learned) is type(d)
    if name == "categorical":
        np.testing.assert_allclose(learned.p, d.p, atol=0.01)
    elif name == "histogram":
        np.testing.assert_allclose(learned.p, d.p, atol=0.01)
        assert learned.bins == d.bins
    elif name == "share":
        assert abs(learned.p - d.p) < 0.01
    elif name == "poisson":
        assert learned.offset == 1 and learned.max == 6 and abs(learned.mean - 2.5) < 0.1  # the cap: a little less
    elif name == "survival":
        np.testing.assert_allclose(learned.cumulative, d.cumulative, atol=0.01)
    else:
        assert abs(learned.mean - 12.0) < 0.3 and abs(learned.cv - 0.4) < 0.02 and learned.min == 2


def test_learn_publishes_nothing_when_control_refuses():
    class Refuse(OpenControl):
        def categories(self, *a, **k):
            return None

    d = dist(SPECS["categorical"])
    assert type(d).learn(d, (d.sample(np.random.default_rng(1), 100), None), Refuse()) is None


def test_conditional_learns_each_case():
    c = conditional(SPECS["share"])
    rng = np.random.default_rng(4)
    obs = {"x": (rng.random(20_000) < 0.3, None), "y": (rng.random(20_000) < 0.7, None)}
    got = type(c).learn(c, obs, OpenControl())
    learned = dist(got.body)
    assert abs(learned.cases["x"].p - 0.3) < 0.02 and abs(learned.cases["y"].p - 0.7) < 0.02


def test_lognormal_judges_whole_days_against_the_rounded_distribution():
    # Pre-proceedings days are drawn continuously and recorded to the day; at 100,000 values the
    # rounding alone (up to half a day) is larger than the KS tolerance if judged as continuous.
    d = dist({"kind": "lognormal", "unit": "days", "mean": 60, "cv": 1.0})
    days = np.round(d.sample(np.random.default_rng(3), 200_000))
    assert d.compare(days, 3.0).passed
    assert not d.compare(days + 1, 3.0).passed  # a day late everywhere is still caught


def test_kaplan_meier_curve_gives_each_time_exactly_what_one_call_gives():
    # The survival kind reads every stated time from one sort (12 million addresses at 1M families).
    from synth.profile.kinds.stats import kaplan_meier, kaplan_meier_curve

    rng = np.random.default_rng(4)
    d = np.round(rng.exponential(3.0, 20_000), 2)  # ties, as whole days give
    e = rng.random(20_000) < 0.6
    ats = [0.0, 0.5, 1, 2, 3.333, 7, 50]
    inc, se, risk = kaplan_meier_curve(d, e, ats)
    for i, at in enumerate(ats):
        one_inc, one_se = kaplan_meier(d, e, at)
        assert inc[i] == one_inc and se[i] == one_se
        assert risk[i] == (d >= at).sum()
