"""Figures nobody calibrated are reported beside published values, never judged (issue 11 point 7)."""

from __future__ import annotations

import math

import pytest

from synth.validate.emergent import PREFIX
from synth.validate.registry import REGISTRY
from synth.validate.report.page import render_html
from synth.validate.runner import validate

NAMES = ("men_with_children_by_several_mothers", "fathers_party_in_several_families", "mothers_with_half_siblings",
         "median_birth_interval", "multiple_maternities", "children_in_several_proceedings",
         "looked_after_31_march_2015", "looked_after_31_march_2020", "looked_after_31_march_2024")


@pytest.fixture(scope="module")
def checked(quality_run):
    return validate(quality_run.path, checks=[REGISTRY["realism.emergent_figures"]])


def test_each_uncalibrated_figure_is_reported_not_judged(checked):
    results, meta = checked
    assert meta["verdict"]["passed"]
    got = {r["name"][len(PREFIX):]: r for r in (x.to_dict() for x in results) if r["name"].startswith(PREFIX)}
    assert set(NAMES) <= set(got)
    for name in NAMES:
        r = got[name]
        assert r["status"] == "passed" and r["statistic"]["name"] == "not_judged"
        assert math.isfinite(r["statistic"]["value"]) and r["statistic"]["value"] >= 0
    # Men are people: some fathers have children by several mothers, and mothers half-siblings.
    assert 0 < got["men_with_children_by_several_mothers"]["statistic"]["value"] < 50
    assert 5 < got["mothers_with_half_siblings"]["statistic"]["value"] < 80
    assert 9 < got["median_birth_interval"]["statistic"]["value"] < 60  # months: spacing at least 10
    # The care population is there, on the published scale, and the published figure is quoted.
    cla = got["looked_after_31_march_2020"]["statistic"]
    assert cla["published"] == 80_080 and 0.2 * 80_080 < cla["value"] < 2 * 80_080


def test_the_report_lists_them_in_their_own_section(checked):
    html = render_html(*checked)
    section = html.split('id="not-calibrated"', 1)[1].split("</table>", 1)[0]
    assert "fathers with children by two or more mothers" in section
    assert "80,080" in section  # the published number of children looked after at 31 March 2020
    # ... and not among the judged realism checks.
    judged = html.split('id="group-realism"', 1)[1].split('id="not-calibrated"', 1)[0]
    assert "not_calibrated:" not in judged
