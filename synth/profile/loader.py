"""Load a profile in four steps: find -> read -> extends -> check.

* :mod:`synth.profile.find`: a name or a path -> one YAML file (``$SYNTH_PROFILES``, ``./profiles``,
  the package's own profiles);
* :mod:`synth.profile.read`: one file -> a mapping (size limit, UTF-8, YAML syntax, alias bombs);
* :mod:`synth.profile.extends`: follow ``extends`` and deep-merge (cycles named);
* :mod:`synth.profile.check` and :mod:`synth.profile.rules`: the typed model and the semantic
  rules, reference CSVs included (:mod:`synth.profile.reference`).

Every problem found is collected and reported together, each with the file, the key path (or line)
and what to do about it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.errors import InputError, ProfileError
from synth.profile.check import check_model, dedupe
from synth.profile.extends import deep_merge, read_chain
from synth.profile.find import find_profile, list_profiles, profile_dirs
from synth.profile.id_types import fill_id_types
from synth.profile.models import Profile
from synth.profile.rules import PROFILE_TABLES, semantic_problems
from synth.profile.sail import apply_id_era

__all__ = ["LoadedProfile", "deep_merge", "find_profile", "list_profiles", "load_profile", "profile_dirs",
           "read_chain", "with_agencies"]


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
        return _reference_path(self.chain, self.path, file)


def _reference_path(chain: tuple[Path, ...], path: Path, file: str) -> Path:
    for p in chain:
        candidate = (p.parent / file).resolve()
        if candidate.exists():
            return candidate
    return (path.parent / file).resolve()


def load_profile(name: str | Path) -> LoadedProfile:
    """Load, merge and check a profile by name or path.

    Args:
        name: a profile name on the search path or a path to a YAML file.

    Returns:
        The checked profile.

    Raises:
        ProfileError: listing every problem found, each with file and key path (or line).
    """
    path = find_profile(name)
    merged, chain = read_chain(path)
    files = tuple(p for p, _ in chain)
    profile, problems = check_model(fill_id_types(merged), chain)
    if profile is None:
        raise ProfileError(problems)
    problems += semantic_problems(profile, chain, lambda f: _reference_path(files, path, f))
    if problems:
        raise ProfileError(dedupe(problems))
    profile = apply_id_era(profile)
    return LoadedProfile(profile, path, files, _hash(profile, merged, lambda f: _reference_path(files, path, f)))


def _hash(profile: Profile, merged: dict[str, Any], reference_path: Any) -> str:
    h = hashlib.sha256(json.dumps(merged, sort_keys=True, default=str).encode())
    for key in PROFILE_TABLES:
        h.update(reference_path(getattr(profile.world, key).file).read_bytes())
    return h.hexdigest()


def with_agencies(loaded: LoadedProfile, agencies: list[str] | None) -> LoadedProfile:
    """The profile restricted to some of its agencies (in the profile's order); all when None.

    Raises:
        InputError: when a name is not an agency of the profile.
    """
    if not agencies:
        return loaded
    have = loaded.profile.agencies
    unknown = [a for a in agencies if a not in have]
    if unknown:
        raise InputError(f"--agencies: {', '.join(unknown)} not in profile {loaded.profile.name} "
                         f"(agencies: {', '.join(have)})")
    keep = {k: v for k, v in have.items() if k in agencies}
    return dataclasses.replace(loaded, profile=loaded.profile.model_copy(update={"agencies": keep}))
