"""Which destinations synth may write or replace: its own outputs, never a user's folder.

A folder is a synth output when it carries a ``manifest.json`` written by synth (a run, LA
returns, a fitted model, a sample). ``--force`` replaces only those, and never the current folder or
one of its parents, the home folder, ``/``, or a folder holding ``.git`` or ``pyproject.toml``;
for single-file outputs it replaces a regular file, never a folder. Used by
:mod:`synth.export.staging`.
"""

from __future__ import annotations

import json
from pathlib import Path

from synth.errors import OutputError

#: The manifest that makes a folder a synth output (``force`` may replace it).
MANIFEST = "manifest.json"
#: ``generator`` field written into every synth manifest.
GENERATOR = "family-justice-synth"
#: Files whose presence marks a folder as a source tree or project: never replaced.
PROJECT_FILES = (".git", "pyproject.toml")


def manifest_marks_synth(doc: object) -> bool:
    """Whether a parsed ``manifest.json`` was written by synth (run, returns, fit or sample)."""
    if not isinstance(doc, dict):
        return False
    kind = doc.get("kind")
    return (doc.get("generator") == GENERATOR or "synth_version" in doc
            or (isinstance(kind, str) and kind.startswith("synth ")))


def is_synth_output(folder: Path) -> bool:
    """Whether ``folder`` is a real folder carrying a manifest written by synth."""
    manifest = folder / MANIFEST
    if folder.is_symlink() or not folder.is_dir() or not manifest.is_file():
        return False
    try:
        if manifest.stat().st_size > 16 * 2**20:
            return False
        return manifest_marks_synth(json.loads(manifest.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return False


def _protected(folder: Path) -> str | None:
    """Why ``folder`` may never be replaced, or None."""
    real = folder.resolve()
    if real == Path(real.anchor):
        return "is the root folder"
    for name, place in (("the current folder", Path.cwd().resolve()), ("the home folder", Path.home().resolve())):
        if real == place:
            return f"is {name}"
        if real in place.parents:
            return f"contains {name}"
    found = [p for p in PROJECT_FILES if (folder / p).exists()]
    if found:
        return f"holds {found[0]} (a source tree or project)"
    return None


def check_replaceable(dest: Path, force: bool, file: bool = False) -> None:
    """Refuse a destination that exists, unless ``force`` and it may be replaced.

    Args:
        dest: the output folder (or file, with ``file``).
        force: the user asked to replace an existing output.
        file: ``dest`` is a single file (learn's profile, a linkage pairs file).

    Raises:
        OutputError: one line naming ``dest``, why it cannot be written and the fix.
    """
    if not (dest.exists() or dest.is_symlink()):
        return
    if dest.is_symlink():
        raise OutputError(f"{dest} is a symbolic link; synth writes only real files and folders, "
                          "so choose another --out")
    if file:
        if not dest.is_file():
            raise OutputError(f"{dest} exists and is not a file; choose another --out")
        if not force:
            raise OutputError(f"{dest} already exists; choose another --out or pass --force to replace it")
        return
    if not dest.is_dir():
        raise OutputError(f"{dest} exists and is not a folder; choose another --out")
    why = _protected(dest)
    if why:
        raise OutputError(f"{dest} {why}; synth never writes over it, not even with --force, so choose another --out")
    if not is_synth_output(dest):
        raise OutputError(f"{dest} exists and has no synth {MANIFEST}, so it is not a synth output and even --force "
                          "will not replace it; choose another --out")
    if not force:
        raise OutputError(f"{dest} already exists; choose another --out or pass --force to replace it")


def check_apart(dest: Path, *inputs: Path) -> None:
    """Refuse a destination that is, or holds, one of the command's inputs (it would be replaced).

    Raises:
        OutputError: naming the destination and the input.
    """
    real = dest.resolve()
    for path in inputs:
        inp = path.resolve()
        if real == inp or real in inp.parents:
            raise OutputError(f"{dest} is or holds the input {path}; writing there would replace what is being "
                              "read, so choose another --out")
