"""``synth learn``: read an agency's extract, learn what it can, control disclosure, write a profile.

Nothing is written until everything has been learned and checked: the profile, its volumes and
its disclosure log are staged together, the profile is loaded back from the staging folder, and
only then are the files moved into place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synth.dates import fy_of, to_days
from synth.errors import InputError, OutputError
from synth.export.manifest import synth_version
from synth.learn import derive, derive_people, gate, profile_gate, sdc  # noqa: F401 - derive* register
from synth.learn.extract import build_extract
from synth.learn.leaves import Context, Leaf
from synth.learn.read import Reader, base_agency, locate
from synth.learn.volumes import learn_volumes
from synth.learn.write import (
    distribution_overrides,
    render_log_json,
    render_log_md,
    render_profile,
    write_together,
)
from synth.profile.extends import read_chain
from synth.profile.find import find_profile
from synth.profile.kinds import Conditional
from synth.profile.loader import LoadedProfile, load_profile
from synth.profile.mechanisms import DERIVATIONS as MECHANISM_DERIVATIONS
from synth.profile.mechanisms import MECHANISMS
from synth.profile.reference import read_reference
from synth.progress import SILENT, Reporter
from synth.world.volumes import in_cases

#: Distribution name -> derivation, in the order they run (later ones may read earlier leaves):
#: registered with @derivation in synth.learn.derive and synth.learn.derive_people.
DERIVATIONS = MECHANISM_DERIVATIONS


def not_learned_reason(name: str) -> str:
    """Why ``name`` is kept from the base profile when nothing derives it."""
    m = MECHANISMS.get(name)
    reason = m.derive if m is not None else None
    return reason if isinstance(reason, str) else "not learned by this version"


@dataclass
class LearnResult:
    """What ``synth learn`` wrote and learned."""

    profile: Path
    log_json: Path
    log_md: Path
    volumes: Path | None
    leaves: list[Leaf]
    kept: dict[str, str]
    events: list[sdc.Event] = field(default_factory=list)


def outputs(out: Path) -> dict[str, Path]:
    """The files written for profile path ``out``."""
    stem = out.name[: -len(out.suffix)] if out.suffix else out.name
    return {"profile": out, "log_json": out.with_name(f"{stem}.disclosure.json"),
            "log_md": out.with_name(f"{stem}.disclosure.md"), "volumes": out.with_name(f"{stem}.volumes.csv")}


def _extends(base: str, base_path: Path, folder: Path) -> str:
    """How the learned profile names its base: by name when found by name, else a relative path."""
    p = Path(base)
    if p.suffix not in (".yaml", ".yml") and not p.exists():
        return base
    return os.path.relpath(base_path, folder.resolve())


def learn(data_dir: Path, agency: str, out: Path, base: str = "england_wales", rules: sdc.Rules | None = None,
          force: bool = False, allow_risk: bool = False, progress: Reporter | None = None) -> LearnResult:
    """Learn a profile from an agency's extract.

    Args:
        data_dir: folder of Parquet/CSV tables, or a DuckDB file (or a folder holding one).
        agency: the agency key in the base profile.
        out: the profile file to write (``.yaml``); the log and volumes go beside it.
        base: the base profile (name or path).
        rules: disclosure-control settings.
        force: replace existing output files.
        allow_risk: write even if the privacy gate (:mod:`synth.learn.profile_gate`) fails; recorded
            in the disclosure log.
        progress: shows and logs ``learn:read``, ``learn:derive`` (per distribution), ``learn:volumes``
            and ``learn:write`` (display only).

    Raises:
        gate.PrivacyBreach: the privacy gate failed (nothing written) and ``allow_risk`` is False.
        InputError: bad paths, unknown agency, missing tables or columns.
        OutputError: outputs exist (without ``force``) or cannot be written.
        ProfileError: the base profile cannot be loaded.
    """
    rules = rules or sdc.Rules()
    if rules.threshold < 1 or rules.rounding < 1:
        raise InputError("--threshold and --rounding must be at least 1; the usual values are 10 and 5")
    out = Path(out)
    if out.suffix not in (".yaml", ".yml"):
        raise InputError(f"--out {out}: give a profile file name ending in .yaml")
    files = outputs(out)
    existing = [p for p in files.values() if p.exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; choose another --out or pass --force to replace it")
    loaded, decl = base_agency(base, agency)
    prof = loaded.profile
    source = locate(Path(data_dir), agency, decl)
    rep = progress or SILENT
    reader = Reader(source, agency, decl)
    try:
        with rep.phase("learn:read"):
            x = build_extract(reader, decl, prof.period.end, min_cases=rules.threshold)
            training = profile_gate.read_training(reader, decl)
    finally:
        reader.close()
    ctx = Context(x, dict(prof.world.distributions), rules, countries=tuple(decl.coverage.country))
    for key in x.skipped:
        ctx.log.add("-", key, "skip", f"table {decl.tables[key].name} holds direct identifiers (names, NHS numbers, "
                    "addresses): not read; synth learn reads de-identified extracts only")
    for fld, n in x.unmapped:
        ctx.log.add(fld, "", "ignore", f"{sdc.say(n, rules)} values outside the profile's code map ignored")
    derive_now = [(name, fn) for name, fn in DERIVATIONS.items() if name in ctx.dists]
    with rep.phase("learn:derive", total=len(derive_now)) as phase:
        for _, fn in derive_now:
            fn(ctx)
            phase.advance()
    for name in ctx.dists:
        if name not in DERIVATIONS and name not in ctx.kept:
            ctx.keep(name, not_learned_reason(name))
    people = int(sdc.round_base(x.people, rules.rounding))
    provenance = (f"learned from {source.label} by synth learn {synth_version()} on {people:,} people; "
                  f"disclosure-controlled ({rules.describe()})")
    volumes = None
    if len(decl.coverage.country) == 1:
        with rep.phase("learn:volumes"):
            first_fy, last_fy = (int(fy_of([to_days(d)])[0]) for d in (prof.period.start, prof.period.end))
            vol_path = loaded.reference_path(prof.world.volumes.file)
            base_vol = in_cases(read_reference(vol_path, "volumes"), vol_path)  # in the world's unit, cases
            base_vol = base_vol[[c for c in ("fy", "country", "law_type", "cases", "source") if c in base_vol]]
            volumes = learn_volumes(x, base_vol, decl.coverage.country[0], first_fy, last_fy, rules, ctx.log,
                                    provenance)
    else:
        ctx.log.add("volumes", "", "kept", "kept from the base profile: the agency covers more than one country")
    with rep.phase("learn:write"):
        return _write(out, files, base, loaded, ctx, volumes, provenance, source.label, agency, people, rules,
                      training, allow_risk)


def _write(out: Path, files: dict[str, Path], base: str, loaded: LoadedProfile, ctx: Context,
           volumes: pd.DataFrame | None, provenance: str, label: str, agency: str, people: int, rules: sdc.Rules,
           training: dict[str, pd.DataFrame] | None = None, allow_risk: bool = False) -> LearnResult:
    stem = files["log_json"].name[: -len(".disclosure.json")]
    base_path = find_profile(base)
    raw, _ = read_chain(base_path)
    dists = distribution_overrides(ctx.leaves, raw["world"]["distributions"], ctx.dists, provenance)
    vol_entry: dict[str, str | None] | None = None
    if volumes is not None:
        vol_entry = {"file": files["volumes"].name, "source": provenance}
        vol_entry.update({k: None for k in ("assumption", "note") if k in raw["world"].get("volumes", {})})
    header = [f"{stem}: learned by synth learn {synth_version()} from {label} (agency {agency}).",
              f"Disclosure-controlled ({rules.describe()}); log: {files['log_md'].name}, {files['log_json'].name}.",
              "Only learned distributions are overridden; everything else comes from the base profile."]
    description = f"Profile learned from {label} ({agency}); distributions not learned come from {loaded.profile.name}."

    def text(folder: Path) -> str:
        return render_profile(stem, description, _extends(base, base_path, folder), header, dists, vol_entry)

    meta = {"profile": files["profile"].name, "synth_version": synth_version(), "data": label, "agency": agency,
            "base_profile": loaded.profile.name, "people_rounded": people,
            "rules": {"threshold": rules.threshold, "rounding": rules.rounding,
                      "dominance": [list(r) for r in rules.dominance], "p_percent": rules.p_percent}}
    texts = {files["profile"].name: text(out.parent),
             files["log_json"].name: render_log_json(meta, ctx.leaves, ctx.kept, ctx.log.events),
             files["log_md"].name: render_log_md(meta, ctx.leaves, ctx.kept, ctx.log.events, rules)}
    if volumes is not None:
        texts[files["volumes"].name] = volumes.to_csv(index=False)

    def check(staging: Path) -> dict[str, str]:
        staged = staging / files["profile"].name
        staged.write_text(text(staging), encoding="utf-8")
        learned = load_profile(staged).profile.world.distributions
        for lf in ctx.leaves:
            got = learned[lf.name]
            for c in lf.case:
                if not isinstance(got, Conditional):
                    raise OutputError(f"{staged}: learned {lf.name} {'/'.join(lf.case)} is not conditional on "
                                      f"reading back; this is a bug in synth learn")
                got = got.cases[c]
            want = type(got).model_validate({**lf.body, "assumption": "x"})
            fields = set(type(got).model_fields) - {"source", "assumption", "note"}
            if any(getattr(got, f) != getattr(want, f) for f in fields):
                raise OutputError(f"{staged}: learned {lf.name} {'/'.join(lf.case)} did not load back as written; "
                                  "this is a bug in synth learn")
        final = {files["profile"].name: text(out.parent)}
        if training:
            results = profile_gate.check_profile(staged, agency, training)
            if not gate.passed(results) and not allow_risk:
                raise gate.PrivacyBreach(results)
            doc = {**meta, "privacy_gate": {"passed": gate.passed(results), "allow_risk": bool(allow_risk),
                                            "results": results}}
            final[files["log_json"].name] = render_log_json(doc, ctx.leaves, ctx.kept, ctx.log.events)
        return final

    # A volumes table from an earlier --force run goes: the new profile does not name it.
    write_together(out.parent, texts, check, stem, retire=[files["volumes"].name] if volumes is None else [])
    return LearnResult(files["profile"], files["log_json"], files["log_md"],
                       files["volumes"] if volumes is not None else None, ctx.leaves, ctx.kept, ctx.log.events)


__all__ = ["learn", "LearnResult", "DERIVATIONS"]
