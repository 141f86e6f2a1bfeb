"""The JSON report: a stable document for pipelines (verdict, meta, results)."""

from __future__ import annotations

import json

from synth.validate.core import CheckResult, summarise
from synth.validate.report.text import plain


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
        "meta": plain(meta),
        "results": [plain(r.to_dict()) for r in results],
    }
    return json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
