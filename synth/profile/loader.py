"""Load a profile: YAML -> ``extends`` deep merge -> typed model -> semantic checks.

Every problem found is collected and reported together, each with the file and the YAML path
where it sits and what to do about it.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from synth.errors import ProfileError
from synth.profile import distributions as D
from synth.profile.models import Profile
from synth.profile.requirements import GIVEN_VALUES, REQUIRED

PACKAGE_ROOT = Path(__file__).resolve().parents[2]

#: Columns each reference CSV must have.
REFERENCE_COLUMNS = {
    "local_authorities": ("la_code", "la_name", "country", "region", "dfj_area", "public_weight",
                          "private_weight"),
    "lsoas": ("lsoa_code", "la_code"),
    "volumes": ("fy", "country", "law_type", "cases"),
}


@dataclass(frozen=True)
class LoadedProfile:
    """A checked profile with where it came from.

    Attributes:
        profile: The typed, immutable model.
        path: The YAML file named by the user.
        chain: The files merged, child first.
        sha256: Hash of the merged profile and every reference CSV it uses.
    """

    profile: Profile
    path: Path
    chain: tuple[Path, ...]
    sha256: str

    def reference_path(self, file: str) -> Path:
        """Resolve a reference CSV named in the profile (relative to the file that named it)."""
        for p in self.chain:
            candidate = (p.parent / file).resolve()
            if candidate.exists():
                return candidate
        return (self.path.parent / file).resolve()


def profile_dirs() -> list[Path]:
    """Folders searched for profiles by name: $SYNTH_PROFILES, ./profiles, the package's."""
    dirs = [Path(p) for p in os.environ.get("SYNTH_PROFILES", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "profiles", PACKAGE_ROOT / "profiles"]
    seen, out = set(), []
    for d in dirs:
        r = d.resolve()
        if r not in seen and r.is_dir():
            seen.add(r)
            out.append(r)
    return out


def list_profiles() -> list[Path]:
    """Every ``*.yaml`` profile found on the search path (first one wins per name)."""
    found: dict[str, Path] = {}
    for d in profile_dirs():
        for p in sorted(d.glob("*.yaml")):
            found.setdefault(p.stem, p)
    return [found[k] for k in sorted(found)]


def find_profile(name: str | Path) -> Path:
    """Resolve a profile name (``england_wales``) or a path to its YAML file.

    Raises:
        ProfileError: when nothing matches, listing the names that exist.
    """
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if p.is_file():
            return p.resolve()
        raise ProfileError([(str(name), "", "file not found; give a path to a profile YAML "
                             "or a name from `synth profiles list`")])
    for d in profile_dirs():
        for ext in (".yaml", ".yml"):
            if (d / f"{name}{ext}").is_file():
                return (d / f"{name}{ext}").resolve()
    names = [q.stem for q in list_profiles()]
    hint = difflib.get_close_matches(str(name), names, n=1)
    fix = f"did you mean '{hint[0]}'?" if hint else f"known profiles: {', '.join(names) or 'none'}"
    raise ProfileError([(str(name), "", f"no such profile; {fix}")])


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ProfileError([(str(path), "", f"cannot read file: {e.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        ctx = getattr(e, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        opened = ""
        if ctx is not None and getattr(e, "context", None):
            opened = f" ({e.context} at line {ctx.line + 1}, column {ctx.column + 1})"
        raise ProfileError([(str(path), "", f"not valid YAML: {where}{problem}{opened}; fix the syntax there")]) \
            from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError([(str(path), "", "a profile must be a YAML mapping of keys to values")])
    return data


def deep_merge(base: dict, over: dict) -> dict:
    """Merge ``over`` onto ``base``: mappings merge key by key, ``null`` removes a key, anything
    else replaces."""
    out = dict(base)
    for k, v in over.items():
        if v is None and k in out:
            del out[k]
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _load_chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict, list[tuple[Path, dict]]]:
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise ProfileError([(str(path), "extends", f"profiles extend each other in a cycle ({cycle}); break it")])
    raw = _read_yaml(path)
    parent_name = raw.pop("extends", None)
    if parent_name is None:
        return raw, [(path, raw)]
    candidate = path.parent / str(parent_name)
    if candidate.suffix in (".yaml", ".yml"):
        # A path is taken relative to the extending file only, never to the working directory.
        parent_path = candidate.resolve()
        if not parent_path.is_file():
            raise ProfileError([(str(path), "extends", f"'{parent_name}' not found (looked for {parent_path}); "
                                 "give a path relative to this file or a name from `synth profiles list`")])
    else:
        try:
            parent_path = find_profile(str(parent_name))
        except ProfileError as e:
            raise ProfileError([(str(path), "extends", e.problems[0][2])]) from None
    parent, chain = _load_chain(parent_path, (*seen, path))
    return deep_merge(parent, raw), [(path, raw), *chain]


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


def _origin(chain: list[tuple[Path, dict]], path: tuple) -> str:
    """The file of the chain that defines ``path`` (child first), for error messages."""
    for p, raw in chain:
        for cut in range(len(path), 0, -1):
            if _has_path(raw, path[:cut]):
                return str(p)
    return str(chain[0][0])


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that sits at ``loc`` inside a Profile (for listing valid keys)."""
    import typing

    ann: Any = Profile
    for part in loc:
        origin = typing.get_origin(ann)
        args = typing.get_args(ann)
        if origin is typing.Annotated:
            ann, origin, args = args[0], typing.get_origin(args[0]), typing.get_args(args[0])
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if part not in ann.model_fields:
                return None
            ann = ann.model_fields[part].annotation
            continue
        if origin in (dict,) and args:
            ann = args[1]
        elif origin in (list,) and args:
            ann = args[0]
        elif origin in (typing.Union,) or str(origin) == "<class 'types.UnionType'>":
            members = [a for a in args if a is not type(None)]
            by_kind = {getattr(m, "model_fields", {}).get("kind") and typing.get_args(
                m.model_fields["kind"].annotation)[0]: m for m in members if isinstance(m, type)}
            if part in by_kind:
                ann = by_kind[part]
            elif len(members) == 1:
                ann = members[0]
                if isinstance(ann, type) and issubclass(ann, BaseModel):
                    if part not in ann.model_fields:
                        return None
                    ann = ann.model_fields[part].annotation
            else:
                return None
        else:
            return None
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        ann = typing.get_args(ann)[0]
    members = [a for a in typing.get_args(ann) if a is not type(None)] if typing.get_args(ann) else [ann]
    if len(members) == 1:
        ann = members[0]
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-member markers from an error location."""
    return tuple(p for p in loc if not (isinstance(p, str) and (p in D.KINDS and p != "conditional"
                 or p.startswith(("function-", "tagged-union", "union[")) or p in ("str", "int", "float", "bool",
                 "list[str]", "dict[str,float]", "Missing"))))


def _translate(err: dict) -> tuple[tuple, str]:
    raw_loc = tuple(err["loc"])
    loc = _clean_loc(raw_loc)
    typ, msg = err["type"], err["msg"]
    if typ == "extra_forbidden":
        model = _model_at(loc[:-1]) or _model_at(raw_loc[:-1])
        allowed = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        fix = f"did you mean '{close[0]}'?" if close else (
            f"valid keys here: {', '.join(allowed)}" if allowed else "remove it")
        return loc, f"unknown key '{loc[-1]}'; {fix}"
    if typ == "missing":
        return loc, "required key is missing; add it"
    if typ == "union_tag_invalid":
        tag = err.get("input", {}).get("kind") if isinstance(err.get("input"), dict) else None
        return loc + ("kind",), f"unknown distribution kind '{tag}'; valid kinds: {', '.join(D.KINDS)}"
    if typ == "union_tag_not_found":
        return loc, f"distribution needs 'kind:' (one of {', '.join(D.KINDS)})"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if typ in bounds:
        limit = next(iter((err.get("ctx") or {}).values()), "?")
        return loc, f"must be {bounds[typ]} {limit}, got {err.get('input')!r}; use a value {bounds[typ]} {limit}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return loc, msg[0].lower() + msg[1:] if msg else typ


def _fmt(loc: tuple) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load_profile(name: str | Path) -> LoadedProfile:
    """Load, merge and check a profile by name or path.

    Raises:
        ProfileError: listing every problem found, each with file and YAML path.
    """
    path = find_profile(name)
    merged, chain = _load_chain(path)
    problems: list[tuple[str, str, str]] = []
    try:
        profile = Profile.model_validate(merged)
    except ValidationError as e:
        for err in e.errors():
            loc, msg = _translate(err)
            problems.append((_origin(chain, loc), _fmt(loc), msg))
        raise ProfileError(_dedupe(problems)) from None
    loaded = LoadedProfile(profile, path, tuple(p for p, _ in chain), "")
    problems += _semantic_problems(loaded, chain)
    if problems:
        raise ProfileError(_dedupe(problems))
    return LoadedProfile(profile, path, loaded.chain, _hash(loaded, merged))


def _dedupe(problems):
    seen, out = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _hash(loaded: LoadedProfile, merged: dict) -> str:
    h = hashlib.sha256(json.dumps(merged, sort_keys=True, default=str).encode())
    w = loaded.profile.world
    for ref in (w.local_authorities, w.lsoas, w.volumes):
        h.update(loaded.reference_path(ref.file).read_bytes())
    return h.hexdigest()


def _semantic_problems(loaded: LoadedProfile, chain) -> list[tuple[str, str, str]]:
    from synth.views.transforms import TRANSFORMS
    from synth.world.schema import ROW_SOURCES, TRUTH_TABLES, resolve_path

    prof = loaded.profile
    out: list[tuple[str, str, str]] = []

    def add(loc: tuple, msg: str):
        out.append((_origin(chain, loc), _fmt(loc), msg))

    dists = prof.world.distributions
    for name, d in dists.items():
        if not D.has_provenance(d):
            add(("world", "distributions", name), "every number needs 'source:' (an address in domain/) "
                "or 'assumption:' (why); add one")
    for name, (kind, given, meaning) in REQUIRED.items():
        loc = ("world", "distributions", name)
        if name not in dists:
            add(loc, f"missing distribution ({meaning}); add a '{kind}' distribution"
                + (f" conditional on {' then '.join(given)}" if given else ""))
            continue
        _check_shape(dists[name], kind, given, loc, add)

    if not (prof.linkage.alf.source or prof.linkage.alf.assumption):
        add(("linkage", "alf"), "every number needs 'source:' or 'assumption:'; add one")
    for akey, agency in prof.agencies.items():
        dup = agency.person_duplicates
        if dup is not None and not (dup.source or dup.assumption):
            add(("agencies", akey, "person_duplicates"), "every number needs 'source:' or 'assumption:'; add one")
        for tkey, table in agency.tables.items():
            for i, col in enumerate(table.columns):
                if col.missing is not None and not (col.missing.source or col.missing.assumption):
                    add(("agencies", akey, "tables", tkey, "columns", i, "missing"),
                        "every number needs 'source:' or 'assumption:'; add one")

    first_fy = prof.period.start.year - (prof.period.start.month < 4)
    last_fy = prof.period.end.year - (prof.period.end.month < 4)
    for name, d in dists.items():
        for loc, leaf in _leaves(d, ("world", "distributions", name)):
            if isinstance(leaf, D.Lognormal) and leaf.given == "fy":
                missing = [y for y in range(first_fy, last_fy + 1) if str(y) not in leaf.mean]
                if missing:
                    add(loc + ("mean",), f"no mean for financial years {missing} of the period; add them")

    for key in ("local_authorities", "lsoas", "volumes"):
        ref = getattr(prof.world, key)
        loc = ("world", key, "file")
        p = loaded.reference_path(ref.file)
        if not p.is_file():
            add(loc, f"reference file '{ref.file}' not found next to the profile; create it or fix the path")
            continue
        with p.open(newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), [])
        missing = [c for c in REFERENCE_COLUMNS[key] if c not in header]
        if missing:
            add(loc, f"{p.name} lacks columns {missing}; add them to its header")

    seen: dict[tuple[str, str], str] = {}
    for akey, agency in prof.agencies.items():
        for tkey, table in agency.tables.items():
            where = seen.setdefault((agency.schema_name.lower(), table.name.lower()), f"{akey}.{tkey}")
            if where != f"{akey}.{tkey}":
                add(("agencies", akey, "tables", tkey, "name"),
                    f"table '{table.name}' is already in schema '{agency.schema_name}' ({where}); give it another name")
    for akey, agency in prof.agencies.items():
        people = agency.coverage.people
        fields = TRUTH_TABLES.get(people, {})
        if people != "person" and not ("person_id" in fields and "proceeding_id" in fields):
            usable = ["person"] + [t for t, f in TRUTH_TABLES.items() if "person_id" in f and "proceeding_id" in f]
            add(("agencies", akey, "coverage", "people"),
                f"'{people}' is not a truth table of people on proceedings; one of: {', '.join(usable)}")
        for tkey, table in agency.tables.items():
            base = ("agencies", akey, "tables", tkey)
            if table.rows not in ROW_SOURCES:
                add(base + ("rows",), f"unknown row source '{table.rows}'; one of: {', '.join(ROW_SOURCES)}")
                continue
            for f in table.where:
                try:
                    resolve_path(table.rows, f)
                except KeyError as e:
                    add(base + ("where", f), str(e.args[0]))
            for i, col in enumerate(table.columns):
                cloc = base + ("columns", i)
                if col.field is not None:
                    try:
                        resolve_path(table.rows, col.field)
                    except KeyError as e:
                        add(cloc + ("field",), str(e.args[0]))
                for j, t in enumerate(col.transforms):
                    if t.name not in TRANSFORMS:
                        close = difflib.get_close_matches(t.name, list(TRANSFORMS), n=1)
                        fix = f"did you mean '{close[0]}'?" if close else f"valid: {', '.join(TRANSFORMS)}"
                        add(cloc + ("transforms", j, "name"), f"unknown transform '{t.name}'; {fix}")
            for j, fk in enumerate(table.foreign_keys):
                if fk.references not in agency.tables:
                    add(base + ("foreign_keys", j, "references"),
                        f"'{fk.references}' is not a table of {akey}; one of: {', '.join(agency.tables)}")
    return out


def _leaves(d, loc: tuple):
    """Yield (location, leaf distribution) pairs under ``d``."""
    if isinstance(d, D.Conditional):
        for k, c in d.cases.items():
            yield from _leaves(c, loc + ("cases", k))
    else:
        yield loc, d


def _check_shape(d, kind: str, given: tuple[str, ...], loc: tuple, add) -> None:
    if not given:
        if d.kind != kind:
            add(loc + ("kind",), f"must be '{kind}' here, not '{d.kind}'")
        return
    if not isinstance(d, D.Conditional):
        add(loc + ("kind",), f"must be 'conditional' on '{given[0]}' (cases of kind '{kind}')")
        return
    if d.given != given[0]:
        add(loc + ("given",), f"must be conditional on '{given[0]}', not '{d.given}'")
        return
    expected = GIVEN_VALUES[given[0]]
    for value in expected:
        if value not in d.cases:
            add(loc + ("cases",), f"no case for {given[0]} = '{value}'; add it (needed: {', '.join(expected)})")
    for value in d.cases:
        if value not in expected:
            add(loc + ("cases", value), f"'{value}' is not a value of {given[0]} ({', '.join(expected)})")
        else:
            _check_shape(d.cases[value], kind, given[1:], loc + ("cases", value), add)


def with_agencies(loaded: LoadedProfile, agencies: list[str] | None) -> LoadedProfile:
    """The profile restricted to some of its agencies (in the profile's order); all when None.

    Raises:
        InputError: when a name is not an agency of the profile.
    """
    if not agencies:
        return loaded
    from synth.errors import InputError

    have = loaded.profile.agencies
    unknown = [a for a in agencies if a not in have]
    if unknown:
        raise InputError(f"--agencies: {', '.join(unknown)} not in profile {loaded.profile.name} "
                         f"(agencies: {', '.join(have)})")
    keep = {k: v for k, v in have.items() if k in agencies}
    return dataclasses.replace(loaded, profile=loaded.profile.model_copy(update={"agencies": keep}))
