"""Run every validator over a run folder and write the reports."""

from __future__ import annotations

import time
from pathlib import Path

from synth.validate.core import CheckResult, RunData, summarise
from synth.validate.integrity import check_integrity
from synth.validate.privacy import check_privacy
from synth.validate.realism import check_realism


def validate(path: Path, profile: str | Path | None = None, reference: Path | None = None,
             sdv: bool = False) -> tuple[list[CheckResult], dict]:
    """Validate a run folder.

    Args:
        path: the run folder.
        profile: profile to judge against instead of the one recorded in the manifest.
        reference: optional folder of reference records that must not be reproduced.
        sdv: add SDV's diagnostic and quality reports (needs the optional ``sdv`` extra).

    Returns:
        ``(results, meta)``: every check's result and facts about the run for the report.

    Raises:
        SynthError: when the run or the reference cannot be read at all.
    """
    t0 = time.perf_counter()
    run = RunData(path, profile)
    timings = {}
    results: list[CheckResult] = []
    for name, fn in (("integrity", lambda: check_integrity(run)), ("realism", lambda: check_realism(run)),
                     ("privacy", lambda: check_privacy(run, reference))):
        t = time.perf_counter()
        results += fn()
        timings[f"{name}_s"] = round(time.perf_counter() - t, 3)
    meta = {
        "run": str(run.path),
        "profile": run.profile.name,
        "profile_sha_matches": run.profile_matches,
        "seed": run.seed,
        "families": run.manifest.get("families"),
        "reference": str(reference) if reference else None,
    }
    if sdv:
        from synth.validate.sdv_reports import sdv_reports

        meta["sdv"] = sdv_reports(run, reference)
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    meta["validation_seconds"] = timings["total_s"]
    meta["timings"] = timings
    meta["verdict"] = summarise(results)
    return results, meta
