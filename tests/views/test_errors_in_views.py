"""Identifier errors in a generated shard happen at the rates the profile states, and File 1 shows them."""

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.rng import generator
from synth.views.identifiers import expected_rates
from synth.views.project import covered, project_agency
from synth.views.records import true_identifiers
from synth.world.context import build_context
from synth.world.truth import simulate_shard

#: Kinds that change every present value they are drawn for.
ALWAYS = {"typo", "missing", "day_offset", "year_typo", "miscode"}


@pytest.fixture(scope="module")
def shard():
    loaded = load_profile("england_wales")
    ctx = build_context(loaded)
    return loaded.profile, simulate_shard(ctx, 0, 10_000)


@pytest.mark.parametrize("agency", ["cafcass_england", "cafcass_cymru", "familyman"])
def test_achieved_error_rates_match_the_profile(shard, agency):
    profile, truth = shard
    spec = profile.agencies[agency]
    frame = covered(spec, truth, generator(1, "view"), profile.linkage, generator(1, "errors"))
    ap = frame.tables["agency_person"]
    true = true_identifiers(ap, truth)
    errors = frame.errors
    checked = 0
    for field in ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"):
        present = true[field].notna().to_numpy()
        expected = expected_rates(true[present], spec.identifier_errors)
        expected = expected[expected["field"] == field]
        n = int(present.sum())
        for kind, rate in zip(expected["kind"], expected["rate"]):
            got = int(((errors["field"] == field) & (errors["kind"] == kind)).sum()) / n
            tol = 4 * np.sqrt(max(rate * (1 - rate), 1e-4) / n)
            if kind in ALWAYS:
                assert abs(got - rate) <= tol, f"{agency}.{field}.{kind}: {got:.4f} vs {rate:.4f} (±{tol:.4f})"
            else:  # applies only where it can (a nickname exists, day <= 12, an earlier address...)
                assert got <= rate + tol, f"{agency}.{field}.{kind}: {got:.4f} above {rate:.4f}"
                if rate * n > 30:
                    assert got > 0, f"{agency}.{field}.{kind} never happened"
            checked += 1
    assert checked >= 10


def test_file1_shows_exactly_the_recorded_errors(shard):
    profile, truth = shard
    tables, links, errors = project_agency("cafcass_england", profile.agencies["cafcass_england"], truth,
                                           profile.seed, 0, profile.linkage)
    f1 = tables["file1"].assign(id=lambda d: d["SYSTEM_ID"].astype("int64")).set_index("id")
    person = truth["person"].set_index("person_id")
    m = links.set_index("agency_person_id")["person_id"]
    # A forename differs from the truth exactly when a forename error was recorded for the record.
    wrong = f1["FORENAME"].fillna("") != m.reindex(f1.index).map(person["forename"]).str.upper()
    flagged = set(errors.loc[errors["field"] == "forename", "agency_person_id"])
    assert set(f1.index[wrong.to_numpy()]) == flagged
    assert len(flagged) > 0.02 * len(f1)
    kinds = errors.groupby(["field", "kind"]).size()
    assert kinds.index.get_level_values("field").nunique() == 6
    assert pd.Series(errors["agency_person_id"]).isin(f1.index).all()
