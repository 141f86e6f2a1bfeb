"""Agency tables keep the promises their profile declares: keys, foreign keys, code lists, shapes."""

import numpy as np
import pandas as pd
import pytest

PROFILES = ("england_wales", "wales_sail", "training_small")


def _tuples(df, cols):
    return set(map(tuple, df[cols].itertuples(index=False, name=None)))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_agency_table_has_unique_keys_and_resolving_foreign_keys(shipped_runs, profile):
    run = shipped_runs[profile]
    tables = {(a, t): (spec, df) for a, t, spec, df in run.agency_tables()}
    assert tables, "a shipped profile must declare agency tables"
    for (akey, tkey), (spec, df) in tables.items():
        assert len(df) > 0, f"{akey}.{tkey} is empty"
        assert not df.duplicated(spec.key).any(), f"{akey}.{tkey} key {spec.key} not unique"
        for fk in spec.foreign_keys:
            ref_spec, ref = tables[(akey, fk.references)]
            missing = _tuples(df.dropna(subset=fk.columns), fk.columns) - _tuples(ref, fk.ref_columns)
            assert not missing, f"{akey}.{tkey}{fk.columns} -> {fk.references}: {len(missing)} orphans"


@pytest.mark.parametrize("profile", PROFILES)
def test_columns_have_declared_names_types_codes_and_required_values(shipped_runs, profile):
    from synth.export.arrow import column_type, read_schema

    run = shipped_runs[profile]
    for akey, tkey, spec, df in run.agency_tables():
        schema = read_schema(run.path / akey / f"{spec.name}")
        assert schema.names == [c.name for c in spec.columns]
        for col in spec.columns:
            assert schema.field(col.name).type == column_type(col), f"{akey}.{tkey}.{col.name}"
            values = df[col.name].dropna()
            if col.type == "int64" and col.sql_type is None:
                values = values.astype("int64")  # nullable ints are read as floats
            if col.codes is not None:
                bad = set(values.astype(str)) - {str(c) for c in col.codes}
                assert not bad, f"{akey}.{tkey}.{col.name} outside code list: {sorted(bad)[:5]}"
            if col.required:
                assert df[col.name].notna().all(), f"{akey}.{tkey}.{col.name} required but blank"


