"""--errors / synth.generate(errors=): one scale over every identifier-error rate of a profile."""

from __future__ import annotations

import pytest

import synth
from synth.errors import InputError
from synth.profile.error_scale import scaled_errors, with_error_scale
from synth.profile.loader import load_profile


def test_the_scale_multiplies_every_rate_and_caps_it_at_one():
    loaded = load_profile("training_small")
    doubled = with_error_scale(loaded, 2.0)
    for key, agency in loaded.profile.agencies.items():
        if agency.identifier_errors is None:
            continue
        new = doubled.profile.agencies[key].identifier_errors
        for field in ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"):
            for before, after in zip(agency.identifier_errors.for_field(field), new.for_field(field)):
                assert after.rate == pytest.approx(min(1.0, 2 * before.rate))
                assert after.multipliers == before.multipliers and after.kind == before.kind
    model = next(a.identifier_errors for a in loaded.profile.agencies.values() if a.identifier_errors)
    assert all(e.rate == 1.0 for f in ("forename", "surname") for e in scaled_errors(model, 1e6).for_field(f)
               if e.rate > 0)
    assert with_error_scale(loaded, 1) is loaded


@pytest.mark.parametrize("bad", [-0.1, 10.5, float("nan")])
def test_an_impossible_scale_is_refused(bad):
    with pytest.raises(InputError, match="--errors .* is impossible; give a number from 0"):
        with_error_scale(load_profile("training_small"), bad)


def test_zero_gives_clean_identifiers_and_more_gives_proportionally_more_errors():
    counts = {}
    for scale in (0.0, 1.0, 2.0):
        with synth.generate("training_small", families=300, seed=5, errors=scale) as run:
            assert run.manifest["identifier_error_scale"] == scale
            err = run.truth["identifier_errors"]
            # NHS number 'missing' is near 1 for some agencies (capped), so count the other kinds.
            counts[scale] = int((~((err["field"] == "nhs_number") & (err["kind"] == "missing"))).sum())
            if scale == 0:
                assert len(err) == 0
    assert counts[1.0] > 300
    # Rates are a few per cent, so doubling them doubles the count (same seed: the draws are shared).
    assert 1.8 < counts[2.0] / counts[1.0] < 2.2, counts
