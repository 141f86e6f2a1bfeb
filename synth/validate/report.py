"""Validation reports: a JSON file for machines and one self-contained HTML page for people.

The HTML page needs nothing from the network: the CSS is inline and the charts are SVG drawn
here. It opens with the verdict (overall and per group), then one table of checks per group with
failed checks first, then a chart of target against achieved values for every realism check that
carries a ``series``. Every piece of text taken from a result is escaped.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synth.validate.core import GROUPS, MAX_EXAMPLES, CheckResult, summarise
from synth.validate.report_style import CSS, CSS_DETAILS

#: Above this many labels a chart draws lines instead of grouped bars.
MAX_BARS = 30

TARGET_COLOUR = "#9aa5b1"
ACHIEVED_COLOUR = "#0b62c4"
ACHIEVED_FAIL_COLOUR = "#c62828"

GROUP_TITLES = {"integrity": "Integrity", "realism": "Realism", "privacy": "Privacy"}


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------

def _plain(x: Any) -> Any:
    """A JSON-safe copy of ``x`` (NaN -> null, numpy scalars -> Python, anything else -> str)."""
    if hasattr(x, "item") and not isinstance(x, (list, tuple, dict)):
        try:
            x = x.item()
        except (TypeError, ValueError):
            x = str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return str(x)


def render_json(results: list[CheckResult], meta: dict) -> str:
    """The report as JSON.

    Args:
        results: every check result of the run.
        meta: facts about the validation (run path, profile, whether its hash matches, seed,
            families, seconds taken).

    Returns:
        ``{"verdict": ..., "meta": ..., "results": [...]}`` indented by two spaces. Keys keep a
        fixed order (verdict, meta, results; result fields in ``CheckResult`` order), so equal
        inputs give identical text.
    """
    body = {
        "verdict": summarise(results),
        "meta": _plain(meta),
        "results": [_plain(r.to_dict()) for r in results],
    }
    return json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# --------------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------------

def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(v: Any) -> float | None:
    """``v`` as a finite float, or None."""
    if hasattr(v, "item"):
        try:
            v = v.item()
        except (TypeError, ValueError):
            return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def _fmt(v: Any) -> str:
    """A short, readable rendering of a number (other values as text)."""
    if hasattr(v, "item"):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "n/a"
        if v == 0:
            return "0"
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a < 0.001:
            return f"{v:.2e}"
        if a >= 1:
            return f"{v:.3g}" if a < 100 else f"{v:.1f}"
        return f"{v:.3g}"
    if v is None:
        return "—"
    return str(v)


def _breakable(x: Any) -> str:
    """Escaped text that may wrap after ``/`` (``agency/table``)."""
    return _e(x).replace("/", "/<wbr>")


def _example(x: Any) -> str:
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(_example(v) for v in x) + ")"
    if hasattr(x, "item"):
        try:
            x = x.item()
        except (TypeError, ValueError):
            pass
    return str(x)


def _statistic(stat: dict | None) -> str:
    """``name = value (tolerance t)`` plus any other fields, as HTML."""
    if not stat:
        return ""
    rest = {k: v for k, v in stat.items() if k not in ("name", "value", "tolerance")}
    head = ""
    if "value" in stat:
        name = stat.get("name")
        head = f'<span class="stat-name">{_e(name)}</span> = ' if name else ""
        head += f"<b>{_e(_fmt(stat['value']))}</b>"
    elif "name" in stat:
        head = f'<span class="stat-name">{_e(stat["name"])}</span>'
    if "tolerance" in stat:
        head += f' <span class="muted">vs tolerance {_e(_fmt(stat["tolerance"]))}</span>'
    extra = "".join(f'<div class="muted small">{_e(k)}: {_e(_fmt(v))}</div>' for k, v in rest.items())
    return head + extra


def _meta_value(key: str, v: Any) -> str:
    if isinstance(v, bool):
        warn = not v and ("sha" in key.lower() or "match" in key.lower())
        text = "yes" if v else "no"
        return f'<span class="warn">{text}</span>' if warn else text
    if isinstance(v, (int, float)) and key.lower().endswith("seconds"):
        return _e(f"{v:.1f} s")
    if isinstance(v, int) and "seed" in key.lower():
        return _e(str(v))
    if isinstance(v, (dict, list)):
        return _e(json.dumps(_plain(v), ensure_ascii=False))
    if isinstance(v, str):
        return _e(v).replace("/", "/<wbr>")
    return _e(_fmt(v))


def _label(key: str) -> str:
    if key.lower().endswith("seconds"):
        key = (key[: -len("seconds")].strip("_") or "elapsed") + " time"
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# SVG charts
# --------------------------------------------------------------------------------------------

def _nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    span = hi - lo
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t < hi + step * 0.5:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 12))
    return ticks


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_chart(result: CheckResult, chart_id: str = "") -> str:
    """An SVG chart of ``result.series``: target against achieved value per label.

    Grouped bars for up to ``MAX_BARS`` labels, lines above that.

    Args:
        result: a result whose ``series`` has ``labels``, ``target`` and ``achieved``.
        chart_id: an ``id`` for the ``<svg>`` element, for links from the tables.

    Returns:
        One ``<svg>`` element, or an empty string when the series has no labels.
    """
    series = result.series or {}
    labels = [_example(x) for x in series.get("labels", [])]
    n = len(labels)
    if n == 0:
        return ""
    target = [_num(v) for v in list(series.get("target", []))[:n]] + [None] * n
    achieved = [_num(v) for v in list(series.get("achieved", []))[:n]] + [None] * n
    target, achieved = target[:n], achieved[:n]
    values = [v for v in target + achieved if v is not None]
    lo = min([0.0, *values])
    hi = max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    ticks = _nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    share = bool(values) and all(0 <= v <= 1 for v in values)

    bars = n <= MAX_BARS
    width, height = 600.0, 300.0
    mr, mt = 14.0, 56.0
    ml = max(58.0, 6.3 * max(len(_fmt(t)) for t in ticks) + 30)
    slot_guess = (width - ml - mr) / n
    longest = max(len(s) for s in labels)
    if bars:
        rotate = longest * 6.4 > slot_guess - 4
        shown = [_short(s, 16) for s in labels]
    else:
        rotate = longest > 10
        shown = [_short(s, 14) for s in labels]
    if rotate:
        # the first label, rotated by 40 degrees, must not run off the left edge
        first = len(shown[0]) * 6.3 * 0.766 + 6
        ml = max(ml, first - slot_guess / 2)
    mb = 44.0 + (max(len(s) for s in shown) * 4.3 if rotate else 0)
    pw, ph = width - ml - mr, height - mt - mb
    slot = pw / n

    def y(v: float) -> float:
        return mt + ph * (hi - v) / (hi - lo)

    def x(i: int) -> float:
        return ml + slot * (i + 0.5)

    colour = ACHIEVED_COLOUR if result.passed else ACHIEVED_FAIL_COLOUR
    where = _short(" · ".join(str(s) for s in (result.table, result.column) if s), max(12, 80 - len(result.name)))
    title = _e(_short(result.name, 70)) + (f' <tspan class="c-sub">{_e(where)}</tspan>' if where else "")
    plain_title = " · ".join(s for s in (result.name, result.table, result.column) if s)
    out = [
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{_e(plain_title)}: target and achieved"'
        + (f' id="{_e(chart_id)}"' if chart_id else "") + ">",
        f"<title>{_e(plain_title)}</title>",
        f'<text class="c-title" x="14" y="20">{title}</text>',
    ]
    # legend
    lx = 14
    out.append(f'<rect x="{lx:.0f}" y="32" width="12" height="12" rx="2" fill="{TARGET_COLOUR}"/>'
               f'<text class="c-legend" x="{lx + 17:.0f}" y="42">target</text>'
               f'<rect x="{lx + 72:.0f}" y="32" width="12" height="12" rx="2" fill="{colour}"/>'
               f'<text class="c-legend" x="{lx + 89:.0f}" y="42">achieved</text>')
    # grid and y axis
    for t in ticks:
        yt = y(t)
        cls = "c-zero" if t == 0 else "c-grid"
        out.append(f'<line class="{cls}" x1="{ml:.1f}" x2="{width - mr:.1f}" y1="{yt:.1f}" y2="{yt:.1f}"/>'
                   f'<text class="c-tick" x="{ml - 6:.1f}" y="{yt + 3.5:.1f}" text-anchor="end">{_e(_fmt(t))}</text>')
    ylab = "share" if share else "value"
    out.append(f'<text class="c-axis" transform="translate(14 {mt + ph / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{ylab}</text>')
    out.append(f'<text class="c-axis" x="{ml + pw / 2:.1f}" y="{height - 6:.1f}" text-anchor="middle">'
               f"{_e(result.column or 'category')}</text>")
    # data
    base = y(max(lo, min(0.0, hi)))
    if bars:
        bw = min(slot * 0.36, 28.0)
        for i, label in enumerate(labels):
            tip = f"{label}: target {_fmt(target[i])}, achieved {_fmt(achieved[i])}"
            out.append(f"<g><title>{_e(tip)}</title>")
            for off, v, fill in ((-bw, target[i], TARGET_COLOUR), (0.0, achieved[i], colour)):
                if v is None:
                    continue
                top, bottom = sorted((y(v), base))
                out.append(f'<rect x="{x(i) + off:.1f}" y="{top:.1f}" width="{bw:.1f}" '
                           f'height="{max(bottom - top, 0.5):.1f}" fill="{fill}"/>')
            out.append("</g>")
    else:
        for vals, fill, dash in ((target, TARGET_COLOUR, ' stroke-dasharray="5 3"'), (achieved, colour, "")):
            run: list[str] = []
            for i, v in enumerate([*vals, None]):
                if v is not None:
                    run.append(f"{x(i):.1f},{y(v):.1f}")
                elif run:
                    if len(run) == 1:
                        cx, cy = run[0].split(",")
                        out.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{fill}"/>')
                    else:
                        out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{fill}" '
                                   f'stroke-width="2"{dash}/>')
                    run = []
    # x labels
    every = 1 if bars else max(1, math.ceil(n / 12))
    ly = mt + ph + 14
    for i, s in enumerate(shown):
        if i % every:
            continue
        if rotate:
            out.append(f'<text class="c-tick" text-anchor="end" transform="translate({x(i):.1f} {ly:.1f}) '
                       f'rotate(-40)">{_e(s)}</text>')
        else:
            out.append(f'<text class="c-tick" x="{x(i):.1f}" y="{ly:.1f}" text-anchor="middle">{_e(s)}</text>')
    out.append(f'<line class="c-base" x1="{ml:.1f}" x2="{ml:.1f}" y1="{mt:.1f}" y2="{mt + ph:.1f}"/>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------




def _pill(passed: bool) -> str:
    return '<span class="pill pass">PASS</span>' if passed else '<span class="pill fail">FAIL</span>'


def _ordered(results: Sequence[CheckResult]) -> list[CheckResult]:
    """Failed checks first; otherwise the order the checks ran in."""
    return sorted(results, key=lambda r: r.passed)


def _violations(r: CheckResult) -> str:
    n = int(r.violations or 0)
    if n == 0 and not r.passed:
        return '<span class="muted">—</span>'
    return _e(_fmt(n))


def _check_table(results: list[CheckResult], chart_ids: dict[int, str]) -> str:
    rows = []
    for r in results:
        name = _e(r.name)
        if id(r) in chart_ids:
            name = f'<a href="#{chart_ids[id(r)]}" title="see chart">{name}</a>'
        examples = "".join(f"<code>{_e(_example(x))}</code>" for x in r.examples[:MAX_EXAMPLES])
        rows.append(
            f'<tr class="{"pass" if r.passed else "fail"}">'
            f"<td>{_pill(r.passed)}</td>"
            f'<td class="name">{name}</td>'
            f'<td class="where">{_breakable(r.table or "")}</td>'
            f'<td class="where">{_e(r.column or "")}</td>'
            f'<td class="num">{_violations(r)}</td>'
            f"<td>{_statistic(r.statistic)}</td>"
            f'<td class="detail">{_e(r.detail)}</td>'
            f'<td class="examples">{examples}</td></tr>'
        )
    widths = ("62px", "200px", "190px", "130px", "76px", "170px", None, "140px")
    cols = "".join(f'<col style="width:{w}">' if w else "<col>" for w in widths)
    head = ("<tr><th>Status</th><th>Check</th><th>Table</th><th>Column</th><th class=\"num\">Violations</th>"
            "<th>Statistic</th><th>Detail</th><th>Examples</th></tr>")
    return f"<table><colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


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
    failed = sum(not r.passed for r in results)
    profile = meta.get("profile") or meta.get("profile_name")
    page_title = "Validation report" + (f" — {profile}" if profile else "")

    charted = [r for r in _ordered([r for r in results if r.group == "realism"]) if r.series and
               r.series.get("labels")]
    chart_ids = {id(r): f"chart-{i + 1}" for i, r in enumerate(charted)}

    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(page_title)}</title>",
        f"<style>{CSS}{CSS_DETAILS}</style></head><body><main>",
        f"<h1>{_e(page_title)}</h1>",
    ]
    ok = verdict["passed"]
    word = "PASS" if ok else "FAIL"
    summary = (f"All {total:,} checks passed" if ok else f"{failed:,} of {total:,} checks failed")
    out.append(f'<section id="verdict" class="verdict {"pass" if ok else "fail"}" data-verdict="{word}">'
               f'<div class="word">{word}</div><div class="what">{_e(summary)}</div></section>')
    # groups
    boxes = []
    groups = list(GROUPS) + sorted({r.group for r in results} - set(GROUPS))
    for g in groups:
        v = verdict["groups"].get(g) or {"checks": sum(r.group == g for r in results),
                                        "failed": sum(r.group == g and not r.passed for r in results)}
        if v["checks"] == 0:
            cls, state, sub = "none", "NO CHECKS", "nothing was checked"
        elif v["failed"]:
            cls, state = "fail", "FAIL"
            sub = f"{v['failed']:,} of {v['checks']:,} checks failed"
        else:
            cls, state, sub = "pass", "PASS", f"{v['checks']:,} of {v['checks']:,} checks passed"
        boxes.append(f'<a class="group {cls}" href="#group-{_e(g)}" data-group="{_e(g)}">'
                     f'<div class="name">{_e(GROUP_TITLES.get(g, g.title()))}</div>'
                     f'<div class="state">{state}</div><div class="muted small">{_e(sub)}</div></a>')
    out.append(f'<div class="groups">{"".join(boxes)}</div>')
    # Simple facts only: nested values (timings, the verdict, SDV scores) live in the JSON report.
    facts = {k: v for k, v in (meta or {}).items() if not isinstance(v, (dict, list))}
    if facts:
        items = "".join(
            f'<div class="{"wide" if len(str(v)) > 22 else "item"}"><dt>{_e(_label(str(k)))}</dt>'
            f"<dd>{_meta_value(str(k), v)}</dd></div>"
            for k, v in facts.items()
        )
        out.append(f'<dl class="meta">{items}</dl>')
    # tables
    for g in groups:
        rs = [r for r in results if r.group == g]
        out.append(f'<h2 id="group-{_e(g)}">{_e(GROUP_TITLES.get(g, g.title()))} checks</h2>')
        if not rs:
            out.append('<div class="empty">No checks in this group.</div>')
            continue
        failed_rs = [r for r in rs if not r.passed]
        passed_rs = [r for r in rs if r.passed]
        if failed_rs:
            out.append(_check_table(failed_rs, chart_ids))
        if passed_rs:
            # Passed checks are folded away (open when nothing failed in the group and it is short).
            opened = " open" if not failed_rs and len(passed_rs) <= 8 else ""
            out.append(f"<details{opened}><summary>{len(passed_rs):,} passed check"
                       f"{'s' if len(passed_rs) != 1 else ''}</summary>{_check_table(passed_rs, chart_ids)}</details>")
    # charts
    if charted:
        out.append('<h2 id="charts">Realism: target against achieved</h2><div class="charts">')
        for r in charted:
            foot = _pill(r.passed)
            stat = _statistic(r.statistic)
            if stat:
                foot += f" {stat}"
            if r.detail:
                foot += f' <span class="muted">— {_e(r.detail)}</span>'
            out.append(f'<div class="card {"pass" if r.passed else "fail"}">'
                       f"{render_chart(r, chart_ids[id(r)])}<div class=\"foot\">{foot}</div></div>")
        out.append("</div>")
    out.append("<footer>family-justice-synth validation report. Synthetic data: no real person is in it."
               "</footer></main></body></html>")
    return "\n".join(out) + "\n"


def write_reports(results: list[CheckResult], meta: dict, json_path: Path | None, html_path: Path | None) -> None:
    """Write the JSON and/or HTML report.

    Args:
        results: every check result of the run.
        meta: facts about the validation (see ``render_json``).
        json_path: where to write the JSON report; None to skip it.
        html_path: where to write the HTML report; None to skip it.
    """
    for path, render in ((json_path, render_json), (html_path, render_html)):
        if path is None:
            continue
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(results, meta), encoding="utf-8")
