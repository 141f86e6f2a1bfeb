"""``synth fit`` / ``synth sample``: an SDV HMASynthesizer on one subtree of an agency's tables.

Strategy (HMA's limits). SDV's free multi-table synthesizer, HMA, refuses schemas with more than
5 tables or a relationship chain deeper than 2 tables (root -> child), and knows single-column
keys only. Our agencies have more tables, composite keys and person tables shared between
branches, so one model covers one *subtree*: a root table and at most 4 of its direct children
(joined by single-column keys, from :func:`synth.export.sdv_metadata.sdv_metadata`).

- By default the subtree is chosen automatically: the root with most children that SDV can use
  (ties: most modelled columns), its children ordered by modelled columns, at most 4.
  cafcass_england: ``case`` + ``application``, ``child_subject``, ``adult_party``
  (``relationship`` has composite foreign keys SDV cannot express). cafcass_cymru: ``case`` +
  ``application``, ``hearing``, ``hearing_outcome``.
- ``--tables a,b,c`` chooses another subtree (one of them must be the parent of all the others).
  Fit one model per subtree for more tables; the models share nothing, and each sample
  regenerates its own keys (1..n), so tables from different models do not link.
- Identifiable tables (the profile's File 1 tables: names, NHS numbers, addresses) are never
  read (:func:`synth.learn.shape.identifying`). Id columns other than the keys SDV needs (the
  root's primary key and each child's foreign key) are left out of the model; keys and ids are
  regenerated after sampling as 1..n (text ids as ``S000001``...).

Seeds. Only the synthesizer's own seeds are set (``_numpy_seed``, which SDV applies inside its
calls and then restores the global state, and each table model's random state; SDV has no public
multi-table ``set_random_state``), before fitting and before sampling; no global RNG is seeded.
Sampling a saved model with the same seed is repeatable; fitting itself may not be
bit-reproducible across machines or library versions (SDV issue #2022).

Holdout. Before fitting, root rows are split 80/20 by a fixed hash of the row
(:func:`synth.learn.gate.split_holdout`); children follow their root. The model sees the 80%;
the 20% is the privacy gate's baseline.
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth.errors import InputError, SynthError
from synth.export.manifest import synth_version
from synth.export.staging import check_apart, check_replaceable, staged_dir
from synth.learn import gate
from synth.learn.read import base_agency, coerce_column
from synth.learn.sdv_plan import HOLDOUT_SHARE, Plan, for_sdv, plan_subtree, read_tables, split
from synth.profile.loader import load_profile
from synth.profile.models import Agency

INSTALL_HINT = "synth fit and synth sample need the optional sdv extra: pip install '.[sdv]' (see README)"
MODEL_FILE = "synthesizer.pkl"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "manifest.json"


def require_sdv() -> None:
    """Raise a one-line InputError (exit 2) when sdv is not installed."""
    try:
        import sdv  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None


def _seed_synthesizer(synthesizer: Any, seed: int) -> None:
    """Seed an HMA synthesizer through SDV's own seeds (private attributes; SDV has no public
    multi-table setter). SDV applies ``_numpy_seed`` only inside its calls and restores the global
    state afterwards, so nothing global is seeded here."""
    if hasattr(synthesizer, "_numpy_seed"):
        synthesizer._numpy_seed = int(seed % 2**32)
    for ts in getattr(synthesizer, "_table_synthesizers", {}).values():
        try:
            ts._set_random_state(int(seed % 2**32))
        except Exception:  # noqa: BLE001 - best effort: the numpy seed above still applies
            pass


def _sample(synthesizer: Any, scale: float, seed: int) -> dict[str, pd.DataFrame]:
    _seed_synthesizer(synthesizer, seed)
    if hasattr(synthesizer, "sample_scale"):  # SDV 2.x
        return synthesizer.sample_scale(scale=scale)
    return synthesizer.sample(scale=scale)  # SDV 1.x


def run_gate(plan: Plan, train: dict, synthetic: dict, holdout: dict | None, agency: Agency) -> list[dict]:
    """The privacy gate on the modelled tables, ids (keys) left out."""
    ids = {n: plan.keys.get(n, []) + plan.dropped.get(n, []) for n in train}
    return gate.run_gate(train, synthetic, holdout, ids)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "synth": synth_version()}
    for name in ("sdv", "rdt", "copulas", "torch", "numpy", "pandas", "pyarrow"):
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            pass
    return out


@dataclass
class FitResult:
    model: Path
    plan: Plan
    rows: dict[str, int]
    gate: list[dict]
    seconds: float


def fit(data_dir: Path, agency_key: str, out: Path, base: str = "england_wales", seed: int = 0,
        tables: list[str] | None = None, allow_risk: bool = False, force: bool = False) -> FitResult:
    """Fit HMA on a subtree of the agency's tables, gate a sample from it, save MODEL (a folder).

    Raises:
        InputError: sdv missing, bad agency or tables, unreadable data.
        OutputError: MODEL exists (without ``force``) or cannot be written.
        gate.PrivacyBreach: the gate failed and ``allow_risk`` is False (nothing written).
    """
    require_sdv()
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    out = Path(out)
    check_apart(out, Path(data_dir))
    check_replaceable(out, force)
    loaded, agency = base_agency(base, agency_key)
    prof = loaded.profile
    plan = plan_subtree(agency, tables, agency_key)
    frames = for_sdv(read_tables(data_dir, agency_key, agency, plan))
    train, holdout = split(frames, plan, agency)
    metadata = Metadata.load_from_dict(plan.metadata)
    metadata.validate()
    t0 = time.perf_counter()
    synthesizer = HMASynthesizer(metadata, verbose=False)
    _seed_synthesizer(synthesizer, seed)
    try:
        synthesizer.fit(train)
    except SynthError:
        raise
    except Exception as e:  # noqa: BLE001 - SDV's complaint about the data, as one line
        raise InputError(f"SDV could not fit {', '.join(train)}: {type(e).__name__}: "
                         f"{str(e).splitlines()[0] if str(e) else ''}") from None
    synthetic = _sample(synthesizer, 1.0, seed)
    results = run_gate(plan, train, synthetic, holdout, agency)
    seconds = time.perf_counter() - t0
    if not gate.passed(results) and not allow_risk:
        raise gate.PrivacyBreach(results)
    with staged_dir(out, force) as staging:
        synthesizer.save(str(staging / MODEL_FILE))
        (staging / METADATA_FILE).write_text(json.dumps(plan.metadata, indent=2) + "\n", encoding="utf-8")
        manifest = {
            "kind": "synth fit", "agency": agency_key, "profile": prof.name, "base": base,
            "data": str(Path(data_dir).resolve()), "synthesizer": "HMASynthesizer",
            "strategy": "subtree: one root table and at most 4 direct children (SDV HMA limits: <= 5 tables, "
                        "depth <= 2); id columns left out and regenerated",
            "root": plan.root, "tables": plan.tables,
            "table_names": {k: agency.tables[k].name for k in plan.tables},
            "keys": plan.keys, "dropped_id_columns": plan.dropped, "left_out": plan.left_out,
            "seed": seed, "holdout_share": HOLDOUT_SHARE,
            "rows": {"train": {k: len(v) for k, v in train.items()},
                     "holdout": {k: len(v) for k, v in holdout.items()}},
            "fit_seconds": round(seconds, 2), "versions": package_versions(),
            "allow_risk": bool(allow_risk), "gate_passed": gate.passed(results), "gate": results,
            "reproducibility": "sampling with the same seed is repeatable; fitting may not be bit-reproducible "
                               "(SDV #2022)",
        }
        (staging / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    return FitResult(out, plan, {k: len(v) for k, v in train.items()}, results, seconds)


def _regenerate(plan_meta: dict, manifest: dict, agency: Agency, sampled: dict[str, pd.DataFrame]
                ) -> dict[str, pd.DataFrame]:
    """Sampled tables with the agency's columns (keys and ids 1..n) and declared types."""
    by_name = {t.name: t for t in agency.tables.values()}
    root = agency.tables[manifest["root"]].name
    keys = manifest["keys"]
    root_df = sampled[root].reset_index(drop=True)
    mapping = None
    if keys.get(root):
        pk = keys[root][0]
        mapping = pd.Series(np.arange(1, len(root_df) + 1), index=root_df[pk].to_numpy())
    out = {}
    for name, df in sampled.items():
        df = df.reset_index(drop=True)
        table = by_name[name]
        n = len(df)
        cols = {}
        for c in table.columns:
            if name == root and keys.get(root) and c.name == keys[root][0]:
                s = pd.Series(np.arange(1, n + 1))
            elif name != root and keys.get(name) and c.name == keys[name][0] and mapping is not None:
                s = pd.Series(mapping.reindex(df[c.name].to_numpy()).to_numpy())
            elif c.name in df.columns:
                s = df[c.name]
            else:  # an id left out of the model: regenerated
                s = pd.Series(np.arange(1, n + 1))
                if c.type == "string":
                    s = s.map(lambda i: f"S{i:06d}")
            s = coerce_column(s, c.type)
            if c.type == "date":
                s = s.dt.date.astype(object).where(s.notna(), None)
            cols[c.name] = s
        out[name] = pd.DataFrame(cols)
    return out


