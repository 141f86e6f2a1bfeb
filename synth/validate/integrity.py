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
from synth.validate.core import CheckResult, RunData
from synth.validate.formats_sql import LSOA_SQL, PERSON_FORMATS, format_masks, format_results, upn_masks
from synth.validate.registry import AgencyTable, check
from synth.validate.scan import Rule, cols, sql_result, sql_rules, streamed_results
from synth.validate.sorted_keys import all_resolve, increasing_ids
from synth.validate.sqlrun import literal, quote
from synth.world.schema import REFERENCES, TRUTH_TABLES

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


def _dup_or_null(source: str, key: list[str]) -> str:
    """The rows of ``source`` whose ``key`` is repeated or has a blank (with ``_f``, ``_r``)."""
    on = " AND ".join(f"s.{quote(k)} = d.{quote(k)}" for k in key)
    blank = " OR ".join(f"s.{quote(k)} IS NULL" for k in key)
    return (f"SELECT {cols(key, 's')}, s._f, s._r FROM {source} AS s LEFT JOIN "
            f"(SELECT {cols(key)}, true AS _dup FROM {source} GROUP BY {cols(key)} HAVING count(*) > 1) AS d "
            f"ON {on} WHERE d._dup OR {blank}")


def _unresolved(source: str, columns: list[str], ref: str, ref_columns: list[str], key: list[str]) -> str:
    """Rows of ``source`` whose non-blank ``columns`` match no row of ``ref`` (with ``_f``, ``_r``)."""
    present = " AND ".join(f"s.{quote(c)} IS NOT NULL" for c in columns)
    on = " AND ".join(f"r.{quote(rc)} = s.{quote(c)}" for c, rc in zip(columns, ref_columns, strict=True))
    # An ANTI JOIN (a hash join): DuckDB runs a correlated NOT EXISTS some fifty times slower.
    return (f"SELECT {cols(key, 's')}, s._f, s._r FROM {source} AS s ANTI JOIN {ref} AS r ON {on} "
            f"WHERE {present}")


@check("integrity", each="agency_table")
def columns_and_types(run: RunData, t: AgencyTable) -> CheckResult:
    """Declared columns are present with declared types, and no others."""
    names = list(run.sql.describe(run.agency_source(t.agency, t.key)))
    path = run.path / t.agency / t.spec.name
    problems = [c.name for c in t.spec.columns if c.name not in names]
    if path.is_dir():
        schema = read_schema(path)
        problems += [f"{c.name}:{schema.field(c.name).type}!={c.type}" for c in t.spec.columns
                     if c.name in schema.names and schema.field(c.name).type != column_type(c)]
    extra = [c for c in names if c not in {x.name for x in t.spec.columns}]
    problems += [f"unexpected {c}" for c in extra]
    return CheckResult("integrity", "columns_and_types", not problems, t.label, violations=len(problems),
                       examples=problems[:5], detail="declared columns are present with declared types")


@check("integrity", "primary_key_unique", id="agency_primary_key", each="agency_table")
def agency_primary_key(run: RunData, t: AgencyTable) -> CheckResult:
    """The declared key is unique and never blank."""
    src = run.agency_source(t.agency, t.key)
    key = [k for k in t.spec.key if k in run.sql.describe(src)]
    if len(key) < len(t.spec.key):
        gone = [k for k in t.spec.key if k not in key]
        return CheckResult.could_not_run("integrity", "primary_key_unique", f"key column {', '.join(gone)} is missing",
                                         t.label, ",".join(t.spec.key))
    detail = f"key ({', '.join(key)}) is unique and never blank"
    # First by a 64-bit hash of the key: equal keys have equal hashes, so distinct hashes and no blank prove the
    # key unique (faster than grouping text keys); anything else is counted and named by the exact query.
    blank = " OR ".join(f"{quote(k)} IS NULL" for k in key)
    blanks, repeats = run.sql.rows(f"SELECT count(*) FILTER (WHERE {blank}), count(*) - count(DISTINCT "
                                   f"hash({cols(key)})) FROM {src}")[0]
    if not blanks and not repeats:
        return CheckResult("integrity", "primary_key_unique", True, t.label, ",".join(key), detail=detail)
    return sql_result(run, "primary_key_unique", t.label, ",".join(key), _dup_or_null(src, key), key, detail)


