"""One type per identifier kind: the profile's ``id_types`` registry (synth/profile/id_types.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from synth.errors import ProfileError
from synth.profile.find import shipped_dir
from synth.profile.loader import load_profile

DEFAULT = (shipped_dir() / "england_wales.yaml").resolve()


def _first_id_column(kind: str) -> tuple[str, str, int]:
    prof = load_profile("england_wales").profile
    for akey, agency in prof.agencies.items():
        for tkey, table in agency.tables.items():
            for i, col in enumerate(table.columns):
                if col.id == kind and col.type == "int64":
                    return akey, tkey, i
    raise AssertionError(kind)


@pytest.mark.parametrize("name", ["england_wales", "wales_sail", "training_small"])
def test_every_shipped_id_column_has_its_kind_type_or_is_rendered_as_text(name):
    prof = load_profile(name).profile
    for agency in prof.agencies.values():
        for table in agency.tables.values():
            for col in table.columns:
                if col.id is not None:
                    want = prof.id_types[col.id].type
                    assert col.type == want or any(t.name == "to_text" for t in col.transforms), (table.name, col.name)


def _child(tmp_path, akey: str, tkey: str, i: int, column: dict) -> str:
    """A profile extending the shipped one with column ``i`` of one table replaced (lists replace whole)."""
    prof = load_profile("england_wales").profile
    table = prof.agencies[akey].tables[tkey]
    cols = [c.model_dump(exclude_defaults=True, exclude={"transforms"}) for c in table.columns]
    cols[i] = column
    p = tmp_path / "child.yaml"
    p.write_text(yaml.safe_dump({"extends": str(DEFAULT), "agencies": {akey: {"tables": {tkey: {"columns": cols}}}}}))
    return str(p)


def test_an_id_column_without_type_takes_it_from_the_registry(tmp_path):
    akey, tkey, i = _first_id_column("case")
    col = load_profile("england_wales").profile.agencies[akey].tables[tkey].columns[i]
    path = _child(tmp_path, akey, tkey, i, {"name": col.name, "id": "case", "description": "test"})
    got = load_profile(path).profile.agencies[akey].tables[tkey].columns[i]
    assert (got.type, got.sql_type) == ("int64", "BIGINT")


def test_a_conflicting_type_fails_profiles_check_in_one_line_naming_the_key_path(tmp_path):
    akey, tkey, i = _first_id_column("case")
    col = load_profile("england_wales").profile.agencies[akey].tables[tkey].columns[i]
    path = _child(tmp_path, akey, tkey, i, {"name": col.name, "id": "case", "type": "string", "description": "t"})
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    loc = f"agencies.{akey}.tables.{tkey}.columns[{i}].type"
    assert [p[1] for p in info.value.problems] == [loc]
    r = subprocess.run([sys.executable, "-m", "synth", "profiles", "check", path], capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and loc in lines[0] and "id_types.case is int64" in lines[0], r.stderr


def test_an_undeclared_kind_is_a_problem(tmp_path):
    akey, tkey, i = _first_id_column("case")
    col = load_profile("england_wales").profile.agencies[akey].tables[tkey].columns[i]
    path = _child(tmp_path, akey, tkey, i, {"name": col.name, "id": "docket", "type": "int64", "description": "t"})
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert any(p[1].endswith(f"columns[{i}].id") and "id_types.docket" in p[2] for p in info.value.problems)
