"""Integrity checks: keys, foreign keys, columns and types, code lists, formats, temporal rules.

Agency checks come from the profile's declarations (key, foreign_keys, columns, codes, required,
transforms), so a user's own agency is checked the same way as the shipped ones; each runs once
per agency table. Truth checks follow synth.world.schema. Every function decorated with
``@check`` is collected by the runner (synth.validate.registry).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from synth.export.arrow import TRUTH_OUTPUTS, column_type, read_schema, truth_schema
from synth.profile.models import Table
from synth.validate.core import CheckResult, RunData, mask_result
from synth.validate.registry import AgencyTable, check
from synth.world import ids
from synth.world.schema import REFERENCES, TRUTH_TABLES

POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"
LSOA = r"^[EW]01\d{6}$"
YEAR = 365.25


def _key(spec: Table, df: pd.DataFrame) -> list[str]:
    return [k for k in spec.key if k in df.columns]


# --- presence and row counts ---------------------------------------------------------------------


@check("integrity")
def table_present(run: RunData) -> Iterator[CheckResult]:
    """Every declared agency table and every truth table has a file (only missing ones are reported)."""
    for akey, agency in run.profile.agencies.items():
        for spec in agency.tables.values():
            if not run.has(akey, spec.name):
                yield CheckResult("integrity", "table_present", False, f"{akey}/{spec.name}",
                                  detail="table file is missing")
    for name in TRUTH_TABLES:
        if not run.has("truth", name):
            yield CheckResult("integrity", "table_present", False, f"truth/{name}", detail="missing")


@check("integrity")
def row_count_matches_manifest(run: RunData) -> CheckResult:
    """Each Parquet table holds the rows the manifest recorded (a lost part file shows here)."""
    import pyarrow.dataset as ds

    counts = run.manifest.get("counts")
    if not isinstance(counts, dict):
        return CheckResult.skipped("integrity", "row_count_matches_manifest", "the manifest records no row counts")
    wrong, unreadable, n = [], [], 0
    for label, want in counts.items():
        folder, _, name = str(label).partition("/")
        path = run.path / folder / name
        if not any(path.glob("*.parquet")):
            continue  # table_present reports it (or the run holds only CSV)
        n += 1
        try:
            got = ds.dataset(path, format="parquet").count_rows()
        except Exception as e:  # noqa: BLE001 - an unreadable file is named here, not a crash
            unreadable.append(f"{label} ({type(e).__name__})")
            continue
        if got != want:
            wrong.append(f"{label}: {got} rows, manifest {want}")
    if unreadable and not wrong:
        return CheckResult.could_not_run("integrity", "row_count_matches_manifest",
                                         f"unreadable: {', '.join(unreadable[:5])}")
    return CheckResult("integrity", "row_count_matches_manifest", not wrong and not unreadable,
                       violations=len(wrong) + len(unreadable), examples=(wrong + unreadable)[:5],
                       detail=f"each of {n} Parquet tables holds the rows the manifest recorded")


# --- agency tables (once per table) ------------------------------------------------------------------


@check("integrity", each="agency_table")
def columns_and_types(run: RunData, t: AgencyTable) -> CheckResult:
    """Declared columns are present with declared types, and no others."""
    df = run.agency_table(t.agency, t.key)
    path = run.path / t.agency / t.spec.name
    problems = [c.name for c in t.spec.columns if c.name not in df.columns]
    if path.is_dir():
        schema = read_schema(path)
        problems += [f"{c.name}:{schema.field(c.name).type}!={c.type}" for c in t.spec.columns
                     if c.name in schema.names and schema.field(c.name).type != column_type(c)]
    extra = [c for c in df.columns if c not in {x.name for x in t.spec.columns}]
    problems += [f"unexpected {c}" for c in extra]
    return CheckResult("integrity", "columns_and_types", not problems, t.label, violations=len(problems),
                       examples=problems[:5], detail="declared columns are present with declared types")


@check("integrity", "primary_key_unique", id="agency_primary_key", each="agency_table")
def agency_primary_key(run: RunData, t: AgencyTable) -> CheckResult:
    """The declared key is unique and never blank."""
    df = run.agency_table(t.agency, t.key)
    key = _key(t.spec, df)
    if len(key) < len(t.spec.key):
        gone = [k for k in t.spec.key if k not in df.columns]
        return CheckResult.could_not_run("integrity", "primary_key_unique", f"key column {', '.join(gone)} is missing",
                                         t.label, ",".join(t.spec.key))
    bad = df.duplicated(key, keep=False) | df[key].isna().any(axis=1)
    return mask_result("primary_key_unique", t.label, ",".join(key), bad, df, key,
                   f"key ({', '.join(key)}) is unique and never blank")


@check("integrity", "column_rules", each="agency_table")
def column_rules(run: RunData, t: AgencyTable) -> Iterator[CheckResult]:
    """Required columns, code lists, WOB Mondays and LSOA formats, as declared per column."""
    df = run.agency_table(t.agency, t.key)
    key = _key(t.spec, df)
    for col in t.spec.columns:
        if col.name not in df.columns:
            continue  # columns_and_types reports it
        values = df[col.name]
        k = key or [col.name]
        if col.required:
            yield mask_result("required_not_blank", t.label, col.name, values.isna(), df, k,
                          "a required column has no blanks")
        if col.codes is not None:
            allowed = {str(c) for c in col.codes}
            numeric = col.type == "int64" and pd.api.types.is_numeric_dtype(values)  # not stored as CHAR text
            shown = values.astype("Int64") if numeric else values  # nulls read as float
            bad = values.notna() & ~shown.astype(str).isin(allowed)
            yield mask_result("code_list", t.label, col.name, bad, df, k,
                          f"values are in the declared code list ({len(allowed)} codes)")
        if any(tr.name == "week_of_birth" for tr in col.transforms):
            d = pd.to_datetime(values, errors="coerce")
            yield mask_result("wob_is_monday", t.label, col.name, d.notna() & (d.dt.weekday != 0), df, k,
                          "WOB is the Monday on or before the birth")
        if col.field and col.field.endswith("lsoa_code"):
            bad = values.notna() & ~values.astype(str).str.match(LSOA)
            yield mask_result("lsoa_format", t.label, col.name, bad, df, k,
                          "LSOA codes look like E01/W01 followed by six digits")


@check("integrity", truth=("links",), each="agency_table",
       applies=lambda spec: any(c.id == "person" for c in spec.columns))
def resolves_to_truth(run: RunData, t: AgencyTable) -> Iterator[CheckResult]:
    """Every person id of the agency is in truth/links (the agency-record -> person map)."""
    df = run.agency_table(t.agency, t.key)
    links = run.truth("links")
    mine = links["agency"] == t.agency
    key = _key(t.spec, df)
    for col in t.spec.columns:
        if col.id != "person" or col.name not in df.columns:
            continue
        # File 1's SYSTEM_ID is the record's system_id (synth.views.file1), the other tables' ids its agency_person_id
        held = links.loc[mine, "system_id" if col.field == "system_id" and "system_id" in links else "agency_person_id"]
        values = df[col.name]
        person_ids = pd.to_numeric(values, errors="coerce") if col.type == "string" else values
        bad = values.notna() & ~person_ids.isin(held)
        yield mask_result("resolves_to_truth", t.label, col.name, bad, df, key or [col.name],
                      "every person id is in truth/links (the agency-record -> person map)")


@check("integrity", each="agency_table", applies=lambda spec: bool(spec.foreign_keys))
def foreign_key_resolves(run: RunData, t: AgencyTable) -> Iterator[CheckResult]:
    """Each declared foreign key points at a row of the table it references."""
    agency = run.profile.agencies[t.agency]
    df = run.agency_table(t.agency, t.key)
    for fk in t.spec.foreign_keys:
        ref = run.agency_table(t.agency, fk.references)
        left = df[fk.columns].dropna()
        merged = left.merge(ref[fk.ref_columns].drop_duplicates(), how="left", left_on=fk.columns,
                            right_on=fk.ref_columns, indicator=True)
        bad = np.zeros(len(df), dtype=bool)
        bad[np.flatnonzero(df[fk.columns].notna().all(axis=1))] = (merged["_merge"] == "left_only").to_numpy()
        target = agency.tables[fk.references].name
        yield mask_result("foreign_key_resolves", t.label, ",".join(fk.columns), bad, df,
                      _key(t.spec, df) or fk.columns,
                      f"({', '.join(fk.columns)}) -> {target}({', '.join(fk.ref_columns)})")


# --- truth tables ------------------------------------------------------------------------------------


@check("integrity", "columns_and_types", id="truth_columns_and_types")
def truth_columns_and_types(run: RunData) -> Iterator[CheckResult]:
    """Each truth table's Parquet file has the columns and types of synth.world.schema."""
    for name in TRUTH_OUTPUTS:
        path = run.path / "truth" / name
        if not path.is_dir():
            continue  # table_present reports it (or the run holds only CSV)
        label = f"truth/{name}"
        try:
            schema = read_schema(path)
        except Exception as e:  # noqa: BLE001 - one unreadable file is one result, not a crash
            yield CheckResult.could_not_run("integrity", "columns_and_types",
                                            f"{label}.parquet is unreadable ({type(e).__name__})", label)
            continue
        want = truth_schema(name, run.profile.linkage.ids)
        problems = [f.name for f in want if f.name not in schema.names]
        problems += [f"{f.name}:{schema.field(f.name).type}!={f.type}" for f in want
                     if f.name in schema.names and schema.field(f.name).type != f.type]
        problems += [f"unexpected {c}" for c in schema.names if c not in want.names]
        yield CheckResult("integrity", "columns_and_types", not problems, label, violations=len(problems),
                          examples=problems[:5], detail="columns are present with the types of the truth schema")


