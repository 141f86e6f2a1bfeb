"""The deterministic baseline: exact agreement on chosen File 1 columns."""

from __future__ import annotations

import pandas as pd
import pytest

from synth.errors import InputError
from synth.linkage.deterministic import link_exact
from synth.linkage.io import open_run, read_linkage
from synth.linkage.score import score

from . import build_run


def overall(result):
    return next(r for r in result["rows"] if r["agency_l"] == "overall")


def test_exact_nhs_and_dob_misses_exactly_the_blanked_nhs_numbers(tmp_path):
    path = tmp_path / "run"
    build_run(path, n_people=200, coverage=1.0, duplicates=0.0, missing_nhs=17, seed=5)
    run = open_run(path)
    out = tmp_path / "det.parquet"
    summary = link_exact(run, ["NHS_NUMBER", "DATE_OF_BIRTH"], out, "parquet")
    assert summary["records"] == 400 and summary["records_with_key"] == 400 - 17
    assert summary["linked_records"] == 2 * (200 - 17)
    assert summary["clusters"] == (200 - 17) + 2 * 17
    clusters = pd.read_parquet(out)
    assert list(clusters.columns) == ["agency", "id", "cluster"] and len(clusters) == 400
    assert not clusters[["agency", "id"]].duplicated().any()
    result = score(run, read_linkage(out, run))
    o = overall(result)
    assert (o["true_pairs"], o["predicted_pairs"], o["true_positives"]) == (200, 183, 183)
    assert o["precision"] == 1.0 and o["recall"] == pytest.approx(183 / 200)


def test_exact_link_recall_matches_the_identifier_errors(tmp_path):
    path = tmp_path / "run"
    built = build_run(path, n_people=200, coverage=0.9, duplicates=0.1, missing_nhs=9, errors=8, seed=9)
    run = open_run(path)
    out = tmp_path / "det.csv"
    link_exact(run, ["NHS_NUMBER", "DATE_OF_BIRTH"], out, "csv")
    result = score(run, read_linkage(out, run))
    # Expected: true pairs whose two records both have an NHS number and agree on it and on DOB.
    recs = pd.concat([f.assign(agency=a) for a, f in built["file1"].items()], ignore_index=True)
    recs = recs.merge(built["links"].assign(SYSTEM_ID=built["links"]["agency_person_id"].astype(str)),
                      on=["agency", "SYSTEM_ID"])
    m = recs.merge(recs, on="person_id", suffixes=("_l", "_r"))
    m = m[(m["agency_l"] < m["agency_r"]) | ((m["agency_l"] == m["agency_r"]) & (m["SYSTEM_ID_l"] < m["SYSTEM_ID_r"]))]
    agree = ((m["NHS_NUMBER_l"] == m["NHS_NUMBER_r"]) & (m["DATE_OF_BIRTH_l"] == m["DATE_OF_BIRTH_r"])).fillna(False)
    o = overall(result)
    assert o["true_pairs"] == len(m)
    assert o["true_positives"] == int(agree.sum()) < len(m)
    assert o["precision"] == 1.0  # NHS numbers are unique per person in the fixture


def test_link_rejects_unknown_columns(tmp_path):
    path = tmp_path / "run"
    build_run(path, n_people=20)
    with pytest.raises(InputError, match="NHS_NUMBR not in .*FILE1.parquet"):
        link_exact(open_run(path), ["NHS_NUMBR"], tmp_path / "x.csv", "csv")
    with pytest.raises(InputError, match="--on: no columns"):
        link_exact(open_run(path), [" "], tmp_path / "x.csv", "csv")
