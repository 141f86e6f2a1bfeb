"""A small run for the ``synth sql`` tests (generated once per session), with one not-modelled column."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from synth.pipeline import generate
from synth.profile.loader import load_profile

#: A profile like training_small whose FamilyMan ``events`` declares one column it does not produce.
PROFILE = """\
extends: training_small
name: sql_test
agencies:
  familyman:
    tables:
      events:
        not_modelled:
          free_text_note: "test profile: the clerk's note is never extracted"
"""


@pytest.fixture(scope="session")
def sql_run(tmp_path_factory) -> Path:
    """A 300-family run of the test profile (no synth.duckdb: synth sql must not need it)."""
    folder = tmp_path_factory.mktemp("sql")
    profile = folder / "sql_test.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    out = folder / "run"
    generate(load_profile(profile), out, families=300, duckdb=False)
    return out


@pytest.fixture
def runner() -> CliRunner:
    """A CliRunner that keeps stderr apart (click >= 8.2 does by default; older needs mix_stderr)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