@dataclass
class SampleResult:
    folder: Path
    rows: dict[str, int]
    gate: list[dict]
    seconds: float


def load_model(model: Path) -> Any:
    require_sdv()
    model = Path(model)
    mf = model / MANIFEST_FILE
    if not mf.is_file() or not (model / MODEL_FILE).is_file():
        raise InputError(f"{model}: not a model folder written by synth fit (no {MANIFEST_FILE} / {MODEL_FILE}); "
                         "give the MODEL folder synth fit wrote")
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{mf}: unreadable ({type(e).__name__}); run synth fit again") from None
    missing = [k for k in ("base", "agency", "tables") if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise InputError(f"{mf}: not a synth fit manifest (no {', '.join(missing)}); run synth fit "
                         "again")
    try:  # SDV 2.x
        from sdv.utils import load_synthesizer
    except ImportError:  # SDV 1.x
        from sdv.multi_table import HMASynthesizer

        load_synthesizer = HMASynthesizer.load
    try:
        synthesizer = load_synthesizer(str(model / MODEL_FILE))
    except Exception as e:  # unpickling a damaged file raises many types
        raise InputError(f"{model / MODEL_FILE}: cannot be loaded ({type(e).__name__}); run synth fit "
                         "again") from None
    return synthesizer, manifest


def sample(model: Path, out: Path, scale: float = 1.0, seed: int = 0, data_dir: Path | None = None,
           allow_risk: bool = False, force: bool = False) -> SampleResult:
    """Sample a fitted model into ``out/<agency>/`` (Parquet, the agency's table names) after the gate.

    The gate compares the sample with the training data (re-read from ``data_dir``, by default the
    folder recorded in the model's manifest, and split 80/20 exactly as ``fit`` split it).
    """
    if not math.isfinite(scale) or scale <= 0:
        raise InputError(f"--scale {scale}: must be a positive number (1.0: as many rows as the training data)")
    synthesizer, manifest = load_model(model)
    prof = load_profile(manifest["base"]).profile
    agency_key = manifest["agency"]
    agency = prof.agencies[agency_key]
    target = Path(out) / agency_key
    check_apart(target, Path(model))
    check_replaceable(target, force)
    plan = plan_subtree(agency, manifest["tables"], agency_key)
    t0 = time.perf_counter()
    raw = _sample(synthesizer, scale, seed)
    seconds = time.perf_counter() - t0
    data = Path(data_dir) if data_dir is not None else Path(manifest["data"])
    try:
        frames = for_sdv(read_tables(data, agency_key, agency, plan))
    except InputError as e:
        if not allow_risk:
            raise InputError(f"{e} (the privacy gate needs the training data: give --data, or --allow-risk to "
                             "write without the gate)") from None
        frames = None
    if frames is not None:
        train, holdout = split(frames, plan, agency)
        results = run_gate(plan, train, raw, holdout, agency)
    else:
        results = [{"check": "gate", "table": "", "passed": False, "statistic": "", "value": 0.0, "baseline": 0.0,
                    "tolerance": 0.0, "detail": "training data not available; gate not run"}]
    if not gate.passed(results) and not allow_risk:
        raise gate.PrivacyBreach(results)
    tables = _regenerate(plan.metadata, manifest, agency, raw)
    with staged_dir(target, force) as staging:
        for name, df in tables.items():
            df.to_parquet(staging / f"{name}.parquet", index=False)
        doc = {"kind": "synth sample", "model": str(Path(model).resolve()), "agency": agency_key,
               "tables": {k: agency.tables[k].name for k in manifest["tables"]},
               "rows": {k: len(v) for k, v in tables.items()}, "scale": scale, "seed": seed,
               "model_seed": manifest.get("seed"), "versions": package_versions(),
               "allow_risk": bool(allow_risk), "gate_passed": gate.passed(results), "gate": results,
               "not_sampled": manifest.get("left_out", {}),
               "note": "keys and ids are regenerated (1..n); tables from different models do not link"}
        (staging / MANIFEST_FILE).write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    return SampleResult(target, {k: len(v) for k, v in tables.items()}, results, seconds)