def _present(column: str, sql_type: str) -> str:
    """SQL: the value is not blank (NaN counts as blank, as pandas reads it)."""
    c = f"s.{quote(column)}"
    return f"({c} IS NOT NULL AND NOT isnan({c}))" if sql_type in ("DOUBLE", "FLOAT") else f"{c} IS NOT NULL"


def _as_text(column: str, sql_type: str, value_type: str) -> str:
    """SQL: the value as pandas writes it with ``str`` (whole numbers of an int64 column without '.0')."""
    c = f"s.{quote(column)}"
    if sql_type == "BOOLEAN":
        return f"CASE WHEN {c} THEN 'True' ELSE 'False' END"
    if sql_type in ("DOUBLE", "FLOAT") and value_type == "int64":
        return f"CAST(CAST({c} AS BIGINT) AS VARCHAR)"
    return f"CAST({c} AS VARCHAR)"


@check("integrity", "column_rules", each="agency_table")
def column_rules(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """Required columns, code lists, WOB Mondays and LSOA formats, as declared per column (one scan)."""
    src = run.agency_source(t.agency, t.key)
    types = run.sql.describe(src)
    key = [k for k in t.spec.key if k in types]
    rules: list[Rule] = []
    for col in t.spec.columns:
        if col.name not in types:
            continue  # columns_and_types reports it
        typ, k, c = types[col.name], key or [col.name], f"s.{quote(col.name)}"
        if col.required:
            rules.append(Rule("required_not_blank", col.name, f"NOT {_present(col.name, typ)}", k,
                              "a required column has no blanks"))
        if col.codes is not None:
            allowed = sorted({str(x) for x in col.codes})
            text = _as_text(col.name, typ, col.type)
            rules.append(Rule("code_list", col.name, f"{_present(col.name, typ)} AND {text} "
                              f"NOT IN ({', '.join(literal(a) for a in allowed)})", k,
                              f"values are in the declared code list ({len(allowed)} codes)"))
        if any(tr.name == "week_of_birth" for tr in col.transforms):
            rules.append(Rule("wob_is_monday", col.name, f"isodow(TRY_CAST({c} AS TIMESTAMP)) <> 1", k,
                              "WOB is the Monday on or before the birth"))
        if col.field and col.field.endswith("lsoa_code"):
            rules.append(Rule("lsoa_format", col.name, f"{c} IS NOT NULL AND NOT "
                              f"regexp_full_match(CAST({c} AS VARCHAR), '{LSOA_SQL}')", k,
                              "LSOA codes look like E01/W01 followed by six digits"))
    return sql_rules(run, src, t.label, rules)


@check("integrity", truth=("links",), each="agency_table",
       applies=lambda spec: any(c.id == "person" for c in spec.columns))
def resolves_to_truth(run: RunData, t: AgencyTable) -> Iterator[CheckResult]:
    """Every person id of the agency is in truth/links (the agency-record -> person map)."""
    src = run.agency_source(t.agency, t.key)
    links = run.source("truth", "links")
    types, link_types = run.sql.describe(src), run.sql.describe(links)
    key = [k for k in t.spec.key if k in types]
    for col in t.spec.columns:
        if col.id != "person" or col.name not in types:
            continue
        # File 1's SYSTEM_ID is the record's system_id (synth.views.file1), the other tables' ids its agency_person_id
        held = "system_id" if col.field == "system_id" and "system_id" in link_types else "agency_person_id"
        if held not in link_types:
            raise KeyError(held)
        k = key or [col.name]
        value = f"TRY_CAST(s.{quote(col.name)} AS BIGINT)" if col.type == "string" else f"s.{quote(col.name)}"
        mine = f"(SELECT {quote(held)} AS _held FROM {links} WHERE agency = {literal(t.agency)})"
        offending = (f"SELECT {cols(k, 's')}, s._f, s._r FROM (SELECT *, {value} AS _value FROM {src} AS s) AS s "
                     f"ANTI JOIN {mine} AS l ON l._held = s._value WHERE s.{quote(col.name)} IS NOT NULL")
        yield sql_result(run, "resolves_to_truth", t.label, col.name, offending, k,
                         "every person id is in truth/links (the agency-record -> person map)")


@check("integrity", each="agency_table", applies=lambda spec: bool(spec.foreign_keys))
def foreign_key_resolves(run: RunData, t: AgencyTable) -> Iterator[CheckResult]:
    """Each declared foreign key points at a row of the table it references."""
    agency = run.profile.agencies[t.agency]
    src = run.agency_source(t.agency, t.key)
    types = run.sql.describe(src)
    for fk in t.spec.foreign_keys:
        ref = run.agency_source(t.agency, fk.references)
        ref_types = run.sql.describe(ref)
        missing = [c for c in fk.columns if c not in types] + [c for c in fk.ref_columns if c not in ref_types]
        if missing:
            raise KeyError(missing[0])
        key = [k for k in t.spec.key if k in types] or fk.columns
        target = agency.tables[fk.references].name
        yield sql_result(run, "foreign_key_resolves", t.label, ",".join(fk.columns),
                         _unresolved(src, fk.columns, ref, fk.ref_columns, key), key,
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
    src = run.source("truth", name)
    types = run.sql.describe(src)
    idf = next(iter(fields))
    if idf not in types:
        raise KeyError(idf)
    label = f"truth/{name}"
    known: dict[str, np.ndarray | None] = {}  # referenced table -> its increasing ids
    if increasing_ids(run, name, idf) is not None:  # strictly increasing: unique (synth.validate.sorted_keys)
        yield CheckResult("integrity", "primary_key_unique", True, label, idf, detail=f"{idf} is unique")
    else:
        yield sql_result(run, "primary_key_unique", label, idf, _dup_or_null(src, [idf]), [idf], f"{idf} is unique")
    for f in fields:
        target = REFERENCES.get(f)
        if f == idf or target is None or not run.has("truth", target):
            continue
        if f not in types:
            raise KeyError(f)
        ref = run.source("truth", target)
        ref_id = next(iter(TRUTH_TABLES[target]))
        if target not in known:
            known[target] = increasing_ids(run, target, ref_id)
        ref_ids = known[target]
        if ref_ids is not None and all_resolve(run, name, f, ref_ids):
            yield CheckResult("integrity", "foreign_key_resolves", True, label, f, detail=f"{f} -> {target}")
            continue
        yield sql_result(run, "foreign_key_resolves", label, f, _unresolved(src, [f], ref, [ref_id], [idf]), [idf],
                         f"{f} -> {target}")


@check("integrity", "identifier_formats", truth=("person",))
def formats(run: RunData) -> list[CheckResult]:
    """NHS numbers, UPNs, postcodes and LSOA codes in truth/person have their shapes (SQL; UPNs part by part)."""
    sql = format_results(run, "person", "person_id", PERSON_FORMATS)
    if sql is None:
        return streamed_results(run, "truth", "person", ["person_id", "nhs_number", "upn", "postcode", "lsoa_code"],
                                ["person_id"], format_masks)
    upn = streamed_results(run, "truth", "person", ["person_id", "upn"], ["person_id"], upn_masks)
    return [sql[0], *upn, *sql[1:]]


def _days(expr: str) -> str:
    """SQL: a date value (DATE, TIMESTAMP or text) as a DATE; NULL when it is not a date."""
    return f"TRY_CAST(TRY_CAST({expr} AS TIMESTAMP) AS DATE)"


@check("integrity", "child_ages", truth=("proceeding", "person", "proceeding_child"))
def child_ages(run: RunData) -> list[CheckResult]:
    """Children are born before issue (unless unborn) and their recorded age matches the dates."""
    proc, person, pc = (run.source("truth", n) for n in ("proceeding", "person", "proceeding_child"))
    joined = (f"(SELECT c.pc_id, c.unborn_at_issue, c.age_at_issue_days, c._f, c._r, "
              f"{_days('p.date_of_birth')} AS dob, {_days('g.issue_date')} AS issue FROM {pc} AS c "
              f"LEFT JOIN (SELECT person_id, date_of_birth FROM {person}) AS p ON p.person_id = c.person_id "
              f"LEFT JOIN (SELECT proceeding_id, issue_date FROM {proc}) AS g ON g.proceeding_id = c.proceeding_id)")
    return sql_rules(run, joined, "truth/proceeding_child", [
        Rule("born_before_issue", "person_id",
             "s.dob > s.issue AND NOT coalesce(CAST(s.unborn_at_issue AS BOOLEAN), false)", ["pc_id"],
             "children are born before issue unless unborn at issue"),
        Rule("age_matches_dates", "age_at_issue_days", "(s.issue - s.dob) IS DISTINCT FROM s.age_at_issue_days "
             "AND (s.issue - s.dob) IS NOT NULL", ["pc_id"],
             "age at issue equals the issue date minus the date of birth"),
    ])


@check("integrity", truth=("proceeding",))
def issue_before_disposal(run: RunData) -> CheckResult:
    """Disposal comes after issue."""
    proc = run.source("truth", "proceeding")
    return sql_result(run, "issue_before_disposal", "truth/proceeding", "disposal_date",
                      f"SELECT proceeding_id, _f, _r FROM {proc} "
                      f"WHERE {_days('disposal_date')} <= {_days('issue_date')}",
                      ["proceeding_id"], "disposal comes after issue")


@check("integrity", truth=("proceeding", "hearing"))
def hearing_inside_proceeding(run: RunData) -> CheckResult:
    """Hearings fall between issue and disposal (or the period end)."""
    end = literal(run.profile.period.end)
    proc, h = run.source("truth", "proceeding"), run.source("truth", "hearing")
    return sql_result(run, "hearing_inside_proceeding", "truth/hearing", "hearing_date",
                      f"SELECT h.hearing_id, h._f, h._r FROM {h} AS h LEFT JOIN (SELECT proceeding_id, "
                      f"{_days('issue_date')} AS lo, coalesce({_days('disposal_date')}, DATE {end}) AS hi FROM {proc}) "
                      f"AS p ON p.proceeding_id = h.proceeding_id "
                      f"WHERE {_days('h.hearing_date')} < p.lo "
                      f"OR {_days('h.hearing_date')} > coalesce(p.hi, DATE {end})",
                      ["hearing_id"], "hearings fall between issue and disposal (or the period end)")


@check("integrity", "parent_age_at_birth", truth=("person",))
def parent_age_at_birth(run: RunData) -> Iterator[CheckResult]:
    """Mothers are 13-55 and fathers 13-80 years old at each birth."""
    person = run.source("truth", "person")
    for role, lo_age, hi_age in (("mother", 13, 55), ("father", 13, 80)):
        age = f"(({_days('k.date_of_birth')} - {_days('p.date_of_birth')}) / {YEAR})"
        yield sql_result(run, f"{role}_age_at_birth", "truth/person", f"{role}_id",
                         f"SELECT k.person_id, k._f, k._r FROM {person} AS k LEFT JOIN (SELECT person_id, "
                         f"date_of_birth FROM {person}) AS p ON p.person_id = k.{role}_id "
                         f"WHERE k.family_role = 'child' AND k.{role}_id IS NOT NULL "
                         f"AND ({age} < {lo_age} OR {age} > {hi_age})",
                         ["person_id"], f"{role}s are {lo_age}-{hi_age} years old at each birth")


@check("integrity", truth=("proceeding", "person", "proceeding_party"))
def no_action_after_death(run: RunData) -> CheckResult:
    """Nobody is a party to a proceeding issued after their death."""
    proc, party, person = (run.source("truth", n) for n in ("proceeding", "proceeding_party", "person"))
    return sql_result(run, "no_action_after_death", "truth/proceeding_party", "person_id",
                      f"SELECT q.party_id, q._f, q._r FROM {party} AS q "
                      f"JOIN (SELECT person_id, {_days('date_of_death')} AS died FROM {person}) AS p "
                      f"ON p.person_id = q.person_id "
                      f"JOIN (SELECT proceeding_id, {_days('issue_date')} AS issued FROM {proc}) AS g "
                      f"ON g.proceeding_id = q.proceeding_id WHERE g.issued > p.died",
                      ["party_id"], "nobody is a party to a proceeding issued after their death")


def check_integrity(run: RunData) -> list[CheckResult]:
    """Every integrity check over the run's agency and truth tables (never raises)."""
    from synth.validate.registry import registered
    from synth.validate.runner import run_check

    return [r for c in registered(["integrity"]) for r in run_check(c, run)]
