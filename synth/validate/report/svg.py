"""SVG charts of target against achieved values, drawn by hand (no scripts, nothing from the network).

Every label is drawn in full (long ones wrap onto several lines, never cut). Which chart:

- survival curves (Kaplan-Meier checks) are step lines over a time axis proportional to the labels' numbers;
- more than :data:`MAX_BARS` labels: lines, with every k-th label under the axis;
- labels that fit side by side: grouped vertical bars;
- otherwise: grouped horizontal bars, one row per label, the label on the left.

The drawing box is :data:`WIDTH` units wide and the page scales it to the card, so text stays at
least 8 px high on a 400 px screen.
"""

from __future__ import annotations

import math
import re

from synth.validate.core import CheckResult
from synth.validate.report.svg_parts import (
    ACHIEVED_COLOUR,
    ACHIEVED_FAIL_COLOUR,
    CHAR_W,
    TARGET_COLOUR,
    header,
    nice_ticks,
    wrap,
)
from synth.validate.report.text import esc, example, fmt, number

#: Above this many labels a chart draws lines instead of bars.
MAX_BARS = 30
WIDTH = 480.0
__all__ = ["MAX_BARS", "WIDTH", "is_survival", "render_chart"]


def is_survival(result: CheckResult) -> bool:
    """Whether ``result.series`` is a survival curve (a Kaplan-Meier check, or ``series.kind``)."""
    kind = (result.series or {}).get("kind")
    stat = str((result.statistic or {}).get("name", ""))
    return kind == "survival" or "_km" in stat or stat.startswith("km")