@check("integrity", "primary_key_unique", id="truth_keys", each="truth_table")
def truth_keys(run: RunData, name: str) -> Iterator[CheckResult]:
    """The truth table's id is unique, and its references to other truth tables resolve."""
    fields = TRUTH_TABLES[name]
    t = run.truth(name)
    idf = next(iter(fields))
    yield mask_result("primary_key_unique", f"truth/{name}", idf, t[idf].duplicated(keep=False) | t[idf].isna(),
                  t, [idf], f"{idf} is unique")
    for f in fields:
        target = REFERENCES.get(f)
        if f == idf or target is None or not run.has("truth", target):
            continue
        ref_ids = run.truth(target)[next(iter(TRUTH_TABLES[target]))]
        bad = t[f].notna() & ~t[f].isin(ref_ids)
        yield mask_result("foreign_key_resolves", f"truth/{name}", f, bad, t, [idf], f"{f} -> {target}")


@check("integrity", "identifier_formats", truth=("person",))
def formats(run: RunData) -> list[CheckResult]:
    """NHS numbers, UPNs, postcodes and LSOA codes in truth/person have their shapes."""
    p = run.truth("person")
    key = ["person_id"]
    nhs = p["nhs_number"].astype(str)
    digits = nhs.str.fullmatch(r"\d{10}")
    valid = np.zeros(len(p), dtype=bool)
    valid[digits.to_numpy()] = ids.is_valid_nhs(nhs[digits].astype(np.int64).to_numpy())
    upn = p["upn"]
    has = upn.notna()
    upn_ok = np.ones(len(p), dtype=bool)
    upn_ok[has.to_numpy()] = ids.upn_is_valid(upn[has].astype(str).to_numpy())
    return [
        mask_result("nhs_number_format", "truth/person", "nhs_number", ~valid, p, key,
                "10 digits with a valid mod-11 check digit"),
        mask_result("upn_format", "truth/person", "upn", ~upn_ok, p, key, "13 characters with a correct check letter"),
        mask_result("postcode_format", "truth/person", "postcode",
                p["postcode"].notna() & ~p["postcode"].astype(str).str.match(POSTCODE), p, key,
                "postcode has the UK outward/inward shape"),
        mask_result("lsoa_format", "truth/person", "lsoa_code", ~p["lsoa_code"].astype(str).str.match(LSOA), p, key,
                "LSOA codes look like E01/W01 followed by six digits"),
    ]


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce", cache=False)


