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


def not_calibrated_section(results: list[CheckResult], prefix: str = "not_calibrated:") -> str:
    """A table of the figures nobody calibrated (synth/validate/emergent.py): achieved, published; or ''."""
    from synth.validate.emergent import number

    rs = [r for r in results if r.name.startswith(prefix) and r.statistic]
    if not rs:
        return ""
    rows = []
    for r in rs:
        st = r.statistic or {}
        pub = st.get("published")
        what = (r.detail or "").removeprefix("not calibrated: ").split(":")[0]
        rows.append(f"<tr><td>{esc(what)}</td><td>{number(st.get('value', 0))}</td>"
                    f"<td>{'' if pub is None else number(pub)}</td><td>{esc(str(st.get('unit', '')))}</td></tr>")
    return ('<h2 id="not-calibrated">Not calibrated: what the mechanisms produced unasked</h2>'
            '<p class="muted">No parameter was tuned to these figures; they are reported, not judged, with the '
            "published value where one exists.</p>"
            "<table><thead><tr><th>Figure</th><th>Achieved</th><th>Published</th><th>Unit</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
