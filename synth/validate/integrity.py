"""Integrity checks: keys, foreign keys, columns and types, code lists, formats, temporal rules.

Agency checks come from the profile's declarations (key, foreign_keys, columns, codes, required,
transforms), so a user's own agency is checked the same way as the shipped ones. Truth checks
follow synth.world.schema.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.export.arrow import ARROW_TYPES, read_schema
from synth.validate.care_rules import check_care
from synth.validate.core import CheckResult, RunData, examples_of
from synth.world import ids
from synth.world.schema import REFERENCES, TRUTH_TABLES

POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"
LSOA = r"^[EW]01\d{6}$"
YEAR = 365.25


def _result(name, table, column, bad: pd.Series | np.ndarray, df, key, detail, group="integrity") -> CheckResult:
    bad = np.asarray(bad, dtype=bool)
    n = int(bad.sum())
    return CheckResult(group=group, name=name, table=table, column=column, passed=n == 0, violations=n,
                       examples=examples_of(df, bad, key) if n else [], detail=detail)


def check_integrity(run: RunData) -> list[CheckResult]:
    """Every integrity check over the run's agency and truth tables."""
    out: list[CheckResult] = []
    out += _agency_checks(run)
    out += _truth_keys(run)
    out += _formats(run)
    out += _temporal(run)
    out += check_care(run)  # care episode rules (truth and 903 tables)
    return out


def _agency_checks(run: RunData) -> list[CheckResult]:
    out = []
    links = run.truth("links") if run.has("truth", "links") else None
    for akey, agency in run.profile.agencies.items():
        loaded: dict[str, pd.DataFrame] = {}
        for tkey, spec in agency.tables.items():
            label = f"{akey}/{spec.name}"
            if not run.has(akey, spec.name):
                out.append(CheckResult("integrity", "table_present", False, label, detail="table file is missing"))
                continue
            df = run.agency_table(akey, tkey)
            loaded[tkey] = df
            out.append(_columns_and_types(run, akey, spec, df, label))
            key = [k for k in spec.key if k in df.columns]
            if len(key) == len(spec.key):
                bad = df.duplicated(key, keep=False) | df[key].isna().any(axis=1)
                out.append(_result("primary_key_unique", label, ",".join(key), bad, df, key,
                                   f"key ({', '.join(key)}) is unique and never blank"))
            for col in spec.columns:
                if col.name not in df.columns:
                    continue
                values = df[col.name]
                if col.required:
                    out.append(_result("required_not_blank", label, col.name, values.isna(), df, key or [col.name],
                                       "a required column has no blanks"))
                if col.codes is not None:
                    allowed = {str(c) for c in col.codes}
                    shown = values.astype("Int64") if col.type == "int64" else values  # nulls read as float
                    bad = values.notna() & ~shown.astype(str).isin(allowed)
                    out.append(_result("code_list", label, col.name, bad, df, key or [col.name],
                                       f"values are in the declared code list ({len(allowed)} codes)"))
                if any(t.name == "week_of_birth" for t in col.transforms):
                    d = pd.to_datetime(values, errors="coerce")
                    out.append(_result("wob_is_monday", label, col.name, d.notna() & (d.dt.weekday != 0), df,
                                       key or [col.name], "WOB is the Monday on or before the birth"))
                if col.field and col.field.endswith("lsoa_code"):
                    bad = values.notna() & ~values.astype(str).str.match(LSOA)
                    out.append(_result("lsoa_format", label, col.name, bad, df, key or [col.name],
                                       "LSOA codes look like E01/W01 followed by six digits"))
                if col.id == "person" and links is not None:
                    held = links.loc[links["agency"] == akey, "agency_person_id"]
                    ids = pd.to_numeric(values, errors="coerce") if col.type == "string" else values
                    bad = values.notna() & ~ids.isin(held)
                    out.append(_result("resolves_to_truth", label, col.name, bad, df, key or [col.name],
                                       "every person id is in truth/links (the agency-record -> person map)"))
        for tkey, spec in agency.tables.items():
            for fk in spec.foreign_keys:
                if tkey not in loaded or fk.references not in loaded:
                    continue
                df, ref = loaded[tkey], loaded[fk.references]
                label = f"{akey}/{spec.name}"
                left = df[fk.columns].dropna()
                merged = left.merge(ref[fk.ref_columns].drop_duplicates(), how="left", left_on=fk.columns,
                                    right_on=fk.ref_columns, indicator=True)
                bad = np.zeros(len(df), dtype=bool)
                bad[np.flatnonzero(df[fk.columns].notna().all(axis=1))] = (merged["_merge"] == "left_only").to_numpy()
                target = agency.tables[fk.references].name
                out.append(_result("foreign_key_resolves", label, ",".join(fk.columns), bad, df,
                                   [k for k in spec.key if k in df.columns] or fk.columns,
                                   f"({', '.join(fk.columns)}) -> {target}({', '.join(fk.ref_columns)})"))
    return out


