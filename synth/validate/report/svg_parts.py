"""Pieces the SVG charts share: colours, tick values, word wrapping and the title-and-legend header."""

from __future__ import annotations

import math
import re

from synth.validate.core import CheckResult
from synth.validate.report.text import esc

TARGET_COLOUR = "#8d99a6"
ACHIEVED_COLOUR = "#0b62c4"
ACHIEVED_FAIL_COLOUR = "#c62828"
#: Width of an average character of the 12-unit tick font, in drawing units (for layout only).
CHAR_W = 6.9


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    raw = (hi - lo) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks, t = [], math.floor(lo / step) * step
    while t < hi + step * 0.5:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(t, 12))
    return ticks


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken after spaces, ``_``, ``/`` or ``:``.

    Nothing is dropped: a piece longer than a line is split across lines.
    """
    width = max(width, 4)
    pieces = [p for p in re.split(r"(?<=[ _/:·])", text) if p]
    lines: list[str] = []
    cur = ""
    for piece in pieces:
        while len(piece) > width:
            if cur:
                lines.append(cur.rstrip())
                cur = ""
            lines.append(piece[:width])
            piece = piece[width:]
        if len((cur + piece).rstrip()) > width and cur:
            lines.append(cur.rstrip())
            cur = ""
        cur += piece
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def header(result: CheckResult, chart_id: str, width: float, colour: str) -> tuple[str, str, float]:
    """The ``<svg>`` attributes, the title (name, then table and column, each wrapped in full) and legend.

    Returns:
        ``(attributes, elements, y where the plot may start)``.
    """
    plain = " · ".join(s for s in (result.name, result.table, result.column) if s)
    attrs = f'aria-label="{esc(plain)}: target and achieved"' + (f' id="{esc(chart_id)}"' if chart_id else "")
    out = [f"<title>{esc(plain)}</title>"]
    y = 4.0
    for line in wrap(result.name, int((width - 28) / 8.2)):
        y += 19
        out.append(f'<text class="c-title" x="14" y="{y:.0f}">{esc(line)}</text>')
    where = " · ".join(s for s in (result.table, result.column) if s)
    for line in (wrap(where, int((width - 28) / CHAR_W)) if where else []):
        y += 16
        out.append(f'<text class="c-sub" x="14" y="{y:.0f}">{esc(line)}</text>')
    y += 12
    out.append(f'<rect x="14" y="{y:.0f}" width="12" height="12" rx="2" fill="{TARGET_COLOUR}"/>'
               f'<text class="c-legend" x="31" y="{y + 10:.0f}">target</text>'
               f'<rect x="96" y="{y:.0f}" width="12" height="12" rx="2" fill="{colour}"/>'
               f'<text class="c-legend" x="113" y="{y + 10:.0f}">achieved</text>')
    return attrs, "".join(out), y + 30
