"""FamilyMan, the WDS spine, File 1 and the SAIL match model keep the shapes and rules they promise."""

import re

import pandas as pd

CASE_NUMBER = re.compile(r"^(?P<court>[A-Z]{2})(?P<yy>\d{2})(?P<type>[CP])(?P<serial>\d{5})$")


def test_familyman_case_numbers_parse_and_agree_with_the_case(quality_run):
    cases = quality_run.table("familyman", "cases")
    parsed = cases["case_number"].str.extract(CASE_NUMBER)
    assert parsed.notna().all().all(), "every case number has the FamilyMan shape"
    assert cases["case_number"].is_unique
    assert (parsed["court"] == cases["court_code"]).all()
    assert (parsed["yy"].astype(int) == pd.to_datetime(cases["entry_date"]).dt.year % 100).all()
    public = cases["category"] == "Public Law"
    assert (parsed.loc[public, "type"] == "C").all() and (parsed.loc[~public, "type"] == "P").all()
    assert cases["court_code"].nunique() > 20  # one prefix per court (DFJ area)


def test_familyman_events_are_the_applications_and_orders_of_the_truth(quality_run):
    run = quality_run
    events = run.table("familyman", "events")
    cases = run.table("familyman", "cases")
    valid = events[events["error"] == "N"]
    assert 0 < (events["error"] == "Y").mean() < 0.03  # a small share keyed in error
    apps = valid[valid["event_model"] == "U22"]
    assert len(apps) == len(cases) and set(apps["case_number"]) == set(cases["case_number"])
    assert (valid["event_model"] == "G50").sum() == int((run.truth("application")["sequence"] > 0).sum())
    orders = valid[~valid["event_model"].isin(["U22", "G50"])]
    truth = run.truth("court_order")
    # Each order is coded by its order form (care orders C32A, ICO C33, SGO C43A, withdrawn G63, ...).
    assert orders["event_model"].value_counts().sort_index().equals(truth["event_model"].value_counts().sort_index())
    # Orders never come before the application of their case.
    first = apps.set_index("case_number")["receipt_date"]
    assert (pd.to_datetime(orders["receipt_date"]) >= pd.to_datetime(orders["case_number"].map(first))).all()


def test_familyman_roles_carry_the_local_authority_applicant_in_public_law(quality_run):
    roles = quality_run.table("familyman", "roles")
    cases = quality_run.table("familyman", "cases")
    parties = quality_run.table("familyman", "parties").set_index("party")
    la = roles[roles["pub_la_ind"] == "LA"]
    public = cases.loc[cases["category"] == "Public Law", "case_number"]
    assert set(la["case_number"]) == set(public) and la["case_number"].is_unique
    assert (la["role_model"] == "APLC").all()
    # FCSQ tells the local authority by a party with no given name or an unknown gender.
    assert parties.loc[la["party"], "person_given_first_name"].isna().all()
    assert (parties.loc[la["party"], "gender"] == 9).all()
    people = roles[roles["pub_la_ind"] != "LA"]
    assert people["party"].isin(parties.index).all() and not people["party"].isin(la["party"]).any()
    suffix = people["role_model"].str[-1]
    is_public = people["case_number"].str[4] == "C"
    assert (suffix[is_public] == "C").all() and (suffix[~is_public] == "Z").all()


def test_wds_spine_joins_to_cafcass_cymru_alfs_and_holds_address_history(quality_run):
    run = quality_run
    pers = run.table("wds", "WDSD_AR_PERS_20240630")
    add = run.table("wds", "WDSD_AR_PERS_ADD_20240630")
    alf = run.table("cafcass_cymru", "CAFW_CAFCASS_ALF_20240630")
    links = run.truth("links")
    assert pers["ALF_E"].is_unique and pers["PERS_ID_E"].is_unique
    # A correct ALF (deterministic or probabilistic) is on the spine; wrong ones are rare.
    cy = alf.merge(links[links["agency"] == "cafcass_cymru"], left_on="SYSTEM_ID_E", right_on="agency_person_id")
    matched = cy[cy["ALF_E"].notna()]
    correct = matched["ALF_E"].astype("int64") == matched["true_alf_e"]
    assert correct.mean() > 0.99
    assert matched.loc[correct, "ALF_E"].astype("int64").isin(pers["ALF_E"]).all()
    # Address history: contiguous per person, only the last one open, every LSOA Welsh.
    add = add.sort_values(["PERS_ID_E", "FROM_DT"])
    nxt = add.groupby("PERS_ID_E")["FROM_DT"].shift(-1)
    closed = nxt.notna()
    gap = (pd.to_datetime(nxt[closed]) - pd.to_datetime(add.loc[closed, "TO_DT"].astype(str))).dt.days
    assert (gap == 1).all()
    # The last period is open (9999-12-31) or ends on the date of death.
    last_to = add.loc[~closed, "TO_DT"].astype(str)
    dod = add.loc[~closed, "PERS_ID_E"].map(pers.set_index("PERS_ID_E")["DOD"])
    died = dod.notna()
    assert (last_to[~died] == "9999-12-31").all()
    assert (last_to[died] == dod[died].astype(str)).all()
    assert add["LSOA2011_CD"].str.match(r"^W01\d{6}$").all()
    assert add.groupby("PERS_ID_E").size().mean() > 1.5  # people move


