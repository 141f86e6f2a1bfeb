"""``synth learn`` end to end: a generated run plays the real extract.

Exact statistics are computed here straight from the agency tables (plain pandas, not the learn
code) and every learned cell must be within what base-5 rounding and merging allow.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from synth.learn import learn
from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.world.sampling import age_band

THRESHOLD = 10


def tables(folder):
    names = ("case", "application", "child_subject", "adult_party")
    return {k: pd.read_parquet(folder / k if (folder / k).is_dir() else folder / f"{k}.parquet") for k in names}


def index_case_ids(t) -> pd.Index:
    """Cases whose mother has no earlier case (the definition the realism validator's index uses)."""
    issue = t["application"].groupby("case_id")["issue_date"].min()
    ap = t["adult_party"]
    mother = ap[ap["relationship_to_child"] == "mother"].sort_values(["case_id", "person_id"])
    mother = mother.drop_duplicates("case_id").set_index("case_id")["person_id"]
    c = pd.DataFrame({"issue": pd.to_datetime(issue), "mother": mother.reindex(issue.index)})
    c = c.reset_index().sort_values(["mother", "issue", "case_id"])
    return pd.Index(c.drop_duplicates("mother")["case_id"])


def leaf_of(result, name, case=()):
    (lf,) = [lf for lf in result.leaves if lf.name == name and lf.case == tuple(case)]
    return lf


def check_cells(lf, values: pd.Series, units: pd.Series):
    """Each published group's share is the exact share within rounding, and rests on >= 10 units."""
    vals = values.astype(str).reset_index(drop=True)
    units = units.reset_index(drop=True)
    n, k = len(vals), len(lf.groups)
    bound = 2.5 * (1 + k) / (n - 2.5 * k) + 1e-6
    probs = lf.body["probabilities"]
    assert {str(v) for v in vals.unique()} <= {lab for g in lf.groups for lab in g}, "a value was dropped"
    for g in lf.groups:
        inside = vals.isin(g)
        assert abs(sum(probs.get(lab, 0.0) for lab in g) - inside.mean()) <= bound, (lf.name, lf.case, g)
        assert units[inside].nunique() >= THRESHOLD, (lf.name, lf.case, g)


def test_learned_categoricals_match_the_source_within_rounding(learned_england, source_run):
    t = tables(source_run.path / "cafcass_england")
    law = t["case"].set_index("case_id")["law_type"]
    app = t["application"].assign(law=t["application"]["case_id"].map(law))
    for lt in ("public", "private"):
        a = app[app["law"] == lt]
        check_cells(leaf_of(learned_england, "application_type", [lt]), a["application_type"], a["case_id"])
    cs = t["child_subject"].dropna(subset=["final_outcome"])
    cs = cs.assign(law=cs["case_id"].map(law).to_numpy(), band=age_band(cs["age_at_start_days"].to_numpy()))
    checked = 0
    for lf in [lf for lf in learned_england.leaves if lf.name == "outcome"]:
        lt, band = lf.case
        sel = (cs["law"] == lt) & ((cs["band"] == band) | ("all ages" in lf.note))
        check_cells(lf, cs.loc[sel, "final_outcome"], cs.loc[sel, "case_id"])
        checked += "all ages" not in lf.note
    assert checked >= 8, "most outcome cases are learned band by band at this size"
    index = index_case_ids(t)
    n_children = t["child_subject"].groupby("case_id").size().reindex(index)
    for lt in ("public", "private"):
        sel = n_children[law.reindex(index).to_numpy() == lt]
        check_cells(leaf_of(learned_england, "children_per_case", [lt]), sel, pd.Series(sel.index))
    month = pd.to_datetime(t["application"].groupby("case_id")["issue_date"].min().reindex(index)).dt.month
    check_cells(leaf_of(learned_england, "month_of_issue"), month, pd.Series(index))


def test_learned_shares_histograms_and_means_match_the_source(learned_england, source_run):
    t = tables(source_run.path / "cafcass_england")
    kids = t["child_subject"].dropna(subset=["sex"]).drop_duplicates("child_id")
    p = (kids["sex"] == "male").mean()
    assert abs(leaf_of(learned_england, "child_sex_male").body["p"] - p) <= 7.5 / (len(kids) - 5) + 1e-4
    index = index_case_ids(t)
    law = t["case"].set_index("case_id")["law_type"]
    youngest = t["child_subject"].groupby("case_id")["age_at_start_days"].min().reindex(index)
    lf = leaf_of(learned_england, "youngest_child_age_at_issue", ["public"])
    ages = youngest[law.reindex(index).to_numpy() == "public"].to_numpy()
    edges = np.asarray(lf.body["bins"], dtype=float)
    share = np.bincount(np.clip(np.searchsorted(edges, ages, side="right") - 1, 0, len(edges) - 2),
                        minlength=len(edges) - 1) / len(ages)
    k = len(edges) - 1
    assert np.abs(np.asarray(lf.body["probabilities"]) - share).max() <= 2.5 * (1 + k) / (len(ages) - 2.5 * k)
    app = t["application"]
    lag = (pd.to_datetime(app["receipt_date"]) - pd.to_datetime(app["issue_date"])).dt.days.clip(lower=0)
    assert leaf_of(learned_england, "issue_to_receipt_days").body["mean"] == pytest.approx(lag.mean(), abs=1e-3)


def test_duration_fit_recovers_the_generating_means_despite_open_cases(learned_england):
    prof = load_profile("england_wales").profile.world.distributions["duration"]
    for lt in ("public", "private"):
        got = leaf_of(learned_england, "duration", [lt]).body
        want = prof.cases[lt]
        assert got["cv"] == pytest.approx(want.cv, rel=0.12)
        for fy in ("2015", "2019", "2023"):  # 2023: most cases still open at the end
            assert got["mean"][int(fy)] == pytest.approx(want.mean[fy], rel=0.2), (lt, fy)


def test_learned_profile_loads_generates_and_reproduces_the_source(learned_england, source_run, tmp_path):
    loaded = load_profile(learned_england.profile)
    assert loaded.chain[-1].name == "england_wales.yaml"
    for lf in learned_england.leaves:
        d = loaded.profile.world.distributions[lf.name]
        for c in lf.case:
            d = d.cases[c]
        assert d.source.startswith("learned from cafcass_england by synth learn ")
        assert d.source.endswith("people; disclosure-controlled (threshold 10, base-5 rounding)")
        assert d.assumption is None
    out = tmp_path / "regen"
    generate(loaded, out, families=3000, seed=11, duckdb=False)
    src, new = source_run.truth("proceeding"), pd.read_parquet(out / "truth" / "proceeding")
    for lt in ("public", "private"):
        a = src[(src["sequence"] == 1) & (src["country"] == "England") & (src["law_type"] == lt)]["n_children"]
        b = new[(new["sequence"] == 1) & (new["country"] == "England") & (new["law_type"] == lt)]["n_children"]
        tol = 4 * math.sqrt(a.var() / len(a) + b.var() / len(b)) + 0.03
        assert abs(a.mean() - b.mean()) <= tol, (lt, a.mean(), b.mean(), tol)
    pcs = source_run.truth("proceeding_child"), pd.read_parquet(out / "truth" / "proceeding_child")
    shares = []
    for procs, pc in zip((src, new), pcs):
        ids = procs[(procs["law_type"] == "public") & (procs["country"] == "England")]["proceeding_id"]
        c = pc[pc["proceeding_id"].isin(ids) & pc["has_outcome"]]
        shares.append(((c["outcome"] == "care_order").mean(), len(c)))
    (p1, n1), (p2, n2) = shares
    assert abs(p1 - p2) <= 4 * math.sqrt(1.6 * p1 * (1 - p1) * (1 / n1 + 1 / n2)) + 0.02


def _learned_dists(path):
    """The learned distributions with provenance (which names the source folder) blanked."""
    def blank(d):
        if isinstance(d, dict):
            return {k: "SOURCE" if k == "source" and str(v).startswith("learned from") else blank(v)
                    for k, v in d.items()}
        return d

    return blank(yaml.safe_load(path.read_text())["world"]["distributions"])


def test_parquet_csv_and_duckdb_give_the_same_profile(source_run, learned_england, tmp_path):
    csv_dir = tmp_path / "cafcass_england"
    csv_dir.mkdir()
    for p in (source_run.path / "csv" / "cafcass_england").glob("*/SYNTHETIC_*_part-00000.csv"):
        shutil.copy(p, csv_dir / f"{p.parent.name}.csv")  # one part per table at this size
    a = learn(csv_dir, "cafcass_england", tmp_path / "from_csv.yaml")
    b = learn(source_run.path / "synth.duckdb", "cafcass_england", tmp_path / "from_duckdb.yaml")
    c = learn(source_run.path, "cafcass_england", tmp_path / "from_run_folder.yaml")  # finds synth.duckdb
    ref = _learned_dists(learned_england.profile)
    for r in (a, b, c):
        assert _learned_dists(r.profile) == ref
    vol = pd.read_csv(learned_england.volumes)
    assert pd.read_csv(b.volumes)["cases"].tolist() == vol["cases"].tolist()


def test_cymru_in_sail_shape_without_the_identifiable_file(source_run, tmp_path):
    """In a secure environment there is no File 1: it is neither needed nor read when present."""
    folder = tmp_path / "CAFW"
    shutil.copytree(source_run.path / "cafcass_cymru", folder,
                    ignore=lambda d, names: [n for n in names if n.startswith("file1")])
    r = learn(folder, "cafcass_cymru", tmp_path / "cymru.yaml")
    names = {lf.name for lf in r.leaves}
    assert {"hearings", "month_of_issue", "children_per_case", "duration", "child_sex_male"} <= names
    assert r.kept["ethnicity"] == "the agency records no ethnicity"
    assert any(e.action == "skip" and e.case == "file1" for e in r.events)
    ethnicity = load_profile(r.profile).profile.world.distributions["ethnicity"]
    assert ethnicity.cases["Wales"].source.startswith("CLA Wales")


def test_a_base_given_as_a_path_is_extended_by_a_relative_path(england_parquet, tmp_path):
    base = tmp_path / "bases" / "mine.yaml"
    base.parent.mkdir()
    base.write_text(f"extends: {load_profile('england_wales').path}\nname: mine\n")
    r = learn(england_parquet, "cafcass_england", tmp_path / "out" / "p.yaml", base=str(base))
    assert yaml.safe_load(r.profile.read_text())["extends"] == "../bases/mine.yaml"
    assert [p.name for p in load_profile(r.profile).chain] == ["p.yaml", "mine.yaml", "england_wales.yaml"]


def test_output_is_deterministic(england_parquet, tmp_path):
    a = learn(england_parquet, "cafcass_england", tmp_path / "a" / "p.yaml")
    b = learn(england_parquet, "cafcass_england", tmp_path / "b" / "p.yaml")
    for x, y in ((a.profile, b.profile), (a.log_json, b.log_json), (a.log_md, b.log_md), (a.volumes, b.volumes)):
        assert x.read_bytes() == y.read_bytes()
