"""Run every registered check over a run folder; never raises once the folder is a run.

Each check runs inside a guard: an exception becomes a result with status ``could_not_run`` and
the reason; a check needing an agency the run does not hold is ``skipped``. Only a folder that is
not a run at all (see :class:`~synth.validate.core.RunData`) or an unusable ``--reference`` raises a
SynthError.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from synth.progress import SILENT, Reporter
from synth.validate.core import CannotRun, CheckResult, RunData, one_line, summarise
from synth.validate.pooling import release_memory
from synth.validate.registry import AgencyTable, Check, registered


def validate(path: Path, profile: str | Path | None = None, reference: Path | None = None,
             sdv: bool = False, checks: Iterable[Check] | None = None,
             progress: Reporter | None = None) -> tuple[list[CheckResult], dict]:
    """Validate a run folder.

    Args:
        path: the run folder.
        profile: profile to judge against instead of the one recorded in the manifest.
        reference: optional folder of reference records that must not be reproduced.
        sdv: add SDV's diagnostic and quality reports (needs the optional ``sdv`` extra).
        checks: the checks to run (default: every registered check).
        progress: shows and logs one phase per check group (``validate:<group>``); display only.

    Returns:
        ``(results, meta)``: every check's result and facts about the run for the report.

    Raises:
        SynthError: when the folder is not a run, or the reference cannot be read at all.
    """
    t0 = time.perf_counter()
    run = RunData(path, profile)
    references = _references(reference)
    timings: dict[str, float] = {}
    results: list[CheckResult] = []
    todo = [c for c in (registered() if checks is None else list(checks)) if not (c.reference and references is None)]
    try:
        for group, members in itertools.groupby(todo, key=lambda c: c.group):
            group_checks = list(members)
            with (progress or SILENT).phase(f"validate:{group}", total=len(group_checks)) as phase:
                for c in group_checks:
                    t = time.perf_counter()
                    results += run_check(c, run, references)
                    key = f"{c.group}_s"
                    timings[key] = round(timings.get(key, 0.0) + time.perf_counter() - t, 3)
                    phase.advance()
            run.close()  # each group starts with DuckDB's memory and the freed heap given back
            release_memory()
    finally:
        run.close()  # the DuckDB connection and its spill folder
    meta: dict[str, Any] = {
        "run": str(run.path),
        "profile": run.profile.name,
        "profile_sha_matches": run.profile_matches,
        "seed": _seed(run),
        "families": run.manifest.get("families"),
        "agencies": list(run.agencies),
        "reference": str(reference) if reference else None,
    }
    if sdv:
        meta["sdv"] = _sdv(run, reference)
    timings["total_s"] = round(time.perf_counter() - t0, 3)
    meta["validation_seconds"] = timings["total_s"]
    meta["timings"] = timings
    meta["verdict"] = summarise(results)
    return results, meta


def run_check(c: Check, run: RunData, references: list | None = None) -> list[CheckResult]:
    """One check's results on a run; never raises.

    Args:
        c: the check.
        run: the run.
        references: ``(path, frame or reason)`` pairs of the reference files, for reference checks.

    Returns:
        Its results, a ``skipped`` result when it needs an agency the run does not hold, or a
        ``could_not_run`` result (per target) when it raised.
    """
    missing = [a for a in c.agencies if a not in run.agencies]
    if missing:
        held = ", ".join(run.agencies) or "none"
        return [CheckResult.skipped(c.group, c.name, f"needs agency {', '.join(missing)}, which this run was "
                                    f"generated without (it holds {held})")]
    out: list[CheckResult] = []
    for target, label, args in _targets(c, run, references):
        out += _guarded(c, run, target, label, args)
    return out


def _targets(c: Check, run: RunData, references: list | None) -> Iterator[tuple[Any, str | None, tuple]]:
    """(target, table label, extra arguments) for each call of the check."""
    if c.each == "agency_table":
        for akey, agency in run.profile.agencies.items():
            for tkey, spec in agency.tables.items():
                if c.applies is None or c.applies(spec):
                    table = AgencyTable(akey, tkey, spec, f"{akey}/{spec.name}")
                    yield table, table.label, (table,)
    elif c.each == "truth_table":
        from synth.world.schema import TRUTH_TABLES

        for name in TRUTH_TABLES:
            yield name, f"truth/{name}", (name,)
    elif c.reference:
        yield None, None, (references,)
    else:
        yield None, None, ()


def _guarded(c: Check, run: RunData, target: Any, label: str | None, args: tuple) -> list[CheckResult]:
    out: list[CheckResult] = []
    try:
        if c.each == "agency_table" and not run.has(target.agency, target.spec.name):
            raise CannotRun(f"{label} is missing from the run")
        if c.each == "truth_table" and not run.has("truth", target):
            raise CannotRun(f"{label} is missing from the run")
        for name in c.truth:
            if not run.has("truth", name):
                raise CannotRun(f"truth/{name} is missing from the run")
        got = c.fn(run, *args)
        for r in [got] if isinstance(got, CheckResult) else (got or ()):
            if not isinstance(r, CheckResult):
                raise TypeError(f"{c.id} returned {type(r).__name__}, not a CheckResult")
            out.append(r)
    except Exception as e:  # noqa: BLE001 - the runner never raises: a broken check is reported
        out.append(CheckResult.could_not_run(c.group, c.name, _reason(e), label))
    return out


def _reason(e: Exception) -> str:
    if isinstance(e, CannotRun):
        return one_line(e)
    if isinstance(e, KeyError):
        return f"a column or key it reads is missing ({one_line(e, 120)})"
    return one_line(f"{type(e).__name__}: {e}")


def _references(reference: Path | None) -> list | None:
    """The reference files, read once (``--reference``).

    Raises:
        InputError: when the folder is missing or holds no readable CSV or Parquet file.
    """
    if reference is None:
        return None
    from synth.validate.privacy import read_reference_folder

    return read_reference_folder(Path(reference))


def _seed(run: RunData) -> int | None:
    try:
        return run.seed
    except (TypeError, ValueError):
        return None


def _sdv(run: RunData, reference: Path | None) -> dict:
    from synth.validate.sdv_reports import sdv_reports

    try:
        return sdv_reports(run, reference)
    except Exception as e:  # noqa: BLE001 - the runner never raises
        return {"status": "could_not_run", "message": f"SDV reports could not run: {_reason(e)}"}