def test_file1_has_the_sail_person_level_shape(quality_run):
    run = quality_run
    columns = ["SYSTEM_ID", "NHS_NUMBER", "SURNAME", "FORENAME", "ADDRESS_1", "ADDRESS_2", "ADDRESS_3",
               "ADDRESS_4", "ADDRESS_5", "POSTCODE", "DATE_OF_BIRTH", "GENDER_CD", "CREATE_DATE"]
    links = run.truth("links")
    for agency in ("cafcass_england", "cafcass_cymru", "familyman", "wds"):
        f1 = run.table(agency, run.profile.agencies[agency].tables["file1"].name)
        assert list(f1.columns) == columns
        assert f1["SYSTEM_ID"].str.fullmatch(r"\d+").all()
        held = set(links.loc[links["agency"] == agency, "system_id"])
        assert set(f1["SYSTEM_ID"].astype("int64")) == held, "File 1 holds every person record of the agency"
        dob = f1["DATE_OF_BIRTH"].dropna()
        assert dob.str.fullmatch(r"\d{2}\.\d{2}\.\d{4}").all()
        assert pd.to_datetime(dob, format="%d.%m.%Y", errors="coerce").notna().all()
        assert set(f1["GENDER_CD"]) <= {"1", "2", "8", "9"}
        nhs = f1["NHS_NUMBER"].dropna()
        assert nhs.str.fullmatch(r"999\d{7}").all()
        assert f1["POSTCODE"].dropna().str.match(r"^ZZ\d{1,2} \d[A-Z]{2}$").all()


def test_alf_status_follows_identifier_quality(quality_run):
    run = quality_run
    alf = run.table("cafcass_cymru", "CAFW_CAFCASS_ALF_20240630")
    f1 = run.table("cafcass_cymru", "CAFW_FILE1").assign(system_id=lambda d: d["SYSTEM_ID"].astype("int64"))
    links = run.truth("links").query("agency == 'cafcass_cymru'")
    person = run.truth("person").set_index("person_id")
    # File 1 and the anonymised ALF table share no id: the truth map joins them (synth.views.file1).
    m = alf.merge(links, left_on="SYSTEM_ID_E", right_on="agency_person_id").merge(f1, on="system_id")
    nhs_right = m["NHS_NUMBER"].notna() & (m["NHS_NUMBER"] == m["person_id"].map(person["nhs_number"]))
    sts = m["ALF_STS_CD"].astype(int)  # CHAR(2) text as in SAIL
    # Deterministic matches need a correct NHS number; without one a match is probabilistic or none.
    assert nhs_right[sts.isin([1, 4])].all()
    assert sts[~nhs_right].isin([35, 39, 99]).all()
    assert m.loc[sts.isin([1, 4]), "ALF_MTCH_PCT"].isna().all()
    assert m.loc[sts == 39, "ALF_MTCH_PCT"].astype(float).between(0.9, 1.0).all()
    assert m.loc[sts == 35, "ALF_MTCH_PCT"].astype(float).between(0.5, 0.9).all()
    assert m.loc[sts == 99, "ALF_E"].isna().all() and m.loc[sts != 99, "ALF_E"].notna().all()
    # Status 4 (NHS agrees, demographics do not) exactly when DOB or sex was recorded wrongly.
    wob = pd.to_datetime(m["person_id"].map(person["date_of_birth"]))
    dob_ok = pd.to_datetime(m["DATE_OF_BIRTH"], format="%d.%m.%Y") == wob
    sex_ok = m["GENDER_CD"] == m["person_id"].map(person["sex"]).astype(str)
    det = sts.isin([1, 4])
    assert ((sts[det] == 1) == (dob_ok & sex_ok)[det]).all()
