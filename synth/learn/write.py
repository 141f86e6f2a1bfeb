"""Write a learned profile, its volumes and its disclosure log, together and atomically.

The profile ``extends:`` the base and overrides only learned leaves. A leaf replaces the base's
leaf whole: keys the base has and the leaf does not are set to ``null`` (which the loader's
merge removes), so no stale parameter or ``assumption:`` survives under a learned number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from synth.export.staging import staged_files
from synth.learn.leaves import Leaf
from synth.learn.sdc import Event, Rules
from synth.profile.kinds import Conditional, Kind


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors; numbers-only mappings and scalar lists on one line, the rest in blocks."""

    def ignore_aliases(self, data: object) -> bool:  # noqa: D102
        return True


def _scalar(v: object) -> bool:
    return isinstance(v, (int, float, str, bool)) or v is None


def _map(dumper: yaml.SafeDumper, data: dict) -> yaml.MappingNode:
    flow = bool(data) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _seq(dumper: yaml.SafeDumper, data: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=all(_scalar(v) for v in data))


_Dumper.add_representer(dict, _map)
_Dumper.add_representer(list, _seq)


def patch(base: Any, new: Any) -> Any:
    """``new`` with ``null`` for every key ``base`` has that ``new`` lacks, keys spelled as in ``base``."""
    if not isinstance(base, dict) or not isinstance(new, dict):
        return new
    by_text = {str(k): k for k in base}
    out = {}
    for k, v in new.items():
        bk = by_text.get(str(k), k)
        out[bk] = patch(base[bk], v) if bk in base else v
    seen = {str(k) for k in new}
    for k in base:
        if str(k) not in seen:
            out[k] = None
    return out


def _node(raw: dict, path: tuple) -> dict | None:
    node: object = raw
    for p in path:
        if not isinstance(node, dict):
            return None
        cases = node.get("cases", {})
        node = next((v for k, v in cases.items() if str(k) == str(p)), None)
    return node if isinstance(node, dict) else None


def _leaves_under(d: Kind, path: tuple = ()) -> list[tuple]:
    if isinstance(d, Conditional):
        return [p for k, c in d.cases.items() for p in _leaves_under(c, (*path, k))]
    return [path]


def distribution_overrides(leaves: list[Leaf], base_raw: dict, base_dists: dict, source: str) -> dict:
    """The ``world.distributions`` mapping of the learned profile.

    Args:
        leaves: the learned leaves.
        base_raw: the base profile's merged YAML (``world.distributions``), keys as written.
        base_dists: the base profile's typed distributions.
        source: the provenance string every learned leaf carries.
    """
    out: dict = {}
    for name in dict.fromkeys(lf.name for lf in leaves):
        mine = {lf.case: lf for lf in leaves if lf.name == name}
        tree: dict = {}
        for case, lf in mine.items():
            body = {**lf.body, "source": source, "note": f"measured on {int(lf.n):,} {lf.unit}"
                    + (f"; {lf.note}" if lf.note else "")}
            leaf = patch(_node(base_raw[name], case) or {}, body)
            node = tree
            for c in case:
                node = node.setdefault("cases", {}).setdefault(c, {})
            node.update(leaf)
        # Conditional nodes whose every leaf is learned take the learned provenance too.
        all_leaves = _leaves_under(base_dists[name])
        for depth in range(max((len(c) for c in mine), default=0)):
            for prefix in {c[:depth] for c in mine}:
                under = [p for p in all_leaves if p[:depth] == prefix]
                if under and all(p in mine for p in under):
                    raw = _node(base_raw[name], prefix) or {}
                    node = tree
                    for c in prefix:
                        node = node["cases"][c]
                    node["source"] = source
                    node.update({k: None for k in ("assumption", "note") if k in raw})
        out[name] = _respell(tree, base_raw[name])
    return out


def _respell(tree: Any, raw: Any) -> Any:
    """Spell ``cases`` keys as the base spells them (YAML ints stay ints)."""
    if not isinstance(tree, dict) or not isinstance(raw, dict):
        return tree
    out = {}
    for k, v in tree.items():
        if k == "cases" and isinstance(v, dict):
            by_text = {str(b): b for b in raw.get("cases", {})}
            out[k] = {by_text.get(str(c), c): _respell(sub, raw.get("cases", {}).get(by_text.get(str(c), c), {}))
                      for c, sub in v.items()}
        else:
            out[k] = v
    return out


