"""The one staged writer: every command that writes goes through here.

Outputs are written into a hidden staging folder beside the destination
(``.<name>.synth-staging-<pid>``, holding a marker file naming this tool and the process), fsynced,
and renamed into place at the end, so a failure or a signal never leaves a partial destination.

Safety rules (issue 10, point 5):

- an existing destination is replaced only with ``force``; a destination that appears while the
  command runs is left untouched (unless ``force`` and it is one of ours);
- ``force`` replaces a folder only when it carries this tool's manifest (:func:`is_synth_output`),
  and never the current directory or one of its parents, the home folder, ``/``, or a folder holding
  ``.git`` or ``pyproject.toml``; for file outputs it replaces a regular file, never a folder;
- a replaced folder is swapped atomically with the new one (``renameat2`` ``RENAME_EXCHANGE`` where
  the system has it), so a crash never leaves neither; then the old one is removed;
- nothing is ever deleted except this command's own staging folder (and files inside it,
  :func:`discard_staged`), the synth output it replaces with ``force`` (with the files of it the new
  output no longer has: ``staged_files(retire=...)``), a scratch folder this process made
  (:func:`make_scratch` / :func:`remove_scratch`), and staging folders of ours left beside the same
  destination by a process that no longer runs (``kill -9``);
- SIGINT/SIGTERM raise in the main thread (the CLI installs the handlers), so the staging folder
  is removed on the way out.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from synth.errors import OutputError
from synth.export.destinations import GENERATOR, MANIFEST, check_apart, check_replaceable, is_synth_output

__all__ = ["GENERATOR", "MANIFEST", "MARKER", "STAGING_TAG", "check_apart", "check_replaceable", "discard_staged",
           "fsync_tree", "is_synth_output", "make_scratch", "remove_scratch", "remove_stale_staging", "staged_dir",
           "staged_files", "staging_path"]

#: Part of every staging folder's name: ``.<destination name>.synth-staging-<pid>``.
STAGING_TAG = "synth-staging"
#: Marker file inside a staging folder (removed before the folder is renamed into place).
MARKER = ".synth-staging.json"

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


def staging_path(dest: Path, pid: int | None = None) -> Path:
    """The hidden staging folder for ``dest`` used by process ``pid`` (default: this one)."""
    return dest.parent / f".{dest.name}.{STAGING_TAG}-{os.getpid() if pid is None else pid}"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return started is None or _start_time(pid) in (None, started)


def _is_ours(path: Path) -> bool:
    """Whether ``path`` (named like a staging folder) is a staging folder of a synth process now gone."""
    m = re.fullmatch(rf"\..+\.{STAGING_TAG}-(\d+)", path.name)
    if not m or path.is_symlink() or not path.is_dir():
        return False
    pid = int(m.group(1))
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        marker = None
    if isinstance(marker, dict) and marker.get("tool") == GENERATOR:
        return pid != os.getpid() and not _alive(pid, marker.get("started"))
    # A synth output swapped out of its destination by a run killed before it removed it.
    return pid != os.getpid() and not _alive(pid, None) and is_synth_output(path)


def remove_stale_staging(dest: Path) -> list[Path]:
    """Remove staging folders of ours beside ``dest`` left by processes that no longer run.

    Returns:
        The folders removed.
    """
    removed: list[Path] = []
    prefix = f".{dest.name}.{STAGING_TAG}-"
    try:
        entries = [p for p in dest.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for path in entries:
        if _is_ours(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False when the system does not offer it.

    Raises:
        OSError: from the call (e.g. EEXIST with ``RENAME_NOREPLACE``).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def _move_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, failing (FileExistsError) if ``dst`` exists."""
    if _renameat2(src, dst, _RENAME_NOREPLACE):
        return
    if dst.exists() or dst.is_symlink():
        raise FileExistsError(errno.EEXIST, "File exists", str(dst))
    os.rename(src, dst)


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.EBADF):  # e.g. a filesystem without fsync on folders
            raise
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root`` (and ``root`` itself)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            _fsync(Path(folder) / name)
        _fsync(Path(folder), directory=True)


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return those created (deepest last)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {folder}: {e.strerror}; choose another --out") from None
    return missing


def _remove_created(created: list[Path]) -> None:
    for p in reversed(created):
        try:
            p.rmdir()
        except OSError:
            break


