"""The report's one-screen summary: published against achieved figures, and the failures.

Published figures are the profile's ``checks.figures`` (results named ``figure:<name>``, see
:mod:`synth.validate.figures`): each row shows the published value, the achieved one, the tolerance
and whether it is inside it. Failures are the checks that failed or could not run, worst first,
each linking to its group's table.
"""

from __future__ import annotations

from collections.abc import Sequence

from synth.validate.core import COULD_NOT_RUN, FAILED, CheckResult
from synth.validate.report.text import breakable, esc, fmt

#: Failures listed in the summary; the rest are counted and in their group's table.
MAX_FAILURES = 8
FIGURE_PREFIX = "figure:"


def is_figure(r: CheckResult) -> bool:
    """Whether ``r`` compares the run with a published figure."""
    return r.name.startswith(FIGURE_PREFIX)


def _value(r: CheckResult, key: str) -> object:
    values = (r.series or {}).get(key) or [None]
    return values[0]


def published_figures(results: Sequence[CheckResult]) -> str:
    """A compact table of every published figure against what the run achieved ('' when none)."""
    figs = [r for r in results if is_figure(r)]
    if not figs:
        return ""
    rows = []
    for r in figs:
        name = r.name[len(FIGURE_PREFIX):].replace("_", " ")
        scope = f' <span class="muted">({esc(r.column)})</span>' if r.column else ""
        tol = (r.statistic or {}).get("tolerance")
        state = {FAILED: ("fail", "outside"), COULD_NOT_RUN: ("cnr", "not run")}.get(str(r.status), ("pass", "inside"))
        rows.append(f'<tr class="{state[0]}"><td class="fig" title="{esc(r.detail)}">{esc(name)}{scope}</td>'
                    f'<td class="num">{esc(fmt(_value(r, "target")))}</td>'
                    f'<td class="num">{esc(fmt(_value(r, "achieved")))}</td>'
                    f'<td class="num">{"±" + esc(fmt(tol)) if tol is not None else "—"}</td>'
                    f'<td><span class="pill {state[0]}">{state[1]}</span></td></tr>')
    ok = sum(r.status not in (FAILED, COULD_NOT_RUN) for r in figs)
    return (f'<div id="figures" class="box"><h2>Published figures: {ok} of {len(figs)} within tolerance</h2>'
            '<div class="scroll"><table class="figures"><thead><tr><th>Figure</th><th class="num">Published</th>'
            '<th class="num">Achieved</th><th class="num">Tolerance</th><th></th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div></div>")


def top_failures(results: Sequence[CheckResult]) -> str:
    """The first :data:`MAX_FAILURES` checks that could not run or failed, or a line saying there are none."""
    bad = sorted((r for r in results if r.status in (FAILED, COULD_NOT_RUN)), key=lambda r: r.status != COULD_NOT_RUN)
    if not bad:
        return '<div id="failures" class="box ok"><h2>Failures</h2><p>None: every check that ran passed.</p></div>'
    items = []
    for r in bad[:MAX_FAILURES]:
        word = "could not run" if r.status == COULD_NOT_RUN else "failed"
        where = "/".join(x for x in (r.table, r.column) if x)
        items.append(f'<li><a href="#group-{esc(r.group)}"><strong>{esc(r.name)}</strong></a> {word}'
                     + (f' <span class="where">{breakable(where)}</span>' if where else "")
                     + f'<div class="muted small">{esc(r.detail)}</div></li>')
    more = len(bad) - MAX_FAILURES
    tail = f'<p class="muted">and {more:,} more in the tables below.</p>' if more > 0 else ""
    return f'<div id="failures" class="box"><h2>Failures ({len(bad):,})</h2><ol>{"".join(items)}</ol>{tail}</div>'
