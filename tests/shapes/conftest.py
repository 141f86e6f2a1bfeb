"""A FamilyMan run shared by the shape tests that query it (FCSQ shapes and the court calendar)."""

from __future__ import annotations

import pytest

from tests.conftest import Run
from tests.shapes.helpers import agency_run


@pytest.fixture(scope="session")
def familyman_run(tmp_path_factory) -> Run:
    """england_wales with only the FamilyMan tables, 2,500 families, the profile's seed."""
    return agency_run(tmp_path_factory, "england_wales", ["familyman"], 2500)