def _begin(dest: Path) -> tuple[Path, list[Path]]:
    """Create the staging folder (with its marker) beside ``dest``; clear stale ones first."""
    created = _make_parents(dest.parent)
    remove_stale_staging(dest)
    staging = staging_path(dest)
    shutil.rmtree(staging, ignore_errors=True)  # our own pid: a leftover of this very process
    try:
        staging.mkdir()
        marker = {"tool": GENERATOR, "pid": os.getpid(), "started": _start_time(os.getpid()),
                  "destination": str(dest)}
        (staging / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_created(created)
        raise OutputError(f"cannot write in {dest.parent}: {e.strerror}; choose another --out") from None
    return staging, created


def _publish_dir(staging: Path, dest: Path, force: bool) -> None:
    """Rename ``staging`` to ``dest``; with ``force`` swap out an existing synth output of ours."""
    (staging / MARKER).unlink()
    fsync_tree(staging)
    try:
        _move_noreplace(staging, dest)
    except FileExistsError:
        # It appeared during the run: theirs is kept unless it is a synth output and ``force``.
        if not force:
            raise OutputError(f"{dest} appeared while synth was writing; it was left untouched; "
                              "choose another --out") from None
        check_replaceable(dest, force)
        if not _renameat2(staging, dest, _RENAME_EXCHANGE):
            aside = staging.with_name(staging.name + "-old")
            os.rename(dest, aside)
            os.rename(staging, dest)
            staging = aside
        shutil.rmtree(staging)  # now the old output
    _fsync(dest.parent, directory=True)


def _publish_files(staging: Path, dests: Sequence[Path], force: bool, retire: Sequence[Path] = ()) -> None:
    """Move each staged file to its destination, in the order given; then remove ``retire``."""
    (staging / MARKER).unlink()
    fsync_tree(staging)
    for dest in dests:
        src = staging / dest.name
        if not src.exists():
            continue
        if force:
            check_replaceable(dest, force, file=True)
            os.replace(src, dest)
        else:
            try:
                _move_noreplace(src, dest)
            except FileExistsError:
                raise OutputError(f"{dest} appeared while synth was writing; it was left untouched; "
                                  "choose another --out or pass --force") from None
    for old in retire:
        if old.exists() or old.is_symlink():
            check_replaceable(old, force, file=True)
            old.unlink()
    _fsync(dests[0].parent, directory=True)


@contextmanager
def staged_dir(dest: Path | str, force: bool = False) -> Iterator[Path]:
    """Stage a folder output; yield the staging folder to write into.

    On normal exit the staging folder is fsynced and renamed to ``dest`` (an existing synth output
    is replaced only with ``force``); on any exception (including a signal) it is removed and
    nothing else is touched.

    Raises:
        OutputError: ``dest`` exists (without ``force``), may not be replaced, or cannot be written.
    """
    dest = Path(dest)
    check_replaceable(dest, force)
    staging, created = _begin(dest)
    try:
        yield staging
        _publish_dir(staging, dest, force)
    except BaseException as e:
        _discard(staging)
        if not dest.exists():
            _remove_created(created)
        if isinstance(e, FileExistsError) and e.filename == str(dest):
            raise OutputError(f"{dest} appeared while synth was writing; it was left untouched; "
                              "choose another --out or pass --force") from None
        if isinstance(e, OSError) and _writing_error(e, staging, dest):
            raise OutputError(f"cannot write {dest}: {e.strerror or e}; check the space and permissions "
                              "there or choose another --out") from None
        raise


@contextmanager
def staged_files(dests: Sequence[Path | str], force: bool = False, retire: Sequence[Path | str] = ()) -> Iterator[Path]:
    """Stage files that go into one folder; yield the staging folder (write ``staging / dest.name``).

    On normal exit the files present in the staging folder are fsynced and moved into place in the
    order of ``dests`` (put the one that makes the others meaningful last); on any exception the
    staging folder is removed and no destination is touched. ``retire`` names files of the output
    being replaced that the new one no longer has (removed after the move, only with ``force``).

    Raises:
        OutputError: a destination exists (without ``force``) or is not a file, or cannot be written.
    """
    paths = [Path(d) for d in dests]
    old = [Path(r) for r in retire]
    if len({p.parent.resolve() for p in [*paths, *old]}) != 1:
        raise ValueError("staged_files: every destination must be in one folder")
    for p in [*paths, *old]:
        check_replaceable(p, force, file=True)
    staging, created = _begin(paths[-1])
    try:
        yield staging
        _publish_files(staging, paths, force, old)
    except BaseException as e:
        _discard(staging)
        if not any(p.exists() for p in paths):
            _remove_created(created)
        if isinstance(e, OSError) and _writing_error(e, staging, *paths):
            raise OutputError(f"cannot write in {paths[0].parent}: {e.strerror or e}; check the space and "
                              "permissions there or choose another --out") from None
        raise
    finally:
        _discard(staging)


#: Errors that say the destination's disk cannot take the output, whatever file they name.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


def _writing_error(e: BaseException, staging: Path, *dests: Path) -> bool:
    """Whether ``e`` is a failure to write the output (not, say, a missing input file)."""
    if not isinstance(e, OSError):
        return False
    if e.errno in _DISK_ERRNOS:
        return True
    names = [str(n) for n in (e.filename, e.filename2) if n]
    places = [str(p) for p in (staging, *dests)]
    return any(n == p or n.startswith(p + os.sep) for n in names for p in places)


def _discard(staging: Path) -> None:
    """Remove a staging folder, retrying once (a worker may still be closing a file in it)."""
    for _ in range(2):
        shutil.rmtree(staging, ignore_errors=True)
        if not staging.exists():
            return


def discard_staged(path: Path, staging: Path) -> None:
    """Remove ``path`` (a file or folder) written earlier by this command inside its staging folder.

    Raises:
        ValueError: ``staging`` is not a live staging folder or ``path`` is not inside it (a bug).
    """
    if not (staging / MARKER).is_file() or not Path(path).resolve().is_relative_to(staging.resolve()):
        raise ValueError(f"discard_staged: {path} is not inside the staging folder {staging}")
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


#: Marker of a scratch folder made by :func:`make_scratch`.
SCRATCH_MARKER = ".synth-scratch.json"


def make_scratch(prefix: str) -> Path:
    """A new private temporary folder for this process's own use, marked so only it is ever removed."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / SCRATCH_MARKER).write_text(json.dumps({"tool": GENERATOR, "pid": os.getpid()}) + "\n", encoding="utf-8")
    return folder


def remove_scratch(folder: Path | str) -> None:
    """Remove a folder made by :func:`make_scratch` (anything else is left untouched)."""
    folder = Path(folder)
    if (folder / SCRATCH_MARKER).is_file() and not folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)
