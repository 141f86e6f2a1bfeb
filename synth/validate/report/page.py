"""The HTML report: one self-contained page for people (inline CSS and SVG; no scripts, no links out).

It leads with a one-screen summary (:mod:`synth.validate.report.summary`): the verdict, the groups,
published against achieved figures and the failures. Then the run's facts, one table of checks per
group (each in its own horizontally scrolling box; could-not-run and failed checks first, skipped
ones with the reason next, passed ones folded away), then a chart of target against achieved values
for every realism check that carries a ``series``. Every piece of text taken from a result is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from synth.validate.core import COULD_NOT_RUN, FAILED, GROUPS, MAX_EXAMPLES, PASSED, SKIPPED, CheckResult, summarise
from synth.validate.report.places import la_rate_section, not_calibrated_section
from synth.validate.report.style import CSS, CSS_DETAILS
from synth.validate.report.summary import is_figure, published_figures, top_failures
from synth.validate.report.svg import render_chart
from synth.validate.report.text import breakable, esc, example, fmt, label, meta_value, statistic_html

GROUP_TITLES = {"integrity": "Integrity", "realism": "Realism", "privacy": "Privacy"}


def _summary(total: int, failed: int, cnr: int, skipped: int) -> str:
    """``All 12 checks passed`` or ``2 of 12 checks failed, 1 could not run``, with any skipped."""
    if failed:
        text = f"{failed:,} of {total:,} checks failed" + (f", {cnr:,} could not run" if cnr else "")
    elif cnr:
        text = f"{cnr:,} of {total:,} checks could not run"
    else:
        text = f"All {total - skipped:,} checks passed" if total > skipped else "No check ran"
    return text + (f", {skipped:,} skipped" if skipped else "")


#: status -> (CSS class, pill text); a check that could not run is shown like a failure.
PILLS = {PASSED: ("pass", "PASS"), FAILED: ("fail", "FAIL"), COULD_NOT_RUN: ("cnr", "COULD NOT RUN"),
         SKIPPED: ("skip", "SKIPPED")}
ORDER = {COULD_NOT_RUN: 0, FAILED: 1, PASSED: 2, SKIPPED: 3}


def _pill(r: CheckResult) -> str:
    cls, text = PILLS.get(str(r.status), PILLS[PASSED if r.passed else FAILED])
    return f'<span class="pill {cls}">{text}</span>'


def _row_class(r: CheckResult) -> str:
    return PILLS.get(str(r.status), ("pass" if r.passed else "fail", ""))[0]


def _ordered(results: Sequence[CheckResult]) -> list[CheckResult]:
    """Checks that could not run, then failed ones; otherwise the order the checks ran in."""
    return sorted(results, key=lambda r: ORDER.get(str(r.status), 2))


def _violations(r: CheckResult) -> str:
    n = int(r.violations or 0)
    if n == 0 and not r.passed:
        return '<span class="muted">—</span>'
    return esc(fmt(n))


def _check_table(results: list[CheckResult], chart_ids: dict[int, str]) -> str:
    rows = []
    for r in results:
        name = esc(r.name)
        if id(r) in chart_ids:
            name = f'<a href="#{chart_ids[id(r)]}" title="see chart">{name}</a>'
        examples = "".join(f"<code>{esc(example(x))}</code>" for x in r.examples[:MAX_EXAMPLES])
        rows.append(
            f'<tr class="{_row_class(r)}">'
            f"<td>{_pill(r)}</td>"
            f'<td class="name">{name}</td>'
            f'<td class="where">{breakable(r.table or "")}</td>'
            f'<td class="where">{esc(r.column or "")}</td>'
            f'<td class="num">{_violations(r)}</td>'
            f"<td>{statistic_html(r.statistic)}</td>"
            f'<td class="detail">{esc(r.detail)}</td>'
            f'<td class="examples">{examples}</td></tr>'
        )
    widths = ("84px", "200px", "190px", "130px", "76px", "170px", None, "140px")
    cols = "".join(f'<col style="width:{w}">' if w else "<col>" for w in widths)
    head = ("<tr><th>Status</th><th>Check</th><th>Table</th><th>Column</th><th class=\"num\">Violations</th>"
            "<th>Statistic</th><th>Detail</th><th>Examples</th></tr>")
    return (f'<div class="scroll"><table class="checks"><colgroup>{cols}</colgroup><thead>{head}</thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def render_html(results: list[CheckResult], meta: dict) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG; no scripts, no links out).

    Args:
        results: every check result of the run.
        meta: facts about the validation, shown under the verdict (run path, profile, seed...).

    Returns:
        The page's HTML.
    """
    verdict = summarise(results)
    total = len(results)
    failed = sum(r.status == FAILED for r in results)
    cnr = sum(r.status == COULD_NOT_RUN for r in results)
    skipped = sum(r.status == SKIPPED for r in results)
    profile = meta.get("profile") or meta.get("profile_name")
    page_title = "Validation report" + (f" — {profile}" if profile else "")

    charted = [r for r in _ordered([r for r in results if r.group == "realism"]) if r.series and
               r.series.get("labels") and not is_figure(r)]
    chart_ids = {id(r): f"chart-{i + 1}" for i, r in enumerate(charted)}

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{esc(page_title)}</title>",
        f"<style>{CSS}{CSS_DETAILS}</style></head><body><main>",
        f"<h1>{esc(page_title)}</h1>",
    ]
    ok = verdict["passed"]
    word = "PASS" if ok else "FAIL"
    summary = _summary(total, failed, cnr, skipped)
    facts_line = " · ".join(f"{k} {fmt(meta[k]) if k != 'seed' else meta[k]}" for k in ("families", "seed")
                            if meta.get(k) is not None)
    out.append('<section id="summary" aria-label="summary">')
    out.append(f'<div id="verdict" class="verdict {"pass" if ok else "fail"}" data-verdict="{word}">'
               f'<div class="word">{word}</div><div class="what">{esc(summary)}'
               + (f'<div class="facts">{esc(facts_line)}</div>' if facts_line else "") + "</div></div>")
    # groups
    boxes = []
    groups = list(GROUPS) + sorted({r.group for r in results} - set(GROUPS))
    for g in groups:
        rs = [r for r in results if r.group == g]
        n, bad = len(rs), sum(r.status in (FAILED, COULD_NOT_RUN) for r in rs)
        sub = _summary(n, sum(r.status == FAILED for r in rs), sum(r.status == COULD_NOT_RUN for r in rs),
                       sum(r.status == SKIPPED for r in rs))
        if n == 0:
            cls, state, sub = "none", "NO CHECKS", "nothing was checked"
        elif bad:
            cls, state = "fail", "FAIL"
        else:
            cls, state = "pass", "PASS"
        boxes.append(f'<a class="group {cls}" href="#group-{esc(g)}" data-group="{esc(g)}">'
                     f'<div class="name">{esc(GROUP_TITLES.get(g, g.title()))}</div>'
                     f'<div class="state">{state}</div><div class="muted small">{esc(sub)}</div></a>')
    out.append(f'<div class="groups">{"".join(boxes)}</div>')
    out.append(published_figures(results))
    out.append(top_failures(results))
    out.append("</section>")
    # Simple facts only: nested values (timings, the verdict, SDV scores) live in the JSON report.
    facts = {k: v for k, v in (meta or {}).items() if not isinstance(v, (dict, list))}
    if facts:
        items = "".join(
            f'<div class="{"wide" if len(str(v)) > 22 else "item"}"><dt>{esc(label(str(k)))}</dt>'
            f"<dd>{meta_value(str(k), v)}</dd></div>"
            for k, v in facts.items()
        )
        out.append(f'<h2 id="run">The run</h2><dl class="meta">{items}</dl>')
    # tables
    for g in groups:
        rs = [r for r in results if r.group == g and not r.name.startswith("not_calibrated:")]
        out.append(f'<h2 id="group-{esc(g)}">{esc(GROUP_TITLES.get(g, g.title()))} checks</h2>')
        if not rs:
            out.append('<div class="empty">No checks in this group.</div>')
            continue
        failed_rs = _ordered([r for r in rs if not r.passed])
        passed_rs = [r for r in rs if r.status == PASSED]
        skipped_rs = [r for r in rs if r.status == SKIPPED]
        if failed_rs:
            out.append(_check_table(failed_rs, chart_ids))
        if skipped_rs:
            plural = "s" if len(skipped_rs) != 1 else ""
            out.append(f"<details open><summary>{len(skipped_rs):,} skipped check{plural}</summary>"
                       f"{_check_table(skipped_rs, chart_ids)}</details>")
        if passed_rs:
            # Passed checks are folded away (open when nothing failed in the group and it is short).
            opened = " open" if not failed_rs and len(passed_rs) <= 8 else ""
            out.append(f"<details{opened}><summary>{len(passed_rs):,} passed check"
                       f"{'s' if len(passed_rs) != 1 else ''}</summary>{_check_table(passed_rs, chart_ids)}</details>")
    out.append(la_rate_section(results))
    out.append(not_calibrated_section(results))
    # charts
    if charted:
        out.append('<h2 id="charts">Realism: target against achieved</h2><div class="charts">')
        for r in charted:
            foot = _pill(r)
            stat = statistic_html(r.statistic)
            if stat:
                foot += f" {stat}"
            if r.detail:
                foot += f' <span class="muted">— {esc(r.detail)}</span>'
            out.append(f'<div class="card {_row_class(r)}">'
                       f"{render_chart(r, chart_ids[id(r)])}<div class=\"foot\">{foot}</div></div>")
        out.append("</div>")
    out.append("<footer>family-justice-synth validation report. Synthetic data: no real person is in it."
               "</footer></main></body></html>")
    return "\n".join(out) + "\n"