def test_cafcass_cymru_linking_fields_follow_sail_conventions(quality_run):
    spec = quality_run.profile.agencies["cafcass_cymru"].tables["alf"]
    alf = quality_run.table("cafcass_cymru", spec.name)
    # WOB and sex are as recorded, so a few are blank (identifier errors of kind "missing").
    wob = pd.to_datetime(alf["WOB"].dropna())
    assert (wob.dt.weekday == 0).all() and len(wob) > 0.95 * len(alf)
    assert set(alf["GNDR_CD"].dropna().astype(int)) <= {1, 2}
    assert alf["LSOA2011_CD"].str.match(r"^W01\d{6}$").all()
    sts = alf["ALF_STS_CD"].astype(int)  # CHAR(2) text as in SAIL
    unmatched = sts == 99
    assert alf.loc[unmatched, "ALF_E"].isna().all() and alf.loc[~unmatched, "ALF_E"].notna().all()
    probabilistic = sts.isin([35, 39])
    assert alf.loc[~probabilistic, "ALF_MTCH_PCT"].isna().all()
    assert alf.loc[sts == 39, "ALF_MTCH_PCT"].astype(float).between(0.9, 1.0).all()
    assert alf.loc[sts == 35, "ALF_MTCH_PCT"].astype(float).between(0.5, 0.9).all()
    # About 80% of people matched (tolerance: 4 standard errors of a proportion).
    n, p = len(alf), 0.80
    assert abs((~unmatched).mean() - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_wob_is_the_monday_on_or_before_birth(quality_run):
    spec = quality_run.profile.agencies["cafcass_cymru"].tables["alf"]
    alf = quality_run.table("cafcass_cymru", spec.name)
    links = quality_run.truth("links")
    person = quality_run.truth("person").set_index("person_id")
    m = alf.merge(links[links["agency"] == "cafcass_cymru"], left_on="SYSTEM_ID_E", right_on="agency_person_id")
    # WOB comes from the date of birth as recorded (File 1), errors included.
    f1 = quality_run.table("cafcass_cymru", "CAFW_FILE1")
    recorded = pd.to_datetime(f1.set_index(f1["SYSTEM_ID"].astype("int64"))["DATE_OF_BIRTH"], format="%d.%m.%Y")
    dob = recorded.reindex(m["system_id"]).to_numpy()  # File 1 id of the ALF row's record (truth/links)
    wob = pd.to_datetime(m["WOB"]).to_numpy()
    gap = (dob - wob) / np.timedelta64(1, "D")
    known = ~np.isnan(gap)
    assert known.mean() > 0.95 and ((gap[known] >= 0) & (gap[known] <= 6)).all()
    # Where no DOB error was made, the WOB is the true birth's week.
    true = pd.to_datetime(person.loc[m["person_id"], "date_of_birth"]).to_numpy()
    assert np.mean((true - wob)[known] / np.timedelta64(1, "D") <= 6) > 0.97


def test_cafcass_england_holds_dob_as_month_and_year_and_adults_truncated(quality_run):
    child = quality_run.table("cafcass_england", "child_subject")
    assert child["dob_m"].between(1, 12).all() and child["dob_y"].between(1990, 2025).all()
    adults = quality_run.table("cafcass_england", "adult_party")
    assert (pd.to_datetime(adults["truncated_dob"]).dt.day == 1).all()


def test_each_agency_covers_only_its_country(quality_run):
    case = quality_run.table("cafcass_england", "case")
    assert case["la_code"].str.startswith("E").all()
    cy = quality_run.profile.agencies["cafcass_cymru"].tables["case"]
    assert quality_run.table("cafcass_cymru", cy.name)["cap_localauthorityidname"].str.startswith("W").all()


def test_every_agency_person_record_is_in_the_truth_links_exactly_once(quality_run):
    links = quality_run.truth("links")
    assert not links.duplicated(["agency", "agency_person_id"]).any()
    person_ids = set(quality_run.truth("person")["person_id"])
    assert set(links["person_id"]) <= person_ids
    eng = quality_run.table("cafcass_england", "adult_party")["person_id"]
    kids = quality_run.table("cafcass_england", "child_subject")["child_id"]
    held = set(links.loc[links["agency"] == "cafcass_england", "agency_person_id"])
    assert set(eng) | set(kids) == held
    # Every agency's person ids (in any table) are records in the links, and every record is used.
    for akey, agency in quality_run.profile.agencies.items():
        if akey in ("sail_reference", "la_reference"):  # public lookup tables, no person records
            continue
        held = set(links.loc[links["agency"] == akey, "agency_person_id"])
        assert held, f"{akey} holds no person records"
        used = set()
        for spec in agency.tables.values():
            df = quality_run.table(akey, spec.name)
            for col in spec.columns:
                if col.id == "person" and col.field != "system_id":  # File 1's own ids: tests/views/test_file1.py
                    used |= set(pd.to_numeric(df[col.name].dropna()).astype("int64"))
                elif col.field == "party_number":  # FamilyMan parties: person records, then the LAs above them
                    la = df[col.name] > max(held)
                    if spec.name == "parties":
                        assert (df.loc[la, "gender"] == 9).all() and df.loc[la, "dob"].isna().all()
                    used |= set(df.loc[~la, col.name].astype("int64"))
        assert used == held, f"{akey}: {len(used - held)} ids not in links, {len(held - used)} records unused"


def test_cafcass_england_has_a_realistic_rate_of_duplicate_person_records(quality_run):
    links = quality_run.truth("links")
    eng = links[links["agency"] == "cafcass_england"]
    per_person = eng.groupby("person_id").size()
    assert per_person.max() >= 2
    # Duplicates arise only on later cases: compare with the stated rate per later appearance.
    party = quality_run.truth("proceeding_party").merge(
        quality_run.truth("proceeding")[["proceeding_id", "country"]], on="proceeding_id")
    appearances = party[party["country"] == "England"].groupby("person_id").size()
    later = int((appearances - 1).clip(lower=0).sum())
    rate = quality_run.profile.agencies["cafcass_england"].person_duplicates.rate
    extra = int((per_person - 1).sum())
    # Each later appearance duplicates with probability `rate` (a repeat duplicate may reuse the id).
    assert abs(extra - rate * later) < 4 * np.sqrt(later * rate * (1 - rate)) + 2


def test_no_truth_id_appears_in_an_agency_id_column(quality_run):
    truth_ids = set(quality_run.truth("person")["person_id"]) | set(quality_run.truth("proceeding")["proceeding_id"])
    for akey, tkey, spec, df in quality_run.agency_tables():
        for col in spec.columns:
            if col.id is not None:
                overlap = truth_ids & set(df[col.name].dropna().astype("int64"))
                assert len(overlap) <= len(df) * 1e-6 + 0, f"{akey}.{tkey}.{col.name} leaks truth ids"
