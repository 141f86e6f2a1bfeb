"""SDV's diagnostic and quality reports for each agency (optional ``sdv`` extra).

Without a reference, each agency's tables are checked against the SDV metadata written with the
run (SDV's diagnostic: data validity and structure). With ``--reference`` holding the agency's
tables by name, SDV's quality report compares them with the synthetic tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from synth.export.sdv_metadata import sdv_metadata
from synth.validate.core import RunData

INSTALL_HINT = "install the optional extra: pip install -e '.[sdv]' (see README)"


def sdv_available() -> bool:
    """Whether the ``sdv`` package can be imported."""
    try:
        import sdv  # noqa: F401
    except ImportError:
        return False
    return True


def sdv_reports(run: RunData, reference: Path | None) -> dict:
    """Scores per agency, or a message saying why SDV could not run."""
    if not sdv_available():
        return {"status": "skipped", "message": f"--sdv needs the sdv package, which is not installed; {INSTALL_HINT}"}
    try:  # SDV 2.x exports the multi-table evaluation here; 1.x under evaluation.multi_table.
        from sdv.evaluation import evaluate_quality, run_diagnostic
    except ImportError:
        from sdv.evaluation.multi_table import evaluate_quality, run_diagnostic
    from sdv.metadata import Metadata

    agencies: dict[str, dict[str, Any]] = {}
    out: dict[str, Any] = {"status": "ok", "agencies": agencies}
    for akey, agency in run.profile.agencies.items():
        meta_dict, _notes = sdv_metadata(agency)
        try:
            metadata = Metadata.load_from_dict(meta_dict)
        except Exception as e:  # noqa: BLE001 - report SDV's complaint, never crash
            agencies[akey] = {"metadata_error": f"{type(e).__name__}: {e}"}
            continue
        data = {t.name: run.agency_table(akey, key) for key, t in agency.tables.items()}
        entry: dict[str, Any] = {}
        try:
            diag = run_diagnostic(data, data, metadata, verbose=False)
            entry["diagnostic_score"] = float(diag.get_score())
        except Exception as e:  # noqa: BLE001 - report SDV's complaint, never crash
            entry["diagnostic_error"] = f"{type(e).__name__}: {e}"
        if reference is not None:
            real = {}
            for t in agency.tables.values():
                for ext in (".parquet", ".csv"):
                    p = Path(reference) / f"{t.name}{ext}"
                    if p.is_file():
                        real[t.name] = pd.read_parquet(p) if ext == ".parquet" else pd.read_csv(p)
            if real.keys() == data.keys():
                try:
                    quality = evaluate_quality(real, data, metadata, verbose=False)
                    entry["quality_score"] = float(quality.get_score())
                except Exception as e:  # noqa: BLE001
                    entry["quality_error"] = f"{type(e).__name__}: {e}"
            else:
                entry["quality"] = "skipped: the reference folder lacks some of this agency's tables"
        agencies[akey] = entry
    return out
