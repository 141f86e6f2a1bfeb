"""Fixtures shared by the CLI tests."""

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner():
    """A CliRunner that keeps stderr apart (click >= 8.2 does by default; older needs mix_stderr)."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()
