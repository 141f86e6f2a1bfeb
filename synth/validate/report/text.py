"""Formatting helpers shared by the HTML page and the SVG charts (escaping, numbers, labels)."""

from __future__ import annotations

import html
import json
import math
from typing import Any


def plain(x: Any) -> Any:
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
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return str(x)


def esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def number(v: Any) -> float | None:
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


def fmt(v: Any) -> str:
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


def breakable(x: Any) -> str:
    """Escaped text that may wrap after ``/`` (``agency/table``)."""
    return esc(x).replace("/", "/<wbr>")


def example(x: Any) -> str:
    if isinstance(x, (tuple, list)):
        return "(" + ", ".join(example(v) for v in x) + ")"
    if hasattr(x, "item"):
        try:
            x = x.item()
        except (TypeError, ValueError):
            pass
    return str(x)


def statistic_html(stat: dict | None) -> str:
    """``name = value (tolerance t)`` plus any other fields, as HTML."""
    if not stat:
        return ""
    rest = {k: v for k, v in stat.items() if k not in ("name", "value", "tolerance")}
    head = ""
    if "value" in stat:
        name = stat.get("name")
        head = f'<span class="stat-name">{esc(name)}</span> = ' if name else ""
        head += f"<b>{esc(fmt(stat['value']))}</b>"
    elif "name" in stat:
        head = f'<span class="stat-name">{esc(stat["name"])}</span>'
    if "tolerance" in stat:
        head += f' <span class="muted">vs tolerance {esc(fmt(stat["tolerance"]))}</span>'
    extra = "".join(f'<div class="muted small">{esc(k)}: {esc(fmt(v))}</div>' for k, v in rest.items())
    return head + extra


def meta_value(key: str, v: Any) -> str:
    if isinstance(v, bool):
        warn = not v and ("sha" in key.lower() or "match" in key.lower())
        text = "yes" if v else "no"
        return f'<span class="warn">{text}</span>' if warn else text
    if isinstance(v, (int, float)) and key.lower().endswith("seconds"):
        return esc(f"{v:.1f} s")
    if isinstance(v, int) and "seed" in key.lower():
        return esc(str(v))
    if isinstance(v, (dict, list)):
        return esc(json.dumps(plain(v), ensure_ascii=False))
    if isinstance(v, str):
        return esc(v).replace("/", "/<wbr>")
    return esc(fmt(v))


def label(key: str) -> str:
    if key.lower().endswith("seconds"):
        key = (key[: -len("seconds")].strip("_") or "elapsed") + " time"
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def short(text: str, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    return text if len(text) <= n else text[: n - 1] + "…"