@check("integrity", "child_ages", truth=("proceeding", "person", "proceeding_child"))
def child_ages(run: RunData) -> list[CheckResult]:
    """Children are born before issue (unless unborn) and their recorded age matches the dates."""
    proc, person, pc = run.truth("proceeding"), run.truth("person"), run.truth("proceeding_child")
    dob = person.set_index("person_id")["date_of_birth"]
    c = pc.assign(dob=_dates(pc["person_id"].map(dob)),
                  issue=_dates(pc["proceeding_id"].map(proc.set_index("proceeding_id")["issue_date"])))
    bad = (c["dob"] > c["issue"]) & ~c["unborn_at_issue"].astype(bool)
    age = (c["issue"] - c["dob"]).dt.days
    return [
        mask_result("born_before_issue", "truth/proceeding_child", "person_id", bad, c, ["pc_id"],
                "children are born before issue unless unborn at issue"),
        mask_result("age_matches_dates", "truth/proceeding_child", "age_at_issue_days",
                age.notna() & (age != c["age_at_issue_days"]), c, ["pc_id"],
                "age at issue equals the issue date minus the date of birth"),
    ]


@check("integrity", truth=("proceeding",))
def issue_before_disposal(run: RunData) -> CheckResult:
    """Disposal comes after issue."""
    proc = run.truth("proceeding")
    issue, disp = _dates(proc["issue_date"]), _dates(proc["disposal_date"])
    return mask_result("issue_before_disposal", "truth/proceeding", "disposal_date",
                   disp.notna() & (disp <= issue), proc, ["proceeding_id"], "disposal comes after issue")