def render_profile(name: str, description: str, extends: str, header: list[str], distributions: dict,
                   volumes: dict | None) -> str:
    """The learned profile's YAML text."""
    body: dict = {"extends": extends, "name": name, "description": description, "world": {}}
    if volumes is not None:
        body["world"]["volumes"] = volumes
    body["world"]["distributions"] = distributions
    text = yaml.dump(body, Dumper=_Dumper, sort_keys=False, width=4096, allow_unicode=True)
    return "".join(f"# {line}\n" for line in header) + text


def render_log_json(meta: dict, leaves: list[Leaf], kept: dict[str, str], events: list[Event]) -> str:
    """The machine-readable disclosure log."""
    doc = {**meta,
           "learned": [{"distribution": lf.name, "case": "/".join(lf.case), "unit": lf.unit, "n_rounded": int(lf.n),
                        "published_cells": [list(g) for g in lf.groups]} for lf in leaves],
           "kept_from_base": [{"distribution": k, "reason": v} for k, v in kept.items()],
           "events": [{"distribution": e.distribution, "case": e.case, "action": e.action, "detail": e.detail}
                      for e in events]}
    return json.dumps(doc, indent=2) + "\n"


def render_log_md(meta: dict, leaves: list[Leaf], kept: dict[str, str], events: list[Event], rules: Rules) -> str:
    """The disclosure log for the output checker."""
    lines = [f"# Disclosure log: {meta['profile']}", "",
             f"Learned by `synth learn` {meta['synth_version']} from `{meta['data']}` "
             f"(agency `{meta['agency']}`, base profile `{meta['base_profile']}`).", "",
             "## Rules applied", "",
             f"- Threshold: every published cell, bin and summary rests on at least {rules.threshold} contributors "
             "(distinct cases, children, mothers... as named per distribution); smaller cells are merged, never "
             "dropped.",
             f"- Rounding: published counts are rounded to base {rules.rounding}; probabilities are computed from "
             "the rounded counts. Counts in this log are rounded too; small ones are written as "
             f"\"fewer than {rules.threshold}\".",
             "- Dominance (means, CVs): suppressed when fewer than the threshold contribute, when "
             + " or ".join(f"the largest {n} hold more than {k:.0%}" for n, k in rules.dominance)
             + f" of the total, or under the p% rule (p = {rules.p_percent:.0%}).",
             "- Conditional cases that cannot be published fall back to a coarser case or the base profile.",
             "- Values not in the base profile's code lists appear only when safe on their own; otherwise they are "
             "counted, not named.", "",
             f"People in the extract (rounded): {meta['people_rounded']:,}.", "",
             "## Learned", "", "| distribution | case | rests on (rounded) |", "|---|---|---|"]
    lines += [f"| {lf.name} | {'/'.join(lf.case) or '-'} | {int(lf.n):,} {lf.unit} |" for lf in leaves]
    lines += ["", "## Kept from the base profile", "", "| distribution | why |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in kept.items()]
    lines += ["", "## Suppressions, merges and rounding", "", "| distribution | case | action | detail |",
              "|---|---|---|---|"]
    lines += [f"| {e.distribution} | {e.case or '-'} | {e.action} | {e.detail} |" for e in events]
    return "\n".join(lines) + "\n"


def write_together(out_dir: Path, files: dict[str, str], check: Callable[[Path], dict[str, str]] | None,
                   stem: str, force: bool = True, retire: Sequence[str] = ()) -> None:
    """Stage ``files`` in a hidden folder, ``check`` them there, then move them into ``out_dir``.

    Written through the staged writer (:func:`synth.export.staging.staged_files`). The profile (the
    file named first) is moved last, so a crash can never leave a profile whose log or volumes are
    missing; a failed check leaves nothing at all.

    Args:
        out_dir: destination folder.
        files: file name -> text; the first is the profile.
        check: called with the staging folder before anything is moved; returns replacement texts
            for the final location (e.g. the profile with ``extends:`` relative to ``out_dir``).
        stem: the profile's name (kept for callers; the staging folder is named after the profile file).
        force: replace existing files (``synth learn`` refuses them without ``--force`` before it
            starts); with False a file that appears meanwhile is an error and is left untouched.
        retire: names of files in ``out_dir`` that the replaced output had and this one does not
            (removed after the move, e.g. the volumes of an earlier --force run).
    """
    names = list(files)
    with staged_files([out_dir / n for n in [*names[1:], names[0]]], force=force,
                      retire=[out_dir / n for n in retire]) as staging:
        for fname, text in files.items():
            (staging / fname).write_text(text, encoding="utf-8")
        final = check(staging) if check else {}
        for fname, text in final.items():
            (staging / fname).write_text(text, encoding="utf-8")
