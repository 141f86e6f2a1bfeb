"""Step 4 of loading a profile: check the merged mapping against the typed model.

Every problem is collected (never the first only), each as ``(file, key path, message with the
fix)``; the file is the one of the ``extends`` chain that states the offending key. Numbers that
are not finite (``.nan``, ``.inf``, ``-.inf``) are refused wherever they sit. The semantic rules
that need the typed profile are in :mod:`synth.profile.rules`.
"""

from __future__ import annotations

import difflib
import math
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from synth.profile.kinds import KINDS
from synth.profile.models import Profile

#: A problem: (file, key path, message with the fix).
Problem = tuple[str, str, str]

#: The files of an ``extends`` chain with what each one says, child first.
Chain = list[tuple[Path, dict[str, Any]]]

#: Pydantic markers of union members that are not part of a key path.
_MARKERS = ("str", "int", "float", "bool", "list[str]", "dict[str,float]", "Missing")


def fmt_loc(loc: tuple) -> str:
    """A key path as written in messages: ``agencies.x.tables.t.columns[1].field``."""
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _has_path(d: Any, path: tuple) -> bool:
    for part in path:
        if isinstance(d, dict) and part in d:
            d = d[part]
        elif isinstance(d, dict) and str(part) in {str(k) for k in d}:
            d = next(v for k, v in d.items() if str(k) == str(part))
        elif isinstance(d, list) and isinstance(part, int) and part < len(d):
            d = d[part]
        else:
            return False
    return True


def origin(chain: Chain, path: tuple) -> str:
    """The file of the chain that defines ``path`` (child first), for messages."""
    for p, raw in chain:
        for cut in range(len(path), 0, -1):
            if _has_path(raw, path[:cut]):
                return str(p)
    return str(chain[0][0])


def _unwrap(ann: Any) -> Any:
    if typing.get_origin(ann) is typing.Annotated:
        return typing.get_args(ann)[0]
    return ann


def _step(ann: Any, part: Any) -> Any:
    """The annotation one key below ``ann``, or None when unknown."""
    ann = _unwrap(ann)
    origin_, args = typing.get_origin(ann), typing.get_args(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann.model_fields[part].annotation if part in ann.model_fields else None
    if origin_ is dict and args:
        return args[1]
    if origin_ is list and args:
        return args[0]
    if origin_ is typing.Union or str(origin_) == "<class 'types.UnionType'>":
        members = [a for a in args if a is not type(None)]
        by_kind = {typing.get_args(m.model_fields["kind"].annotation)[0]: m for m in members
                   if isinstance(m, type) and issubclass(m, BaseModel) and "kind" in m.model_fields}
        if part in by_kind:
            return by_kind[part]
        if len(members) == 1:
            return _step(members[0], part)
    return None


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that sits at ``loc`` inside a Profile (for listing valid keys)."""
    ann: Any = Profile
    for part in loc:
        ann = _step(ann, part)
        if ann is None:
            return None
    ann = _unwrap(ann)
    members = [a for a in typing.get_args(ann) if a is not type(None)] if typing.get_args(ann) else [ann]
    if len(members) == 1:
        ann = members[0]
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member markers from an error location."""
    return tuple(p for p in loc if not (isinstance(p, str) and (
        (p in KINDS and p != "conditional") or p.startswith(("function-", "tagged-union", "union[")) or p in _MARKERS)))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def translate(err: dict[str, Any]) -> tuple[tuple, str]:
    """A pydantic error as (key path, message with the fix)."""
    raw_loc = tuple(err["loc"])
    loc = _clean_loc(raw_loc)
    typ, msg = err["type"], err["msg"]
    if typ == "extra_forbidden":
        model = model_at(loc[:-1]) or model_at(raw_loc[:-1])
        allowed = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        fix = f"did you mean '{close[0]}'?" if close else (
            f"valid keys here: {', '.join(allowed)}" if allowed else "remove it")
        return loc, f"unknown key '{loc[-1]}'; {fix}"
    if typ == "missing":
        return loc, "required key is missing; add it"
    if typ == "union_tag_invalid":
        tag = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
        return loc + ("kind",), f"unknown distribution kind '{tag}'; valid kinds: {', '.join(KINDS)}"
    if typ == "union_tag_not_found":
        return loc, f"distribution needs 'kind:' (one of {', '.join(KINDS)})"
    if typ == "finite_number":
        return loc, f"must be a finite number, got {_short(err.get('input'))}; give a number"
    if typ.startswith(("date_", "datetime_")):
        detail = msg.split(", ", 1)[1] if ", " in msg else msg
        return loc, f"'{err.get('input')}' is not a valid date ({detail}); give a real date as YYYY-MM-DD"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if typ in bounds:
        limit = next(iter((err.get("ctx") or {}).values()), "?")
        return loc, f"must be {bounds[typ]} {limit}, got {err.get('input')!r}; use a value {bounds[typ]} {limit}"
    if typ.endswith(("_type", "_parsing")) and "input" in err:
        return loc, f"{msg[0].lower() + msg[1:]}, got {_short(err['input'])}; give one"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return loc, msg[0].lower() + msg[1:] if msg else typ


def _yaml_number(v: float) -> str:
    return ".nan" if math.isnan(v) else (".inf" if v > 0 else "-.inf")


def non_finite(data: Any, loc: tuple = ()) -> list[tuple[tuple, str]]:
    """Every NaN or infinite number in a mapping, as (key path, message with the fix)."""
    out: list[tuple[tuple, str]] = []
    stack: list[tuple[Any, tuple]] = [(data, loc)]
    while stack:
        d, at = stack.pop()
        if isinstance(d, float) and not math.isfinite(d):
            out.append((at, f"{_yaml_number(d)} is not a number a profile can use; give a finite number"))
        elif isinstance(d, dict):
            stack.extend((v, at + (k,)) for k, v in reversed(list(d.items())))
        elif isinstance(d, list):
            stack.extend((v, at + (i,)) for i, v in reversed(list(enumerate(d))))
    return out


def dedupe(problems: list[Problem]) -> list[Problem]:
    """``problems`` without repeats, in the order found."""
    return list(dict.fromkeys(problems))


def check_model(merged: dict[str, Any], chain: Chain) -> tuple[Profile | None, list[Problem]]:
    """Validate the merged mapping against :class:`~synth.profile.models.Profile`.

    Args:
        merged: the merged profile mapping.
        chain: the files it came from, child first (to name the file of each problem).

    Returns:
        The typed profile (None when invalid) and every problem found.
    """
    bad_numbers = non_finite(merged)
    problems = [(origin(chain, loc), fmt_loc(loc), msg) for loc, msg in bad_numbers]
    at_bad = {loc for loc, _ in bad_numbers}
    try:
        profile = Profile.model_validate(merged)
    except ValidationError as e:
        for err in e.errors():
            loc, msg = translate(dict(err))
            if loc not in at_bad:
                problems.append((origin(chain, loc), fmt_loc(loc), msg))
        return None, dedupe(problems)
    return profile, problems
