"""Named mechanisms declared once: every entry drawn by the world, observed by the validator and
learnable (or allow-listed), and a profile checked against the registry with key paths."""

from __future__ import annotations

import dataclasses

import pytest

import synth.learn.derive  # noqa: F401 - registers derivations
import synth.learn.derive_people  # noqa: F401 - registers derivations
import synth.validate.observers  # noqa: F401 - registers observers
from synth.errors import ProfileError
from synth.profile.kinds import KINDS
from synth.profile.loader import find_profile, load_profile
from synth.profile.mechanisms import (
    DERIVATIONS,
    GIVEN_VALUES,
    MECHANISMS,
    NOT_LEARNABLE,
    OBSERVERS,
    check_distributions,
    observer,
)
from synth.validate.core import RunData
from synth.validate.realism import check_realism
from synth.world.context import build_context
from synth.world.truth import simulate_shard


def test_every_entry_is_well_formed():
    for name, m in MECHANISMS.items():
        assert m.name == name and m.kind in KINDS and m.kind != "conditional" and m.meaning
        assert all(g in GIVEN_VALUES for g in m.given), name


def test_every_entry_has_an_observer():
    assert set(OBSERVERS) == set(MECHANISMS)
    assert all(m.observe is OBSERVERS[m.name] for m in MECHANISMS.values())


def test_every_entry_is_learnable_or_gives_an_allowed_reason():
    for name, m in MECHANISMS.items():
        if m.not_learnable is None:
            assert callable(m.derive), f"{name}: no derivation and no reason it cannot be learned"
        else:
            assert m.not_learnable in NOT_LEARNABLE and name not in DERIVATIONS, name
            assert m.derive == NOT_LEARNABLE[m.not_learnable]
    assert len(NOT_LEARNABLE) <= 5  # a short allow-list, each reason documented


def test_registering_for_an_unknown_mechanism_is_refused_with_the_closest_name():
    with pytest.raises(KeyError, match="did you mean 'month_of_issue'"):
        observer("month_of_isue")


class Tracking(dict):
    """A mapping that records the names read from it and refuses unknown ones."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def test_the_world_draws_every_entry_and_nothing_else():
    ctx = build_context(load_profile("training_small"))
    dists = Tracking(ctx.dists)
    simulate_shard(dataclasses.replace(ctx, dists=dists), 0, 1500)
    assert dists.read == set(MECHANISMS)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    from tests.conftest import make_run

    return make_run(tmp_path_factory, "training_small", 3000)


def test_the_validator_observes_every_entry(small_run):
    results = [r for r in check_realism(RunData(small_run.path)) if r.name.startswith("distribution:")]
    judged = {r.name.split(":", 1)[1] for r in results}
    assert judged == set(MECHANISMS)
    broken = [(r.name, r.detail) for r in results if "could not" in r.detail or "no observer" in r.detail]
    assert not broken


# --------------------------------------------------------------------------------------------
# a profile against the registry


def _problems(dists: dict) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    check_distributions(dists, lambda loc, msg: out.append((".".join(map(str, loc)), msg)))
    return out


def test_shipped_profiles_match_the_registry():
    for name in ("england_wales", "training_small", "wales_sail"):
        assert _problems(dict(load_profile(name).profile.world.distributions)) == []


def test_unknown_missing_and_misshaped_names_are_reported_with_paths():
    dists = dict(load_profile("training_small").profile.world.distributions)
    dists["month_of_isue"] = dists.pop("month_of_issue")
    dists["hearings"] = dists["sibling_spacing"]
    problems = _problems(dists)
    assert ("world.distributions.month_of_isue", "unknown distribution 'month_of_isue'; did you mean "
            "'month_of_issue'?") in problems
    assert any(loc == "world.distributions.month_of_issue" and msg.startswith("missing distribution")
               for loc, msg in problems)
    assert ("world.distributions.hearings.kind",
            "must be 'conditional' on 'law_type' (cases of kind 'poisson')") in problems


def test_an_unknown_name_in_a_profile_fails_loading_naming_the_path_and_closest_name(tmp_path):
    p = tmp_path / "typo.yaml"
    p.write_text(f"extends: {find_profile('training_small')}\n"
                 "world:\n  distributions:\n    child_sex_mal:\n      kind: share\n      p: 0.5\n"
                 "      assumption: a typo\n")
    with pytest.raises(ProfileError) as info:
        load_profile(p)
    assert info.value.problems == [(str(p), "world.distributions.child_sex_mal",
                                    "unknown distribution 'child_sex_mal'; did you mean 'child_sex_male'?")]
