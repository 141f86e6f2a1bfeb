"""Step 3 of loading a profile: follow ``extends`` and deep-merge the chain, child over parent.

``extends`` names a parent profile: a path (``.yaml``/``.yml``, relative to the extending file
only, never to the working directory) or a name on the search path. Mappings merge key by key,
``null`` removes an inherited key, anything else replaces. A cycle is refused with its files named
(``a.yaml -> b.yaml -> a.yaml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth.errors import ProfileError
from synth.profile.find import SUFFIXES, find_profile
from synth.profile.read import read_yaml

#: The files of a chain with what each one says, child first.
Chain = list[tuple[Path, dict[str, Any]]]

#: Longest chain of ``extends`` followed.
MAX_DEPTH = 32


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` onto ``base`` without modifying either.

    Mappings merge key by key, ``null`` removes a key, anything else (lists included) replaces.
    """
    out = dict(base)
    for k, v in over.items():
        if v is None and k in out:
            del out[k]
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _parent_of(path: Path, parent_name: Any) -> Path:
    """The file ``extends: parent_name`` in ``path`` refers to."""
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise ProfileError([(str(path), "extends", f"must be a profile name or a path to a YAML file, not "
                             f"{parent_name!r}; give one")])
    candidate = path.parent / parent_name
    if candidate.suffix in SUFFIXES:
        parent_path = candidate.resolve()
        if not parent_path.is_file():
            raise ProfileError([(str(path), "extends", f"'{parent_name}' not found (looked for {parent_path}); "
                                 "give a path relative to this file or a name from `synth profiles list`")])
        return parent_path
    try:
        return find_profile(parent_name)
    except ProfileError as e:
        msg = e.problems[0][2].replace("no such profile;", f"no such profile '{parent_name}';", 1)
        raise ProfileError([(str(path), "extends", msg)]) from None


def read_chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], Chain]:
    """Read a profile file and every file it extends, merged.

    Args:
        path: the profile file (absolute).
        seen: the files already on the chain (for cycle detection).

    Returns:
        The merged mapping (without ``extends``) and the chain of ``(file, its own mapping)``,
        child first.

    Raises:
        ProfileError: a file cannot be read or parsed, a parent is missing, or a cycle.
    """
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise ProfileError([(str(path), "extends", f"profiles extend each other in a cycle ({cycle}); break it")])
    if len(seen) >= MAX_DEPTH:
        raise ProfileError([(str(path), "extends", f"more than {MAX_DEPTH} profiles extend each other; "
                             "shorten the chain")])
    raw = read_yaml(path)
    parent_name = raw.pop("extends", None)
    if parent_name is None:
        return raw, [(path, raw)]
    parent_path = _parent_of(path, parent_name)
    parent, chain = read_chain(parent_path, (*seen, path))
    return deep_merge(parent, raw), [(path, raw), *chain]
