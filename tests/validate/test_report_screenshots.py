"""The HTML report in headless Chromium at 400 and 1280 px: summary first, nothing wider than the screen.

Marked ``chromium``: skipped where /usr/bin/chromium is absent (Debian's ``chromium`` package).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from synth.validate.core import CheckResult
from synth.validate.report import render_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.chromium,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium (apt-get install chromium)")]

#: Chromium's window is at least 500 px wide, so narrower screens are an iframe of that width; this
#: page (beside the report; same origin with --allow-file-access-from-files) records what the report
#: measures inside it: its scroll width, its viewport width and the id of the element after the title.
FRAME = ("<!DOCTYPE html><html><body style='margin:0'><iframe id='f' src='page.html' width='{w}' height='1800' "
         "style='border:0' onload=\"var d=this.contentDocument;document.body.setAttribute('data-probe', "
         "d.documentElement.scrollWidth+' '+this.contentWindow.innerWidth+' '+"
         "d.querySelector('main').firstElementChild.nextElementSibling.id)\"></iframe></body></html>")


def results() -> list[CheckResult]:
    long_labels = ["Dispute Resolution Appointment", "Fact Finding Hearing", "Further Case Management Hearing",
                   "First Hearing Dispute Resolution Appointment", "Directions Hearing"]
    return [
        CheckResult("integrity", "foreign_key_resolves", False, "cafcass_cymru/CAFW_HEARING_OUTCOME_20240630",
                    "CAP_HEARINGID_E", violations=3, examples=["A" * 80],
                    detail="3 outcomes point at a missing hearing."),
        CheckResult("realism", "figure:children_per_public_case", True, "truth", "public",
                    statistic={"name": "abs_error", "value": 0.09, "tolerance": 0.2, "n": 500},
                    detail="published 1.61", series={"labels": ["x"], "target": [1.61], "achieved": [1.52]}),
        CheckResult("realism", "distribution:hearing_type", True, "truth", "private",
                    statistic={"name": "tvd", "value": 0.02, "tolerance": 0.05},
                    series={"labels": long_labels, "target": [0.3, 0.2, 0.2, 0.2, 0.1],
                            "achieved": [0.31, 0.19, 0.2, 0.2, 0.1]}),
        CheckResult("realism", "distribution:care_order_exit", True, "truth", None,
                    statistic={"name": "max_z_km", "value": 1.1, "tolerance": 3},
                    series={"labels": ["0.5 years", "1 years", "2 years", "3 years", "5 years"],
                            "target": [0.95, 0.9, 0.8, 0.7, 0.6], "achieved": [0.96, 0.88, 0.81, 0.69, 0.62]}),
    ]


@pytest.mark.parametrize("width", [400, 1280])
def test_report_fits_the_screen_and_leads_with_the_summary(tmp_path, width):
    page = render_html(results(), {"profile": "england_wales", "families": 2000, "seed": 1, "run": "output/x"})
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    frame = tmp_path / "frame.html"
    frame.write_text(FRAME.format(w=width), encoding="utf-8")
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--allow-file-access-from-files", "--virtual-time-budget=3000", f"--window-size={max(width, 500)},1800"]
    dom = subprocess.run([*args, "--dump-dom", frame.as_uri()], capture_output=True, text=True, timeout=60).stdout
    scroll, inner, first = re.search(r'data-probe="(\d+) (\d+) (\w+)"', dom).groups()
    assert int(inner) == width
    assert int(scroll) <= width  # nothing makes the page scroll sideways
    assert first == "summary"  # straight after the title
    assert page.index('id="figures"') < page.index('id="failures"') < page.index("Integrity checks")
    shot = tmp_path / f"report-{width}.png"
    subprocess.run([*args, f"--screenshot={shot}", frame.as_uri()], capture_output=True, timeout=60)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a drawn page, not a blank one