@check("integrity", truth=("proceeding", "hearing"))
def hearing_inside_proceeding(run: RunData) -> CheckResult:
    """Hearings fall between issue and disposal (or the period end)."""
    end = pd.Timestamp(run.profile.period.end)
    pi = run.truth("proceeding").set_index("proceeding_id")
    h = run.truth("hearing")
    hd = _dates(h["hearing_date"])
    lo = _dates(h["proceeding_id"].map(pi["issue_date"]))
    hi = _dates(h["proceeding_id"].map(pi["disposal_date"])).fillna(end)
    return mask_result("hearing_inside_proceeding", "truth/hearing", "hearing_date", (hd < lo) | (hd > hi), h,
                   ["hearing_id"], "hearings fall between issue and disposal (or the period end)")


@check("integrity", "parent_age_at_birth", truth=("person",))
def parent_age_at_birth(run: RunData) -> Iterator[CheckResult]:
    """Mothers are 13-55 and fathers 13-80 years old at each birth."""
    person = run.truth("person")
    dob = person.set_index("person_id")["date_of_birth"]
    kids = person[person["family_role"] == "child"]
    for role, lo_age, hi_age in (("mother", 13, 55), ("father", 13, 80)):
        pid = kids[f"{role}_id"]
        age = (_dates(kids["date_of_birth"]) - _dates(pid.map(dob))).dt.days / YEAR
        bad = pid.notna() & ((age < lo_age) | (age > hi_age))
        yield mask_result(f"{role}_age_at_birth", "truth/person", f"{role}_id", bad, kids, ["person_id"],
                      f"{role}s are {lo_age}-{hi_age} years old at each birth")


@check("integrity", truth=("proceeding", "person", "proceeding_party"))
def no_action_after_death(run: RunData) -> CheckResult:
    """Nobody is a party to a proceeding issued after their death."""
    pi = run.truth("proceeding").set_index("proceeding_id")
    party = run.truth("proceeding_party")
    died = run.truth("person").set_index("person_id")["date_of_death"]
    death = _dates(party["person_id"].map(died))
    acted = _dates(party["proceeding_id"].map(pi["issue_date"]))
    return mask_result("no_action_after_death", "truth/proceeding_party", "person_id",
                   death.notna() & (acted > death), party, ["party_id"],
                   "nobody is a party to a proceeding issued after their death")


def check_integrity(run: RunData) -> list[CheckResult]:
    """Every integrity check over the run's agency and truth tables (never raises)."""
    from synth.validate.registry import registered
    from synth.validate.runner import run_check

    return [r for c in registered(["integrity"]) for r in run_check(c, run)]