def render_chart(result: CheckResult, chart_id: str = "") -> str:
    """An SVG chart of ``result.series``: target against achieved value per label.

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
    target = ([number(v) for v in list(series.get("target", []))[:n]] + [None] * n)[:n]
    achieved = ([number(v) for v in list(series.get("achieved", []))[:n]] + [None] * n)[:n]
    values = [v for v in target + achieved if v is not None]
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    share = bool(values) and all(0 <= v <= 1 for v in values)
    colour = ACHIEVED_COLOUR if result.passed else ACHIEVED_FAIL_COLOUR
    attrs, head, top = header(result, chart_id, WIDTH, colour)
    axis = "share" if share else "value"
    ml = max(52.0, CHAR_W * max(len(fmt(t)) for t in ticks) + 26)
    slot = (WIDTH - ml - 12) / n
    if is_survival(result):
        body, height = _steps(labels, target, achieved, ticks, lo, hi, top, ml, colour, axis, result)
    elif n > MAX_BARS:
        body, height = _lines(labels, target, achieved, ticks, lo, hi, top, ml, colour, axis, result)
    elif max(len(s) for s in labels) * CHAR_W <= slot - 4:
        body, height = _columns(labels, target, achieved, ticks, lo, hi, top, ml, colour, axis, result)
    else:
        body, height = _rows(labels, target, achieved, ticks, lo, hi, top, colour, axis)
    return f'<svg class="chart" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" {attrs}>{head}{body}</svg>'


def _y_axis(ticks: list[float], y: object, ml: float, top: float, ph: float, axis: str) -> list[str]:
    out = []
    for t in ticks:
        yt = y(t)  # type: ignore[operator]
        cls = "c-zero" if t == 0 else "c-grid"
        out.append(f'<line class="{cls}" x1="{ml:.1f}" x2="{WIDTH - 12:.1f}" y1="{yt:.1f}" y2="{yt:.1f}"/>'
                   f'<text class="c-tick" x="{ml - 6:.1f}" y="{yt + 4:.1f}" text-anchor="end">{esc(fmt(t))}</text>')
    out.append(f'<text class="c-axis" transform="translate(14 {top + ph / 2:.1f}) rotate(-90)" '
               f'text-anchor="middle">{axis}</text>')
    out.append(f'<line class="c-base" x1="{ml:.1f}" x2="{ml:.1f}" y1="{top:.1f}" y2="{top + ph:.1f}"/>')
    return out


def _columns(labels: list[str], target: list, achieved: list, ticks: list[float], lo: float, hi: float,
             top: float, ml: float, colour: str, axis: str, result: CheckResult) -> tuple[str, float]:
    """Grouped vertical bars; every label fits unrotated under its slot."""
    ph = 190.0
    height = top + ph + 44
    slot = (WIDTH - ml - 12) / len(labels)

    def y(v: float) -> float:
        return top + ph * (hi - v) / (hi - lo)

    out = _y_axis(ticks, y, ml, top, ph, axis)
    base = y(max(lo, min(0.0, hi)))
    bw = min(slot * 0.36, 28.0)
    for i, label in enumerate(labels):
        cx = ml + slot * (i + 0.5)
        out.append(f"<g><title>{esc(f'{label}: target {fmt(target[i])}, achieved {fmt(achieved[i])}')}</title>")
        for off, v, fill in ((-bw, target[i], TARGET_COLOUR), (0.0, achieved[i], colour)):
            if v is not None:
                a, b = sorted((y(v), base))
                out.append(f'<rect x="{cx + off:.1f}" y="{a:.1f}" width="{bw:.1f}" height="{max(b - a, 0.5):.1f}" '
                           f'fill="{fill}"/>')
        out.append(f'</g><text class="c-tick" x="{cx:.1f}" y="{top + ph + 16:.1f}" text-anchor="middle">'
                   f"{esc(label)}</text>")
    out.append(f'<text class="c-axis" x="{ml + (WIDTH - ml - 12) / 2:.1f}" y="{height - 8:.1f}" '
               f'text-anchor="middle">{esc(result.column or "category")}</text>')
    return "".join(out), height


def _rows(labels: list[str], target: list, achieved: list, ticks: list[float], lo: float, hi: float,
          top: float, colour: str, axis: str) -> tuple[str, float]:
    """Grouped horizontal bars: one row per label, the label (wrapped, never cut) on the left."""
    longest = max(len(s) for s in labels)
    lw = min(longest * CHAR_W + 10, WIDTH * 0.45)
    lines = [wrap(s, int((lw - 10) / CHAR_W)) for s in labels]
    rows = [max(24.0, 15.0 * len(ls) + 8) for ls in lines]
    ml, pw = lw + 6, WIDTH - lw - 6 - 14
    top += 4

    def x(v: float) -> float:
        return ml + pw * (v - lo) / (hi - lo)

    out = []
    ph = sum(rows)
    for t in ticks:
        xt = x(t)
        cls = "c-zero" if t == 0 else "c-grid"
        out.append(f'<line class="{cls}" x1="{xt:.1f}" x2="{xt:.1f}" y1="{top:.1f}" y2="{top + ph:.1f}"/>'
                   f'<text class="c-tick" x="{xt:.1f}" y="{top + ph + 15:.1f}" text-anchor="middle">'
                   f"{esc(fmt(t))}</text>")
    zero = x(max(lo, min(0.0, hi)))
    yy = top
    for i, (ls, h) in enumerate(zip(lines, rows)):
        mid = yy + h / 2
        out.append(f"<g><title>{esc(f'{labels[i]}: target {fmt(target[i])}, achieved {fmt(achieved[i])}')}</title>")
        first = mid - 15.0 * (len(ls) - 1) / 2 + 4
        out.append(f'<text class="c-tick" x="{lw:.1f}" y="{first:.1f}" text-anchor="end">'
                   + "".join(f'<tspan x="{lw:.1f}" dy="{0 if j == 0 else 15}">{esc(s)}</tspan>'
                             for j, s in enumerate(ls)) + "</text>")
        bh = min(8.0, (h - 6) / 2)
        for off, v, fill in ((-bh, target[i], TARGET_COLOUR), (0.0, achieved[i], colour)):
            if v is not None:
                a, b = sorted((x(v), zero))
                out.append(f'<rect x="{a:.1f}" y="{mid + off:.1f}" width="{max(b - a, 0.5):.1f}" height="{bh:.1f}" '
                           f'fill="{fill}"/>')
        out.append("</g>")
        yy += h
    out.append(f'<line class="c-base" x1="{zero:.1f}" x2="{zero:.1f}" y1="{top:.1f}" y2="{top + ph:.1f}"/>')
    height = top + ph + 40
    out.append(f'<text class="c-axis" x="{ml + pw / 2:.1f}" y="{height - 8:.1f}" text-anchor="middle">{axis}</text>')
    return "".join(out), height


def _path_points(xs: list[float], vals: list, y: object) -> list[list[tuple[float, float]]]:
    """Runs of (x, y) points, broken where a value is missing."""
    runs: list[list[tuple[float, float]]] = [[]]
    for xv, v in zip(xs, vals):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((xv, y(v)))  # type: ignore[operator]
    return [r for r in runs if r]


def _x_labels(labels: list[str], xs: list[float], base_y: float) -> tuple[list[str], float]:
    """Every k-th label under the axis, in full; rotated when they would overlap flat."""
    gap = min((b - a for a, b in zip(xs, xs[1:])), default=WIDTH)
    longest = max(len(s) for s in labels)
    every = max(1, math.ceil(len(labels) / 12))
    rotate = longest * CHAR_W > gap * every - 4
    out = []
    for i, s in enumerate(labels):
        if i % every:
            continue
        if rotate:
            out.append(f'<text class="c-tick" text-anchor="end" transform="translate({xs[i]:.1f} {base_y:.1f}) '
                       f'rotate(-45)">{esc(s)}</text>')
        else:
            out.append(f'<text class="c-tick" x="{xs[i]:.1f}" y="{base_y:.1f}" text-anchor="middle">{esc(s)}</text>')
    return out, (longest * CHAR_W * 0.71 + 8 if rotate else 8)


def _lines(labels: list[str], target: list, achieved: list, ticks: list[float], lo: float, hi: float,
           top: float, ml: float, colour: str, axis: str, result: CheckResult) -> tuple[str, float]:
    """Lines for many labels: the target dashed, the achieved solid."""
    xs = [ml + (WIDTH - ml - 12) * (i + 0.5) / len(labels) for i in range(len(labels))]
    return _curves(labels, xs, target, achieved, ticks, lo, hi, top, ml, colour, axis,
                   result.column or "category", step=False)


def _steps(labels: list[str], target: list, achieved: list, ticks: list[float], lo: float, hi: float,
           top: float, ml: float, colour: str, axis: str, result: CheckResult) -> tuple[str, float]:
    """Survival curves as step lines over time (x proportional to each label's number, e.g. ``2 years``)."""
    nums = [re.search(r"-?\d+(?:\.\d+)?", s) for s in labels]
    t = [float(m.group()) for m in nums if m] if all(nums) else list(range(len(labels)))
    t0, t1 = min(0.0, min(t)), max(t)
    span = (t1 - t0) or 1.0
    xs = [ml + 6 + (WIDTH - ml - 24) * (v - t0) / span for v in t]
    unit = re.sub(r"[-\d.\s]+", " ", labels[-1]).strip() if all(nums) else ""
    return _curves(labels, xs, target, achieved, ticks, lo, hi, top, ml, colour, axis,
                   f"time ({unit})" if unit else "time", step=True)


def _curves(labels: list[str], xs: list[float], target: list, achieved: list, ticks: list[float], lo: float,
            hi: float, top: float, ml: float, colour: str, axis: str, xname: str, step: bool) -> tuple[str, float]:
    ph = 190.0
    texts, mb = _x_labels(labels, xs, top + ph + 16)
    height = top + ph + mb + 36

    def y(v: float) -> float:
        return top + ph * (hi - v) / (hi - lo)

    out = _y_axis(ticks, y, ml, top, ph, axis)
    for vals, fill, dash, name in ((target, TARGET_COLOUR, ' stroke-dasharray="5 3"', "target"),
                                   (achieved, colour, "", "achieved")):
        for run in _path_points(xs, vals, y):
            if len(run) == 1:
                out.append(f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="2.5" fill="{fill}"/>')
                continue
            if step:  # hold each value until the next time, then drop: a Kaplan-Meier curve
                d = f"M{run[0][0]:.1f},{run[0][1]:.1f}" + "".join(
                    f"H{px:.1f}V{py:.1f}" for px, py in run[1:])
                out.append(f'<path class="step {name}" d="{d}" fill="none" stroke="{fill}" stroke-width="2.2"{dash}/>')
                out.extend(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{fill}"/>' for px, py in run)
            else:
                pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                out.append(f'<polyline points="{pts}" fill="none" stroke="{fill}" stroke-width="2"{dash}/>')
    out += texts
    out.append(f'<text class="c-axis" x="{ml + (WIDTH - ml - 12) / 2:.1f}" y="{height - 8:.1f}" '
               f'text-anchor="middle">{esc(xname)}</text>')
    return "".join(out), height
