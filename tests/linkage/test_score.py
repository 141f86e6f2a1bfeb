"""Scoring a linkage against the truth: counts, precision, recall and F1 per agency pair."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from synth.linkage.io import open_run, read_linkage
from synth.linkage.score import components, pair_counts, score

from . import build_run, true_pairs


def write_links(path, rows):
    """A run folder holding only truth/links (rows of agency, agency_person_id, person_id)."""
    (path / "truth").mkdir(parents=True)
    pd.DataFrame(rows, columns=["agency", "agency_person_id", "person_id"]).to_parquet(
        path / "truth" / "links.parquet", index=False)
    (path / "manifest.json").write_text(json.dumps({"profile": {}}))
    return path


def row(result, a, b):
    return next(r for r in result["rows"] if r["agency_l"] == a and r["agency_r"] == b)


def scored(tmp_path, run_path, frame, name="linkage.csv", **kw):
    f = tmp_path / name
    frame.to_csv(f, index=False) if name.endswith(".csv") else frame.to_parquet(f, index=False)
    run = open_run(run_path)
    return score(run, read_linkage(f, run), **kw)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    path = tmp_path_factory.mktemp("score") / "run"
    built = build_run(path, n_people=300, agencies=("agency_a", "agency_b", "agency_c"), duplicates=0.2)
    return path, built


def test_pair_counts_match_brute_force():
    rng = np.random.default_rng(0)
    group, agency = rng.integers(0, 40, 300), rng.integers(0, 3, 300)
    got = pair_counts(group, agency, 3)
    want = np.zeros((3, 3), dtype=int)
    for i, j in combinations(range(300), 2):
        if group[i] == group[j]:
            a, b = sorted((agency[i], agency[j]))
            want[a, b] += 1
    assert np.array_equal(np.triu(got), want)
    assert np.array_equal(got, got.T)


def test_components_join_chains_and_leave_singletons():
    labels = components(7, np.array([0, 2, 5, 3]), np.array([1, 1, 6, 2]))
    assert labels.tolist() == [0, 0, 0, 0, 4, 5, 5]
    long_chain = np.arange(999)
    assert (components(1000, long_chain[::-1], long_chain[::-1] + 1) == 0).all()


@pytest.mark.parametrize("name", ["perfect.csv", "perfect.parquet"])
def test_perfect_clusters_score_one_everywhere(tmp_path, run, name):
    path, built = run
    links = built["links"]
    clusters = pd.DataFrame({"agency": links["agency"], "id": links["agency_person_id"],
                             "cluster": links["person_id"]})
    result = scored(tmp_path, path, clusters, name)
    assert result["shape"] == "clusters" and result["records"] == len(links)
    assert len(result["rows"]) == 6 + 2  # 3 agencies: 6 unordered pairs, then between agencies and overall
    for r in result["rows"]:
        assert r["true_pairs"] > 0
        assert r["precision"] == r["recall"] == r["f1"] == 1.0


def test_perfect_pairs_score_one_everywhere(tmp_path, run):
    path, built = run
    pairs = true_pairs(built["links"])
    # Both orientations and a self-pair: deduplicated and ignored.
    flipped = pairs.rename(columns={"agency_l": "agency_r", "id_l": "id_r", "agency_r": "agency_l", "id_r": "id_l"})
    self_pair = pairs.iloc[:1].assign(agency_r=pairs["agency_l"].iat[0], id_r=pairs["id_l"].iat[0])
    result = scored(tmp_path, path, pd.concat([pairs, flipped, self_pair]), "pairs.parquet")
    assert result["shape"] == "pairs"
    for r in result["rows"]:
        assert r["precision"] == r["recall"] == r["f1"] == 1.0
    assert row(result, "overall", "")["predicted_pairs"] == len(pairs)


def test_pairs_are_scored_as_given_unless_closure(tmp_path, run):
    path, built = run
    links = built["links"].sort_values(["person_id", "agency", "agency_person_id"])
    # A chain through each person's records: record k linked to record k + 1 only.
    nxt = links.groupby("person_id").shift(-1).dropna()
    chain = pd.DataFrame({"agency_l": links.loc[nxt.index, "agency"], "id_l": links.loc[nxt.index, "agency_person_id"],
                          "agency_r": nxt["agency"], "id_r": nxt["agency_person_id"].astype("int64")})
    as_given = scored(tmp_path, path, chain, "chain.csv")
    overall = row(as_given, "overall", "")
    assert overall["precision"] == 1.0 and overall["predicted_pairs"] == len(chain) < overall["true_pairs"]
    closed = scored(tmp_path, path, chain, "chain.csv", closure=True)
    assert closed["closure"] is True
    assert all(r["precision"] == r["recall"] == 1.0 for r in closed["rows"])


def test_random_clusters_score_near_chance(tmp_path, run):
    path, built = run
    links = built["links"]
    rng = np.random.default_rng(11)
    clusters = pd.DataFrame({"agency": links["agency"], "id": links["agency_person_id"],
                             "cluster": rng.permutation(links["person_id"].to_numpy())})
    result = scored(tmp_path, path, clusters, "random.parquet")
    sizes = links["agency"].value_counts()
    for r in result["rows"][:-2]:
        a, b = r["agency_l"], r["agency_r"]
        possible = sizes[a] * (sizes[a] - 1) / 2 if a == b else sizes[a] * sizes[b]
        expected_tp = r["predicted_pairs"] * r["true_pairs"] / possible  # hypergeometric mean
        assert r["true_positives"] <= expected_tp + 4 * np.sqrt(expected_tp) + 3
        assert r["precision"] < 0.1 and r["recall"] < 0.1


def test_hand_made_case_gives_exact_counts(tmp_path):
    path = write_links(tmp_path / "run", [
        ("A", 1, 100), ("A", 2, 100), ("A", 3, 200),           # A has a duplicate of person 100
        ("B", 10, 100), ("B", 11, 200), ("B", 12, 300), ("B", 13, 300),  # B has a duplicate of 300
        ("C", 20, 400),
    ])
    # True pairs: A-A (1,2); A-B (1,10) (2,10) (3,11); B-B (12,13); nothing with C.
    clusters = pd.DataFrame({"agency": ["A", "A", "B", "A", "B", "C"], "id": [1, 2, 10, 3, 12, 20],
                             "cluster": ["x", "x", "x", "y", "y", "z"]})  # B 11 and B 13 stay alone
    result = scored(tmp_path, path, clusters, "c.csv")
    assert result["agencies"] == ["A", "B", "C"]
    aa, ab, bb = row(result, "A", "A"), row(result, "A", "B"), row(result, "B", "B")
    assert (aa["true_pairs"], aa["predicted_pairs"], aa["true_positives"]) == (1, 1, 1)
    assert (ab["true_pairs"], ab["predicted_pairs"], ab["true_positives"]) == (3, 3, 2)
    assert ab["precision"] == pytest.approx(2 / 3) and ab["recall"] == pytest.approx(2 / 3)
    assert (bb["true_pairs"], bb["predicted_pairs"], bb["true_positives"]) == (1, 0, 0)
    assert bb["precision"] is None and bb["recall"] == 0.0 and bb["f1"] == 0.0
    cc = row(result, "C", "C")
    assert cc["true_pairs"] == cc["predicted_pairs"] == 0
    assert cc["precision"] is None and cc["recall"] is None and cc["f1"] is None
    overall = row(result, "overall", "")
    assert (overall["true_pairs"], overall["predicted_pairs"], overall["true_positives"]) == (5, 4, 3)
    assert (overall["false_positives"], overall["false_negatives"]) == (1, 2)
    assert overall["f1"] == pytest.approx(2 * 3 / (4 + 5))
    between = row(result, "between agencies", "")
    assert (between["true_pairs"], between["predicted_pairs"], between["true_positives"]) == (3, 3, 2)

    # The same linkage as pairs: taken as given, then closed.
    pairs = pd.DataFrame({"agency_l": ["A", "A", "A", "A", "B"], "id_l": [1, 2, 3, 1, 10],
                          "agency_r": ["A", "B", "B", "A", "A"], "id_r": [2, 10, 12, 1, 2]})
    given = scored(tmp_path, path, pairs, "p.csv")
    ab = row(given, "A", "B")
    assert (ab["predicted_pairs"], ab["true_positives"]) == (2, 1)
    closed = scored(tmp_path, path, pairs, "p.csv", closure=True)
    ab = row(closed, "A", "B")
    assert (ab["predicted_pairs"], ab["true_positives"]) == (3, 2)

    # Only the agencies asked for.
    only_a = scored(tmp_path, path, clusters, "c.csv", agencies=["A"])
    assert [(r["agency_l"], r["agency_r"]) for r in only_a["rows"]] == [("A", "A"), ("between agencies", ""),
                                                                        ("overall", "")]
    assert only_a["records"] == 3
