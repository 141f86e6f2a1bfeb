"""pytest fixtures for testing a pipeline against synthetic runs (registered by the ``pytest11`` entry point).

Installing the package makes two fixtures available to every test suite (docs/api.md):

* ``make_synth_run(profile="training_small", families=None, seed=42, **options)`` (session scope):
  generates a run once per session for each distinct set of arguments and returns the cached
  :class:`synth.Run` on later calls; ``options`` are those of :func:`synth.generate` (``agencies``,
  ``errors``, ``formats``, ``duckdb``).
* ``synth_run``: the run of ``make_synth_run`` for the configured profile, seed and size. Set them
  for a whole suite in the ini file (``synth_profile``, ``synth_seed``, ``synth_families``) or for
  one test with ``@pytest.mark.synth_run(profile=..., seed=..., families=...)``.

Runs live under pytest's base temporary folder (``tmp_path_factory``), which pytest prunes after a
few sessions. The synth API is imported on first use, so the plugin costs nothing to suites that do
not use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from synth.api import Run

DEFAULT_PROFILE = "training_small"
DEFAULT_SEED = 42


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ini options that choose ``synth_run``'s profile, seed and size."""
    parser.addini("synth_profile", f"profile of the synth_run fixture (default {DEFAULT_PROFILE})",
                  default=DEFAULT_PROFILE)
    parser.addini("synth_seed", f"seed of the synth_run fixture (default {DEFAULT_SEED})", default=str(DEFAULT_SEED))
    parser.addini("synth_families", "families in the synth_run fixture (default: the profile's size)", default="")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``synth_run`` marker."""
    config.addinivalue_line("markers", "synth_run(profile=None, seed=None, families=None, **options): the run "
                                       "the synth_run fixture gives this test (see docs/api.md)")


def _ini_int(config: pytest.Config, name: str) -> int | None:
    raw = str(config.getini(name)).strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise pytest.UsageError(f"ini option {name} = {raw!r} is not a whole number; give one (e.g. "
                                f"{name} = {DEFAULT_SEED})") from None


class SynthRuns:
    """The session's cache of generated runs (the ``make_synth_run`` fixture is its :meth:`__call__`).

    Args:
        root: folder under which runs are generated.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs: dict[tuple, Run] = {}

    def __call__(self, profile: str | Path = DEFAULT_PROFILE, families: int | None = None, seed: int = DEFAULT_SEED,
                 **options: Any) -> Run:
        """The run of ``profile`` with ``families`` and ``seed`` (generated on the first call with these arguments).

        Raises:
            synth.SynthError: bad arguments (the message ``synth generate`` prints).
        """
        import synth

        key = (str(profile), families, seed, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in self.runs:
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(str(profile)).stem)
            out = self.root / f"{len(self.runs):03d}-{stem}-s{seed}-f{families if families is not None else 'default'}"
            self.runs[key] = synth.generate(profile, families=families, seed=seed, out=out, **options)
        return self.runs[key]


@pytest.fixture(scope="session")
def make_synth_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Run]:
    """A factory ``make_synth_run(profile, families, seed, **options) -> synth.Run``, cached per session."""
    return SynthRuns(tmp_path_factory.mktemp("synth_runs"))


@pytest.fixture
def synth_run(request: pytest.FixtureRequest, make_synth_run: Callable[..., Run]) -> Run:
    """A small generated run (default training_small, seed 42), made once per session and shared.

    The ini options ``synth_profile``, ``synth_seed`` and ``synth_families`` set it for the suite,
    ``@pytest.mark.synth_run(profile=..., seed=..., families=..., **options)`` for one test. Treat
    it as read-only: other tests read the same files.
    """
    config = request.config
    kwargs: dict[str, Any] = {"profile": str(config.getini("synth_profile")).strip() or DEFAULT_PROFILE,
                              "families": _ini_int(config, "synth_families"),
                              "seed": _ini_int(config, "synth_seed")}
    if kwargs["seed"] is None:
        kwargs["seed"] = DEFAULT_SEED
    marker = request.node.get_closest_marker("synth_run")
    if marker is not None:
        if marker.args:
            kwargs["profile"] = marker.args[0]
        kwargs.update(marker.kwargs)
    return make_synth_run(**kwargs)
