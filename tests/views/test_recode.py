"""An agency's own recording of a code (``recode:``): listed values, at the stated rate, as an alternative."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.profile.loader import load_profile
from synth.profile.models import Recode
from synth.views.project import recode


def test_only_listed_values_change_at_the_rate_into_their_alternatives():
    n = 40_000
    values = pd.Series(np.where(np.arange(n) % 2 == 0, "MWBC", "WBRI"), dtype=object)
    rc = Recode(rate=0.1, map={"MWBC": ["WBRI", "BCRB"]}, assumption="test")
    out = recode(values, rc, np.random.default_rng(3))
    mixed = values == "MWBC"
    assert (out[~mixed] == "WBRI").all()  # values not listed are kept
    changed = out[mixed] != "MWBC"
    se = np.sqrt(0.1 * 0.9 / mixed.sum())
    assert abs(changed.mean() - 0.1) < 4 * se
    assert set(out[mixed][changed]) == {"WBRI", "BCRB"}
    assert abs((out[mixed][changed] == "BCRB").mean() - 0.5) < 0.05


def test_a_star_recodes_any_present_value_and_leaves_blanks():
    values = pd.Series(["WBRI", None, "APKN"] * 1000, dtype=object)
    out = recode(values, Recode(rate=1.0, map={"*": ["NOBT"]}, source="test"), np.random.default_rng(0))
    assert out.isna().sum() == 1000 and (out.dropna() == "NOBT").all()


def test_a_recode_needs_provenance():
    with pytest.raises(ValueError, match="source"):
        Recode(rate=0.1, map={"a": ["b"]})


def test_the_903_and_cafcass_record_ethnicity_their_own_way():
    agencies = load_profile("england_wales").profile.agencies
    header = next(c for c in agencies["ssda903"].tables["header"].columns if c.name == "ETHNIC")
    codes = set(header.codes or [])
    for rc in header.recode:  # every recorded code is in the 903 list
        assert {v for alts in rc.map.values() for v in alts} <= codes
    assert any("*" in rc.map and {"NOBT", "REFU"} <= set(rc.map["*"]) for rc in header.recode)
    child = next(c for c in agencies["cafcass_england"].tables["child_subject"].columns if c.name == "ethnicity")
    assert any("mixed" in rc.map for rc in child.recode)
