"""The difficulty dial on generated runs: --errors 0 is clean, recall falls as the scale rises, and
nobody is recorded before birth (issue 14 points 3-5, 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.linkage.deterministic import link_exact
from synth.linkage.io import open_run, read_linkage
from synth.linkage.score import score

AGENCIES = ("cafcass_england", "ssda903")
SCALES = (0.0, 1.0, 3.0)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    for s in SCALES:
        synth.generate("england_wales", families=600, seed=11, agencies=AGENCIES, errors=s, out=root / f"e{s:g}")
    return root


def exact_recall(root, scale: float, tmp) -> tuple[float, float]:
    run = open_run(root / f"e{scale:g}")
    out = tmp / f"exact{scale:g}.parquet"
    link_exact(run, ["NHS_NUMBER", "DATE_OF_BIRTH"], out, "parquet")
    o = next(r for r in score(run, read_linkage(out, run))["rows"] if r["agency_l"] == "overall")
    return o["recall"], o["precision"]


def test_exact_matching_recall_is_one_when_clean_and_falls_with_the_scale(runs, tmp_path):
    recall = [exact_recall(runs, s, tmp_path) for s in SCALES]
    assert recall[0] == (1.0, 1.0)
    assert recall[0][0] > recall[1][0] > recall[2][0]


def test_no_error_is_logged_when_clean(runs):
    errors = pd.read_parquet(runs / "e0" / "truth" / "identifier_errors")
    assert errors.empty
    logged = pd.read_parquet(runs / "e1" / "truth" / "identifier_errors")
    assert {"true_value", "recorded_value"} <= set(logged.columns)
    assert set(logged["kind"]) >= {"typo", "missing", "moved", "swap", "change", "baby"}


def test_nobody_is_recorded_before_birth(runs):
    root = runs / "e1"
    links = pd.read_parquet(root / "truth" / "links")
    person = pd.read_parquet(root / "truth" / "person")[["person_id", "date_of_birth"]]
    for agency in AGENCIES:
        f1 = pd.read_parquet(next((root / agency).glob("*file1*")))
        rec = f1.assign(system_id=f1["SYSTEM_ID"].astype(np.int64)).merge(
            links[links["agency"] == agency], on="system_id").merge(person, on="person_id")
        made = pd.to_datetime(rec["CREATE_DATE"], format="%d.%m.%Y")
        assert len(rec) == len(f1) and (made >= pd.to_datetime(rec["date_of_birth"])).all(), agency
