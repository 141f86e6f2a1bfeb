"""Planted rare people never show in a learned profile; bad inputs fail with one clear line."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from synth.cli.main import cli
from synth.learn import Rules, learn


@pytest.fixture(scope="module")
def planted(england_parquet, tmp_path_factory):
    """The England tables with a few rare people added: unique combinations and codes."""
    folder = tmp_path_factory.mktemp("planted") / "cafcass_england"
    shutil.copytree(england_parquet, folder)
    case = pd.read_parquet(folder / "case.parquet")
    cs = pd.read_parquet(folder / "child_subject.parquet")
    public = case.loc[case["law_type"] == "public", "case_id"]
    one_child = cs.groupby("case_id").size()
    # Index cases (learn's children_per_case reads those): the mother's only case in the extract.
    adults = pd.read_parquet(folder / "adult_party.parquet")
    mums = adults[adults["relationship_to_child"] == "mother"]
    cases_of = mums.groupby("person_id")["case_id"].transform("nunique")
    only = set(mums.loc[cases_of == 1, "case_id"])
    target = [c for c in public if one_child.get(c, 0) == 1 and c in only][:3]
    row = cs[cs["case_id"] == target[0]].iloc[0]
    # Two 16-year-olds in public law with "refused" (never in the base's public orders), one each on
    # two cases; and eight more children on a third case (9 children: beyond the base's 1-6).
    new = [row.to_dict() | {"case_id": c, "child_id": 10**6 + i, "age_at_start_days": 6000, "final_outcome": "refused"}
           for i, c in enumerate(target[:2])]
    new += [row.to_dict() | {"case_id": target[2], "child_id": 2 * 10**6 + i, "age_at_start_days": 800 + 400 * i,
                             "final_outcome": "care_order"} for i in range(8)]
    pd.concat([cs, pd.DataFrame(new)], ignore_index=True).to_parquet(folder / "child_subject.parquet")
    ap = pd.read_parquet(folder / "adult_party.parquet")
    mums = ap.index[ap["relationship_to_child"] == "mother"][:2]
    ap.loc[mums, "ethnicity"] = "rare_group_x"
    ap.to_parquet(folder / "adult_party.parquet")
    return folder


def test_planted_rare_people_leave_no_trace(planted, tmp_path):
    r = learn(planted, "cafcass_england", tmp_path / "p.yaml")
    text = r.profile.read_text() + r.log_md.read_text() + r.log_json.read_text()
    assert "rare_group_x" not in text
    for lf in r.leaves:
        if lf.name == "outcome" and lf.case[0] == "public":
            assert lf.body["probabilities"].get("refused", 0.0) == 0.0
        if lf.name == "children_per_case":
            assert max(int(k) for k, v in lf.body["probabilities"].items() if v > 0) <= 6
    events = r.events
    kids = [e.detail for e in events if e.distribution == "children_per_case" and e.case == "public"
            and e.action == "merge"]
    # The planted 9-child case is merged away (with any other size the base profile does not know).
    assert any("value(s) not in the base profile" in d for d in kids)
    old = [e.detail for e in events if e.distribution == "outcome" and e.case == "public/16-17" and e.action == "merge"]
    assert any("not in the base profile" in d for d in old) and not any("refused" in d for d in old)
    eth = [e.detail for e in events if e.distribution == "adult_party.ethnicity" and e.action == "ignore"]
    assert eth == ["fewer than 10 values outside the profile's code map ignored"]


def test_every_count_in_the_log_is_rounded_and_at_least_the_threshold(planted, tmp_path):
    r = learn(planted, "cafcass_england", tmp_path / "p.yaml")
    log = json.loads(r.log_json.read_text())
    assert log["rules"] == {"threshold": 10, "rounding": 5, "dominance": [[1, 0.5], [2, 0.85]], "p_percent": 0.1}
    for item in log["learned"]:
        assert item["n_rounded"] >= 10 and item["n_rounded"] % 5 == 0
    for e in log["events"]:
        if "rounded total" in e["detail"]:
            total = int(e["detail"].rsplit(" ", 1)[1].replace(",", ""))
            assert total >= 10 and total % 5 == 0


def test_a_thin_case_falls_back_and_says_so(england_parquet, tmp_path):
    r = learn(england_parquet, "cafcass_england", tmp_path / "p.yaml", rules=Rules(threshold=60))
    fallbacks = [e for e in r.events if e.action == "fallback"]
    assert fallbacks
    for e in fallbacks:
        assert "base profile" in e.detail or "all ages" in e.detail


# --------------------------------------------------------------------------------------------
# Bad inputs: exit 2, one line on stderr, nothing written.


def run(args):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, ["learn", *map(str, args)])


def one_line(result, *needles):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for n in needles:
        assert n in lines[0], (n, lines[0])


def test_missing_folder(tmp_path):
    one_line(run([tmp_path / "nope", "--agency", "cafcass_england", "--out", tmp_path / "p.yaml"]), "nope",
             "no such file or folder")
    assert not list(tmp_path.iterdir())


def test_unknown_agency(england_parquet, tmp_path):
    one_line(run([england_parquet, "--agency", "cafcass_mars", "--out", tmp_path / "p.yaml"]), "cafcass_mars",
             "cafcass_england")


def test_missing_table_and_missing_column(england_parquet, tmp_path):
    folder = tmp_path / "t"
    shutil.copytree(england_parquet, folder)
    (folder / "adult_party.parquet").unlink()
    one_line(run([folder, "--agency", "cafcass_england", "--out", tmp_path / "p.yaml"]), "adult_party",
             "not found")
    shutil.copy(england_parquet / "adult_party.parquet", folder / "adult_party.parquet")
    pd.read_parquet(folder / "child_subject.parquet").drop(columns="final_outcome") \
        .to_parquet(folder / "child_subject.parquet")
    one_line(run([folder, "--agency", "cafcass_england", "--out", tmp_path / "p.yaml"]), "child_subject",
             "final_outcome")
    assert not (tmp_path / "p.yaml").exists() and not list(tmp_path.glob("p.*"))
    assert not list(tmp_path.glob(".p.*"))  # no staging folder either


def test_existing_output_needs_force(england_parquet, tmp_path):
    out = tmp_path / "p.yaml"
    ok = run([england_parquet, "--agency", "cafcass_england", "--out", out])
    assert ok.exit_code == 0, ok.output
    before = out.read_bytes()
    one_line(run([england_parquet, "--agency", "cafcass_england", "--out", out]), str(out), "--force")
    assert out.read_bytes() == before
    again = run([england_parquet, "--agency", "cafcass_england", "--out", out, "--force"])
    assert again.exit_code == 0 and out.read_bytes() == before


def test_not_a_profile_name_and_bad_settings(england_parquet, tmp_path):
    one_line(run([england_parquet, "--agency", "cafcass_england", "--out", tmp_path / "p.txt"]), ".yaml")
    one_line(run([england_parquet, "--agency", "cafcass_england", "--out", tmp_path / "p.yaml", "--threshold", "0"]),
             "--threshold")
    one_line(run([england_parquet, "--agency", "cafcass_england", "--out", tmp_path / "p.yaml",
                  "--profile", "no_such_profile"]), "no_such_profile")
