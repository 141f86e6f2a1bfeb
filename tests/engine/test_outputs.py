"""A run folder holds what the design promises: manifest, database, dictionary, truth."""

import json

import duckdb
import pandas as pd


def test_manifest_records_profile_seed_versions_counts_and_timings(shipped_runs):
    run = shipped_runs["training_small"]
    m = json.loads((run.path / "manifest.json").read_text())
    assert m["profile"]["name"] == "training_small" and len(m["profile"]["sha256"]) == 64
    assert m["seed"] == 42 and m["families"] == 1500
    assert m["packages"]["numpy"] and m["packages"]["pyarrow"] and m["synth_version"]
    assert m["counts"]["truth/family"] == 1500
    assert set(m["timings"]) >= {"generate_s", "total_s"}
    for key, rows in m["counts"].items():
        folder, name = key.split("/", 1)
        assert len(pd.read_parquet(run.path / folder / f"{name}")) == rows


def test_duckdb_has_a_schema_per_agency_named_as_in_the_profile(shipped_runs):
    run = shipped_runs["england_wales"]
    con = duckdb.connect(str(run.path / "synth.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        got = {(s, t) for s, t in rows}
        for akey, agency in run.profile.agencies.items():
            for spec in agency.tables.values():
                assert (agency.schema_name, spec.name) in got
                n = con.execute(f'SELECT count(*) FROM "{agency.schema_name}"."{spec.name}"').fetchone()[0]
                assert n == len(run.table(akey, spec.name))
        assert ("truth", "person") in got and ("truth", "links") in got
        # A SAIL-style query works as written.
        n = con.execute('SELECT count(*) FROM "SAIL0000V"."CAFW_CAFCASS_ALF_20240630" WHERE ALF_STS_CD IN (1, 4, 39)'
                        ).fetchone()[0]
        assert n > 0
    finally:
        con.close()


def test_dictionary_documents_every_table_and_column(shipped_runs):
    run = shipped_runs["wales_sail"]
    text = (run.path / "dictionary.md").read_text()
    for agency in run.profile.agencies.values():
        for spec in agency.tables.values():
            assert f"`{spec.name}`" in text
            for col in spec.columns:
                assert f"`{col.name}`" in text
    assert "(`cafcass_england/`" not in text  # no section for an agency the profile leaves out
    for name in run.profile.world.distributions:
        assert f"`{name}`" in text
