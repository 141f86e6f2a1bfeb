"""SVG charts of target against achieved values, drawn by hand (no scripts, nothing from the network)."""

from __future__ import annotations

import math

from synth.validate.core import CheckResult
from synth.validate.report.text import esc, example, fmt, number, short

#: Above this many labels a chart draws lines instead of grouped bars.
MAX_BARS = 30

TARGET_COLOUR = "#9aa5b1"
ACHIEVED_COLOUR = "#0b62c4"
ACHIEVED_FAIL_COLOUR = "#c62828"


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
    labels = [example(x) for x in series.get("labels", [])]
    n = len(labels)
    if n == 0:
        return ""
    target = [number(v) for v in list(series.get("target", []))[:n]] + [None] * n
    achieved = [number(v) for v in list(series.get("achieved", []))[:n]] + [None] * n
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
    ml = max(58.0, 6.3 * max(len(fmt(t)) for t in ticks) + 30)
    slot_guess = (width - ml - mr) / n
    longest = max(len(s) for s in labels)
    if bars:
        rotate = longest * 6.4 > slot_guess - 4
        shown = [short(s, 16) for s in labels]
    else:
        rotate = longest > 10
        shown = [short(s, 14) for s in labels]
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
    where = short(" · ".join(str(s) for s in (result.table, result.column) if s), max(12, 80 - len(result.name)))
    title = esc(short(result.name, 70)) + (f' <tspan class="c-sub">{esc(where)}</tspan>' if where else "")
    plain_title = " · ".join(s for s in (result.name, result.table, result.column) if s)
    out = [
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{esc(plain_title)}: target and achieved"'
        + (f' id="{esc(chart_id)}"' if chart_id else "") + ">",
        f"<title>{esc(plain_title)}</title>",
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
                   f'<text class="c-tick" x="{ml - 6:.1f}" y="{yt + 3.5:.1f}" text-anchor="end">{esc(fmt(t))}</text>')
    ylab = "share" if share else "value"
    out.append(f'<text class="c-axis" transform="translate(14 {mt + ph / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{ylab}</text>')
    out.append(f'<text class="c-axis" x="{ml + pw / 2:.1f}" y="{height - 6:.1f}" text-anchor="middle">'
               f"{esc(result.column or 'category')}</text>")
    # data
    base = y(max(lo, min(0.0, hi)))
    if bars:
        bw = min(slot * 0.36, 28.0)
        for i, label in enumerate(labels):
            tip = f"{label}: target {fmt(target[i])}, achieved {fmt(achieved[i])}"
            out.append(f"<g><title>{esc(tip)}</title>")
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
                       f'rotate(-40)">{esc(s)}</text>')
        else:
            out.append(f'<text class="c-tick" x="{x(i):.1f}" y="{ly:.1f}" text-anchor="middle">{esc(s)}</text>')
    out.append(f'<line class="c-base" x1="{ml:.1f}" x2="{ml:.1f}" y1="{mt:.1f}" y2="{mt + ph:.1f}"/>')
    out.append("</svg>")
    return "".join(out)
