"""The JSON and HTML validation reports, from hand-made check results."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from synth.cli.report_files import write_reports
from synth.errors import OutputError
from synth.validate.core import CheckResult
from synth.validate.report import MAX_BARS, render_chart, render_html, render_json

META = {"run": "output/england_wales-s1-f100", "profile": "england_wales", "profile_sha_matches": True,
        "seed": 1, "families": 100, "validation_seconds": 2.5}

AGE_SERIES = {"labels": ["unborn", "<1", "1-4", "5-9", "10-15", "16+"],
              "target": [0.62, 0.55, 0.41, 0.30, 0.22, 0.12],
              "achieved": [0.60, 0.47, 0.40, 0.31, 0.21, 0.13]}


def passing() -> list[CheckResult]:
    return [
        CheckResult("integrity", "primary_key_unique", True, "cafcass_england/case", "case_id",
                    detail="case_id is unique."),
        CheckResult("realism", "outcome_by_age_band", True, "truth/proceeding_child", "age_band",
                    statistic={"name": "tvd", "value": 0.01, "tolerance": 0.03, "n": 5000},
                    detail="Outcomes by age band match.", series=AGE_SERIES),
        CheckResult("privacy", "no_truth_ids", True, "cafcass_cymru/CAFW_CASE_20240630", "INCIDENTID_E",
                    detail="No truth id appears."),
    ]


def mixed() -> list[CheckResult]:
    return passing() + [
        CheckResult("integrity", "foreign_key_resolves", False, "cafcass_cymru/CAFW_HEARING_OUTCOME_20240630",
                    "CAP_HEARINGID_E", violations=3, examples=["<script>alert(1)</script>", ("a&b", 2), 7],
                    detail='3 outcomes point at a missing hearing <script>alert("x")</script>.'),
        CheckResult("realism", "law_type_by_year", False, "truth/proceeding", "fy",
                    statistic={"name": "max_z", "value": 5.2, "tolerance": 4.0},
                    series={"labels": ["2019/20", "2020/21"], "target": [0.3, 0.31], "achieved": [0.2, 0.33]}),
    ]


# --- JSON ---------------------------------------------------------------------------------------

def test_json_parses_with_verdict_meta_and_results():
    doc = json.loads(render_json(mixed(), META))
    assert list(doc) == ["verdict", "meta", "results"]
    assert doc["meta"] == META
    assert len(doc["results"]) == 5
    assert doc["results"][0]["name"] == "primary_key_unique"
    assert set(doc["verdict"]["groups"]) == {"integrity", "realism", "privacy"}


def test_json_verdict_follows_the_checks():
    assert json.loads(render_json(passing(), META))["verdict"]["passed"] is True
    doc = json.loads(render_json(mixed(), META))
    assert doc["verdict"]["passed"] is False
    assert doc["verdict"]["groups"]["integrity"] == {"passed": False, "checks": 2, "failed": 1, "could_not_run": 0,
                                                     "skipped": 0}
    assert doc["verdict"]["groups"]["privacy"]["passed"] is True


def test_json_is_stable_and_strict():
    results = mixed() + [CheckResult("realism", "nan_stat", False, statistic={"name": "z", "value": float("nan")},
                                     examples=[np.int64(4)], violations=np.int64(2))]
    meta = {**META, "elapsed": float("nan"), "seed": np.int64(7)}
    text = render_json(results, meta)
    assert text == render_json(results, meta)
    assert "NaN" not in text
    doc = json.loads(text)
    assert doc["meta"]["elapsed"] is None and doc["meta"]["seed"] == 7
    assert doc["results"][-1]["statistic"]["value"] is None
    assert doc["results"][-1]["examples"] == [4]


# --- HTML ---------------------------------------------------------------------------------------

def test_html_is_self_contained():
    page = render_html(mixed(), META)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    for pattern in (r"<script", r"<link\b", r"<img\b", r"@import", r"url\(", r"\bsrc="):
        assert not re.search(pattern, page, re.IGNORECASE), pattern


def test_html_escapes_result_text():
    page = render_html(mixed(), META)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "(a&amp;b, 2)" in page


def test_html_escapes_names_tables_and_series_labels():
    bad = CheckResult("realism", "x<y>", False, "t/<b>", "c&d",
                      series={"labels": ["<i>", "a&b"], "target": [1, 2], "achieved": [1, 2]})
    page = render_html([bad], {"run": "<run>"})
    assert "<b>" not in page and "<i>" not in page and "<run>" not in page
    assert "x&lt;y&gt;" in page and "&lt;i&gt;" in page


def test_one_svg_per_result_with_series():
    results = mixed() + [CheckResult("realism", "no_series", True, "truth/person", None),
                         CheckResult("integrity", "not_realism", True, series=AGE_SERIES)]
    page = render_html(results, META)
    assert page.count("<svg") == 2
    for name in ("outcome_by_age_band", "law_type_by_year"):
        assert re.search(rf'<svg[^>]*aria-label="{name}', page)


def test_chart_has_title_axes_and_legend():
    svg = render_chart(passing()[1], "chart-1")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'id="chart-1"' in svg
    assert "outcome_by_age_band" in svg and "truth/proceeding_child" in svg
    assert ">target<" in svg and ">achieved<" in svg
    assert ">age_band<" in svg and ">share<" in svg
    assert svg.count("<rect") == 2 + 2 * len(AGE_SERIES["labels"])
    assert "<polyline" not in svg


def test_many_labels_draw_lines():
    n = MAX_BARS + 10
    r = CheckResult("realism", "age_at_first_birth", True, "truth/person", "age",
                    series={"labels": list(range(n)), "target": [i / n for i in range(n)],
                            "achieved": [None if i == 5 else i / n for i in range(n)]})
    svg = render_chart(r)
    assert svg.count("<polyline") == 3  # target, and achieved broken by the missing value
    assert svg.count("<rect") == 2  # the legend only


def test_failed_checks_come_first():
    page = render_html(mixed(), META)
    assert page.index("foreign_key_resolves") < page.index("primary_key_unique")
    assert page.index("law_type_by_year") < page.index("outcome_by_age_band")


def test_verdict_banner_and_group_boxes():
    bad = render_html(mixed(), META)
    good = render_html(passing(), META)
    assert 'id="verdict" class="verdict fail" data-verdict="FAIL"' in bad
    assert 'id="verdict" class="verdict pass" data-verdict="PASS"' in good
    assert "data-verdict=\"PASS\"" not in bad and "data-verdict=\"FAIL\"" not in good
    assert bad.index('id="verdict"') < bad.index('class="group')
    assert '<a class="group fail" href="#group-integrity" data-group="integrity">' in bad
    assert '<a class="group pass" href="#group-privacy" data-group="privacy">' in bad
    assert "1 of 2 checks failed" in bad


def test_group_without_checks_says_so():
    page = render_html([CheckResult("integrity", "one", True)], {})
    assert '<a class="group none" href="#group-realism"' in page
    assert "No checks in this group." in page


def test_meta_is_shown():
    page = render_html(passing(), META)
    assert "england_wales" in page and "2.5 s" in page and ">1<" in page


def test_report_of_300_checks_stays_small():
    results = []
    for i in range(300):
        series = None
        if i % 3 == 1:
            n = 60 if i % 2 else 12
            series = {"labels": [f"label {j}" for j in range(n)], "target": [j / n for j in range(n)],
                      "achieved": [(j + 0.5) / n for j in range(n)]}
        results.append(CheckResult(("integrity", "realism", "privacy")[i % 3], f"check_{i}", i % 7 != 0,
                                   f"agency/table_{i}", f"column_{i}", violations=i, examples=list(range(5)),
                                   statistic={"name": "z", "value": i / 10, "tolerance": 4}, detail="x" * 120,
                                   series=series))
    page = render_html(results, META)
    assert len(page.encode("utf-8")) < 2_000_000
    assert page.count("<svg") == 100


def test_write_reports(tmp_path):
    json_path, html_path = tmp_path / "report.json", tmp_path / "b.html"
    write_reports(mixed(), META, json_path, html_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["verdict"]["passed"] is False
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.html", "report.json"]  # no temporary left


@pytest.mark.parametrize("where", ["missing/report.json", "afile/report.json", "."])
def test_write_reports_refuses_a_destination_it_cannot_use(tmp_path, where):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError, match="--json") as e:
        write_reports(passing(), META, tmp_path / where, None)
    assert len(str(e.value).splitlines()) == 1
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("which", ["json", "html"])
def test_write_reports_skips_none(tmp_path, which):
    path = tmp_path / f"report.{which}"
    write_reports(passing(), META, path if which == "json" else None, path if which == "html" else None)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# --- statuses ----------------------------------------------------------------------------------------

def with_statuses() -> list[CheckResult]:
    return passing() + [
        CheckResult.could_not_run("integrity", "primary_key_unique", "cafcass_england/case is missing",
                                  "cafcass_england/case"),
        CheckResult.skipped("realism", "figure:alf_match_rate", "needs agency cafcass_cymru"),
    ]


def test_json_carries_each_status_and_counts_them_per_group():
    doc = json.loads(render_json(with_statuses(), META))
    assert [r["status"] for r in doc["results"]] == ["passed", "passed", "passed", "could_not_run", "skipped"]
    assert [r["passed"] for r in doc["results"][3:]] == [False, True]
    groups = doc["verdict"]["groups"]
    assert groups["integrity"] == {"passed": False, "checks": 2, "failed": 0, "could_not_run": 1, "skipped": 0}
    assert groups["realism"]["passed"] is True and groups["realism"]["skipped"] == 1
    assert doc["verdict"]["passed"] is False


def test_html_shows_could_not_run_first_and_skipped_with_its_reason():
    page = render_html(with_statuses(), META)
    assert 'data-verdict="FAIL"' in page
    assert "1 of 5 checks could not run, 1 skipped" in page
    assert '<span class="pill cnr">COULD NOT RUN</span>' in page
    assert '<span class="pill skip">SKIPPED</span>' in page
    assert "could not run: cafcass_england/case is missing" in page
    assert "skipped: needs agency cafcass_cymru" in page


def test_a_skipped_check_alone_does_not_fail_the_verdict():
    results = passing() + [CheckResult.skipped("realism", "figure:x", "needs agency a")]
    assert 'data-verdict="PASS"' in render_html(results, META)
    assert json.loads(render_json(results, META))["verdict"]["passed"] is True
