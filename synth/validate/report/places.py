"""The LA rates table of the report: achieved against published care-proceedings rates (no map)."""

from __future__ import annotations

from synth.validate.core import CheckResult
from synth.validate.report.text import esc


def la_rate_section(results: list[CheckResult]) -> str:
    """A table of the ``la_rates`` result's LAs: published rate, achieved rate, difference; or ''."""
    r = next((x for x in results if x.name == "la_rates" and x.series and x.series.get("labels")), None)
    if r is None or r.series is None:
        return ""
    rows = "".join(
        f"<tr><td>{esc(str(lab))}</td><td>{t:g}</td><td>{a:g}</td><td>{a - t:+.1f}</td></tr>"
        for lab, t, a in zip(r.series["labels"], r.series["target"], r.series["achieved"], strict=True))
    return ('<h2 id="la-rates">Local authorities: care-proceedings rates per 10,000 children</h2>'
            f'<p class="muted">{esc(r.detail or "")}</p>'
            "<table><thead><tr><th>Local authority and year</th><th>Published</th><th>Achieved</th>"
            f"<th>Difference</th></tr></thead><tbody>{rows}</tbody></table>")
