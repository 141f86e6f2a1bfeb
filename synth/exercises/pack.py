"""Write a teaching pack: one Markdown file per exercise, an index, the answer key and a manifest.

```
PACK/README.md                 the index: exercises, the run, how to check answers
PACK/<id>.md                   task, tables, hints, where to put the answer
PACK/answers/<id>.csv          the key: the exact result on this run
PACK/answers/<id>.sql          the DuckDB solution, where there is one
PACK/manifest.json             kind "synth exercises", the run, every exercise's marking rules
```

Written through the staged writer (:func:`synth.export.staging.staged_dir`): an existing pack is
replaced only with ``force``, and a failure leaves nothing behind.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from synth.errors import InputError
from synth.exercises import TRACKS
from synth.exercises.model import Exercise, RunContext
from synth.exercises.registry import EXERCISES, UNMARKED
from synth.export.staging import GENERATOR, staged_dir

HINT_NAMES = ("Hint 1 (a nudge)", "Hint 2 (the method)", "Hint 3 (nearly the answer)")
#: Hints shown at each pack level: beginners get all three, level 3 only the nudge.
HINTS_AT_LEVEL = {1: 3, 2: 2, 3: 1}


def select(ctx: RunContext, track: str | None, level: int | None) -> tuple[list[Exercise], list[dict[str, str]]]:
    """The exercises of ``track`` up to difficulty ``level`` the run can set, and those it cannot (with why)."""
    if track is not None and track not in TRACKS:
        raise InputError(f"--track {track}: unknown track; choose one of {', '.join(TRACKS)}")
    if level is not None and level not in (1, 2, 3):
        raise InputError(f"--level {level}: give 1, 2 or 3")
    chosen, skipped = [], []
    for e in EXERCISES:
        if (track and e.track != track) or (level and e.level > level):
            continue
        missing = [t for t in (*e.tables, *e.needs) if not ctx.has(t)]
        if missing:
            why = (f"the run has no {', '.join(missing)}" +
                   ("; generate it with --dirty" if "truth/quality_issues" in missing else ""))
            skipped.append({"id": e.id, "why": why})
        else:
            chosen.append(e)
    if not chosen:
        reasons = "; ".join(f"{s['id']}: {s['why']}" for s in skipped) or "no exercise matches"
        raise InputError(f"{ctx.path}: no exercise can be set on this run ({reasons})")
    return chosen, skipped


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, float_format="%.10g", lineterminator="\n")


def _markdown(ctx: RunContext, e: Exercise, key: pd.DataFrame, level: int) -> str:
    marked = [c for c in key.columns if c not in UNMARKED.get(e.id, ())]
    lines = [f"# {e.id}: {e.title}", "",
             f"*Track {e.track}, difficulty {e.level} of 3. Run: profile `{ctx.profile.name}`, seed {ctx.seed}, "
             f"identifier-error scale {ctx.error_scale:g}, dirt level {ctx.dirty_level}.*", "",
             "## Task", "", ctx.fill(e.task), "", "## Tables", ""]
    lines += [f"- `{ctx.name(t)}` (`{t}`)" for t in e.tables]
    lines += ["", "## Hints", ""]
    for name, hint in list(zip(HINT_NAMES, e.hints))[:HINTS_AT_LEVEL[level]]:
        lines += [f"<details><summary>{name}</summary>", "", ctx.fill(hint), "", "</details>", ""]
    lines += ["## Your answer", "",
              f"Save a CSV `{e.id}.csv` with the columns `{', '.join(marked)}` (header first; "
              f"{'one row' if not e.key else 'one row per ' + ', '.join(e.key)}), or a DuckDB query "
              f"`{e.id}.sql` that returns them (tables named as above; it runs on the run). Then "
              "`synth exercises check PACK ANSWERS`, PACK being this folder and ANSWERS yours. "
              + (f"Numbers are marked to within {e.tolerance:g}." if e.tolerance >= 1e-4 else ""), ""]
    if e.published:
        lines += [f"Published figures quoted above: {e.published} in the project's domain notes "
                  "(`synth/profiles/reference/SOURCES.md` says where each comes from).", ""]
    return "\n".join(lines)


def _readme(ctx: RunContext, rows: list[dict[str, Any]], skipped: list[dict[str, str]], level: int) -> str:
    lines = ["# Exercises on a synthetic family-justice run", "",
             f"Run `{ctx.path}`: profile `{ctx.profile.name}`, seed {ctx.seed}, {ctx.manifest.get('families')} "
             f"families, identifier-error scale {ctx.error_scale:g}, dirt level {ctx.dirty_level}. Synthetic data: "
             "no real person is in it. Each answer is exact for this run only: another seed gives the same "
             "questions with other answers.", "",
             f"Hints shown: level {level} ({HINTS_AT_LEVEL[level]} of 3 per exercise). The answer key is in "
             "`answers/` (take it out before handing the pack to learners).", "",
             "| exercise | track | difficulty | title | key rows |", "|---|---|---|---|---|"]
    lines += [f"| [{r['id']}]({r['file']}) | {r['track']} | {r['level']} | {r['title']} | {r['rows']} |" for r in rows]
    if skipped:
        lines += ["", "Not set on this run: " + "; ".join(f"{s['id']} ({s['why']})" for s in skipped) + "."]
    lines += ["", "Check a folder of answers (`<id>.csv` or `<id>.sql`): `synth exercises check PACK ANSWERS`.", ""]
    return "\n".join(lines)


def write_pack(run_dir: Path, out: Path, track: str | None = None, level: int | None = None,
               force: bool = False) -> dict[str, Any]:
    """Write the pack of the run ``run_dir`` into the folder ``out``.

    Args:
        run_dir: a folder made by ``synth generate``.
        out: the pack folder (must not exist unless ``force``).
        track: only this track (default: all four).
        level: only exercises of difficulty up to this, with fewer hints as it rises
            (:data:`HINTS_AT_LEVEL`: 3 hints at level 1, 1 at level 3); None: every exercise, every hint.
        force: replace an existing pack.

    Returns:
        The manifest written (exercises with their key sizes, those skipped and why).

    Raises:
        InputError: a folder that is not a run, an unknown track or level, nothing to set.
        OutputError: ``out`` exists (without ``force``) or cannot be written.
    """
    ctx = RunContext(Path(run_dir))
    chosen, skipped = select(ctx, track, level)
    hint_level = level or 1
    keys = {e.id: e.answer(ctx) for e in chosen}
    rows: list[dict[str, Any]] = []
    with staged_dir(Path(out), force) as stage:
        (stage / "answers").mkdir()
        for e in chosen:
            key = keys[e.id]
            (stage / f"{e.id}.md").write_text(_markdown(ctx, e, key, hint_level), encoding="utf-8")
            (stage / "answers" / f"{e.id}.csv").write_text(_csv(key), encoding="utf-8")
            if e.solution:
                (stage / "answers" / f"{e.id}.sql").write_text(ctx.fill(e.solution).strip() + "\n", encoding="utf-8")
            rows.append({"id": e.id, "track": e.track, "level": e.level, "title": e.title, "file": f"{e.id}.md",
                         "answer": f"answers/{e.id}.csv", "key": list(e.key), "rows": len(key),
                         "tolerance": e.tolerance, "unmarked": list(UNMARKED.get(e.id, ())),
                         "columns": [str(c) for c in key.columns],
                         "floats": [str(c) for c in key.columns if pd.api.types.is_float_dtype(key[c])]})
        (stage / "README.md").write_text(_readme(ctx, rows, skipped, hint_level), encoding="utf-8")
        manifest = {"kind": "synth exercises", "generator": GENERATOR, "run": str(ctx.path.resolve()),
                    "profile": ctx.profile.name, "seed": ctx.seed, "families": ctx.manifest.get("families"),
                    "identifier_error_scale": ctx.error_scale, "dirty_level": ctx.dirty_level,
                    "track": track, "level": level, "exercises": rows, "skipped": skipped}
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, default=_json) + "\n", encoding="utf-8")
    return manifest


def _json(x: object) -> object:
    if isinstance(x, float) and math.isnan(x):
        return None
    return str(x)
