"""The realism group in the registry: every stated distribution and published figure as one check.

``synth.validate.realism.check_realism`` judges each distribution and figure and reports per item;
it runs here as one registered check, so a run whose truth tables are missing or unreadable gets
one "could not run" result instead of a traceback.
"""

from __future__ import annotations

from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check

#: The truth tables the realism observers read.
REALISM_TRUTH = ("proceeding", "proceeding_child", "person", "proceeding_party", "hearing", "family")


@check("realism", "realism", truth=REALISM_TRUTH)
def distributions_and_figures(run: RunData) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target."""
    from synth.validate.realism import check_realism

    return check_realism(run)
