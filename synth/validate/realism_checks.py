"""The realism group in the registry: every stated distribution and published figure as one check.

``synth.validate.realism.check_realism`` judges each distribution and figure and reports per item;
it runs here as one registered check, so a run whose truth tables are missing or unreadable gets
one "could not run" result instead of a traceback.

The realism measures stay in pandas (they read aggregates of a few columns), but they read only the
columns they use: every truth field the realism code names as a string (:data:`REALISM_COLUMNS`,
found in its source), so a million-family run does not load names, addresses or identifiers. A
measure reading a field by a computed name would miss it and report "could not run", loudly.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check

#: The truth tables the realism observers read.
REALISM_TRUTH = ("proceeding", "proceeding_child", "person", "proceeding_party", "hearing", "family")
#: Modules of the realism measures (their string constants name the truth fields they read).
REALISM_SOURCES = ("observers", "figures.py", "measures.py", "realism.py")


@cache
def realism_columns() -> dict[str, set[str]]:
    """Truth table -> the fields the realism code names (string constants in its modules)."""
    from synth.world.schema import TRUTH_TABLES

    here = Path(__file__).parent
    files = [f for name in REALISM_SOURCES for f in ((here / name).glob("*.py") if (here / name).is_dir()
                                                     else [here / name])]
    names = {n.value for f in files for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
             if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return {table: {f for f in fields if f in names} for table, fields in TRUTH_TABLES.items()}


@check("realism", "realism", truth=REALISM_TRUTH)
def distributions_and_figures(run: RunData) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target (only the fields they read)."""
    from synth.validate.realism import check_realism

    with run.projected(realism_columns()):
        return check_realism(run)
