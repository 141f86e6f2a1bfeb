"""``synth.generate`` and ``synth.open``: the Python entry points, the same path as ``synth generate``.

:func:`generate` checks its arguments in the CLI's order (sizes, then the error scale, then the
profile, then the request), builds the same :class:`synth.pipeline.RunRequest` the CLI builds and
runs it with :func:`synth.pipeline.run`; so the same profile and seed give the same bytes as the
CLI, and bad input raises the same :class:`synth.errors.SynthError` whose message the CLI prints
after ``error:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from synth.api.run import Run, read_manifest
from synth.dirty import check_dirty_level
from synth.errors import InputError
from synth.export.staging import make_scratch, remove_scratch
from synth.pipeline import check_sizes, resolve, run
from synth.profile.error_scale import check_error_scale
from synth.profile.loader import load_profile


def _int_or_none(name: str, value: object) -> int | None:
    """``value`` as an int (None stays None); a bool, float or text is an InputError like the CLI's."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"--{name} {value!r} is not a whole number; give a whole number")
    return value


def generate(profile: str | Path = "england_wales", *, families: int | None = None, seed: int | None = None,
             agencies: Sequence[str] | None = None, out: str | Path | None = None, workers: int = 1,
             errors: float = 1.0, formats: Sequence[str] = ("parquet",), duckdb: bool = False,
             force: bool = False, engine: str = "local", dirty: int = 0) -> Run:
    """Generate a run and return it, as ``synth generate`` does (without validation).

    Args:
        profile: a shipped profile name (``training_small``, ``england_wales``, ``wales_sail``) or a YAML path.
        families: number of families (default: the profile's ``size.families``).
        seed: run seed, 0 to 2**63 - 1 (default: the profile's ``seed``, as the CLI's ``--seed``).
            The same profile, seed and size always give byte-identical tables.
        agencies: only these agencies of the profile (default: all); the truth is always written.
        out: destination folder; it must not exist (unless ``force``). Default None: a temporary
            folder owned by the returned :class:`Run`, removed by :meth:`Run.close`, on leaving a
            ``with`` block, or when the object is collected.
        workers: processes making shards at once (output identical for any number).
        errors: multiply every identifier-error rate of the profile (0: clean identifiers; 1: as
            profiled; up to 10), as ``--errors``.
        formats: ``parquet`` and/or ``csv``.
        duckdb: also build ``synth.duckdb`` (the CLI's default; off here: :meth:`Run.sql` reads the
            Parquet files directly).
        force: replace an existing run at ``out``.
        engine: ``local`` or ``dask``.
        dirty: plant data-quality faults for cleaning exercises, as ``--dirty``: 0 clean (default),
            1-3 more faults; each is logged in ``run.truth["quality_issues"]`` (see docs/dirty.md).

    Returns:
        The :class:`Run`; nothing is read into memory until asked for.

    Raises:
        InputError: an impossible size, seed, worker count, format, error scale, dirt level or agency.
        ProfileError: the profile cannot be found or has errors (each with its file and key path).
        OutputError: ``out`` exists (without ``force``) or may not be written.
    """
    families = _int_or_none("families", families)
    seed = _int_or_none("seed", seed)
    workers_ = _int_or_none("workers", workers)
    formats = tuple(str(f).strip().lower() for f in formats)
    check_sizes(families, seed, formats, workers_ or 0)  # before loading the profile, as the CLI
    check_error_scale(errors)
    level = check_dirty_level(dirty)
    loaded = load_profile(str(profile))
    owned: Path | None = None
    if out is None:
        owned = make_scratch(f"synth-{loaded.profile.name}-")
        out = owned / "run"
    try:
        request = resolve(loaded, families=families, seed=seed, formats=formats,
                          agencies=list(agencies) if agencies else None, out=out, force=force, workers=workers_ or 0,
                          engine=engine, duckdb=duckdb, validate=False, errors=errors, dirty=level)
        result = run(request)
    except BaseException:
        if owned is not None:
            remove_scratch(owned)
        raise
    return Run(result.path, read_manifest(result.path), owned=owned)


def open(path: str | Path) -> Run:
    """Open a run folder made by ``synth generate`` or :func:`generate` (nothing is read until asked for).

    Raises:
        InputError: ``path`` is not a run (missing, no or corrupt manifest), with the message
            ``synth validate PATH`` prints.
    """
    from synth.validate.core import RunData

    data = RunData(Path(path))
    return Run(data.path, data.manifest)
