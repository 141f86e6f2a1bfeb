"""Step 1 of loading a profile: find it (a name or a path -> one YAML file).

A name is looked up, first match wins, in the folders of ``$SYNTH_PROFILES`` (``os.pathsep``
separated), then ``./profiles`` in the working directory, then the profiles shipped inside the
package (``synth/profiles``, read through :mod:`importlib.resources`, so an installed wheel finds
them from any directory).
"""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path

from synth.errors import ProfileError

#: Suffixes of profile files.
SUFFIXES = (".yaml", ".yml")


def shipped_dir() -> Path:
    """The folder of the profiles and reference tables shipped inside the package.

    Raises:
        ProfileError: when the package is not installed as files (e.g. imported from a zip).
    """
    root = resources.files("synth") / "profiles"
    if not isinstance(root, Path):
        raise ProfileError([("synth/profiles", "", "the shipped profiles are not files on disk (is synth imported "
                             "from a zip?); install the package with pip so they are")])
    return root


def shipped_reference(name: str) -> Path:
    """A reference table shipped with the package (``synth/profiles/reference/NAME``)."""
    return shipped_dir() / "reference" / name


def profile_dirs() -> list[Path]:
    """Folders searched for profiles by name: $SYNTH_PROFILES, ./profiles, the package's."""
    dirs = [Path(p) for p in os.environ.get("SYNTH_PROFILES", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "profiles", shipped_dir()]
    seen: set[Path] = set()
    out: list[Path] = []
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

    Args:
        name: a profile name on the search path, or a path to a YAML file.

    Returns:
        The absolute path of the file.

    Raises:
        ProfileError: when nothing matches, listing the names that exist.
    """
    p = Path(name)
    if p.suffix in SUFFIXES or p.exists():
        if p.is_file():
            return p.resolve()
        what = "is a folder" if p.is_dir() else "file not found"
        raise ProfileError([(str(name), "", f"{what}; give a path to a profile YAML "
                             "or a name from `synth profiles list`")])
    for d in profile_dirs():
        for ext in SUFFIXES:
            if (d / f"{name}{ext}").is_file():
                return (d / f"{name}{ext}").resolve()
    names = [q.stem for q in list_profiles()]
    hint = difflib.get_close_matches(str(name), names, n=1)
    fix = f"did you mean '{hint[0]}'?" if hint else f"known profiles: {', '.join(names) or 'none'}"
    raise ProfileError([(str(name), "", f"no such profile; {fix}")])