def _columns_and_types(run: RunData, akey: str, spec, df: pd.DataFrame, label: str) -> CheckResult:
    path = run.path / akey / f"{spec.name}.parquet"
    problems = [c.name for c in spec.columns if c.name not in df.columns]
    if path.exists():
        schema = read_schema(path)
        problems += [f"{c.name}:{schema.field(c.name).type}!={c.type}" for c in spec.columns
                     if c.name in schema.names and schema.field(c.name).type != ARROW_TYPES[c.type]]
    extra = [c for c in df.columns if c not in {x.name for x in spec.columns}]
    problems += [f"unexpected {c}" for c in extra]
    return CheckResult("integrity", "columns_and_types", not problems, label, violations=len(problems),
                       examples=problems[:5], detail="declared columns are present with declared types")


def _truth_keys(run: RunData) -> list[CheckResult]:
    out = []
    for name, fields in TRUTH_TABLES.items():
        if not run.has("truth", name):
            out.append(CheckResult("integrity", "table_present", False, f"truth/{name}", detail="missing"))
            continue
        t = run.truth(name)
        idf = next(iter(fields))
        out.append(_result("primary_key_unique", f"truth/{name}", idf, t[idf].duplicated(keep=False) | t[idf].isna(),
                           t, [idf], f"{idf} is unique"))
        for f in fields:
            target = REFERENCES.get(f)
            if f == idf or target is None or not run.has("truth", target):
                continue
            ref_ids = run.truth(target)[next(iter(TRUTH_TABLES[target]))]
            bad = t[f].notna() & ~t[f].isin(ref_ids)
            out.append(_result("foreign_key_resolves", f"truth/{name}", f, bad, t, [idf], f"{f} -> {target}"))
    return out


def _formats(run: RunData) -> list[CheckResult]:
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
        _result("nhs_number_format", "truth/person", "nhs_number", ~valid, p, key,
                "10 digits with a valid mod-11 check digit"),
        _result("upn_format", "truth/person", "upn", ~upn_ok, p, key, "13 characters with a correct check letter"),
        _result("postcode_format", "truth/person", "postcode",
                p["postcode"].notna() & ~p["postcode"].astype(str).str.match(POSTCODE), p, key,
                "postcode has the UK outward/inward shape"),
        _result("lsoa_format", "truth/person", "lsoa_code", ~p["lsoa_code"].astype(str).str.match(LSOA), p, key,
                "LSOA codes look like E01/W01 followed by six digits"),
    ]


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce", cache=False)


def _temporal(run: RunData) -> list[CheckResult]:
    out = []
    end = pd.Timestamp(run.profile.period.end)
    proc = run.truth("proceeding")
    person = run.truth("person")
    pc = run.truth("proceeding_child")
    dob = person.set_index("person_id")["date_of_birth"]
    c = pc.assign(dob=_dates(pc["person_id"].map(dob)),
                  issue=_dates(pc["proceeding_id"].map(proc.set_index("proceeding_id")["issue_date"])))
    bad = (c["dob"] > c["issue"]) & ~c["unborn_at_issue"].astype(bool)
    out.append(_result("born_before_issue", "truth/proceeding_child", "person_id", bad, c, ["pc_id"],
                       "children are born before issue unless unborn at issue"))
    age = (c["issue"] - c["dob"]).dt.days
    out.append(_result("age_matches_dates", "truth/proceeding_child", "age_at_issue_days",
                       age.notna() & (age != c["age_at_issue_days"]), c, ["pc_id"],
                       "age at issue equals the issue date minus the date of birth"))
    issue, disp = _dates(proc["issue_date"]), _dates(proc["disposal_date"])
    out.append(_result("issue_before_disposal", "truth/proceeding", "disposal_date",
                       disp.notna() & (disp <= issue), proc, ["proceeding_id"], "disposal comes after issue"))
    h = run.truth("hearing")
    pi = proc.set_index("proceeding_id")
    hd = _dates(h["hearing_date"])
    lo = _dates(h["proceeding_id"].map(pi["issue_date"]))
    hi = _dates(h["proceeding_id"].map(pi["disposal_date"])).fillna(end)
    out.append(_result("hearing_inside_proceeding", "truth/hearing", "hearing_date", (hd < lo) | (hd > hi), h,
                       ["hearing_id"], "hearings fall between issue and disposal (or the period end)"))
    kids = person[person["family_role"] == "child"]
    for role, lo_age, hi_age in (("mother", 13, 55), ("father", 13, 80)):
        pid = kids[f"{role}_id"]
        age = (_dates(kids["date_of_birth"]) - _dates(pid.map(dob))).dt.days / YEAR
        bad = pid.notna() & ((age < lo_age) | (age > hi_age))
        out.append(_result(f"{role}_age_at_birth", "truth/person", f"{role}_id", bad, kids, ["person_id"],
                           f"{role}s are {lo_age}-{hi_age} years old at each birth"))
    party = run.truth("proceeding_party")
    died = person.set_index("person_id")["date_of_death"]
    death = _dates(party["person_id"].map(died))
    acted = _dates(party["proceeding_id"].map(pi["issue_date"]))
    out.append(_result("no_action_after_death", "truth/proceeding_party", "person_id",
                       death.notna() & (acted > death), party, ["party_id"],
                       "nobody is a party to a proceeding issued after their death"))
    return out
