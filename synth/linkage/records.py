"""File 1 records in DuckDB: raw columns as text, and a normalised form for comparisons.

File 1 (the SAIL person-level export) has string columns SYSTEM_ID, NHS_NUMBER, SURNAME,
FORENAME, ADDRESS_1..5, POSTCODE, DATE_OF_BIRTH (dd.mm.yyyy), GENDER_CD and CREATE_DATE. A column
an agency's File 1 lacks is read as NULL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from synth.errors import InputError
from synth.linkage.io import LinkageRun

#: Soundex digit of each letter; H and W (at the end of FROM, absent from TO) are dropped.
_SOUNDEX_FROM = "AEIOUYBFPVCGJKQSXZDTLMNRHW"
_SOUNDEX_TO = "000000111122222222334556"

#: SQL macros the comparisons use. ``soundex`` is the American Soundex (``Ashcraft`` -> ``A261``).
MACROS = f"""
CREATE OR REPLACE MACRO letters(s) AS nullif(regexp_replace(upper(strip_accents(CAST(s AS VARCHAR))),
    '[^A-Z]', '', 'g'), '');
CREATE OR REPLACE MACRO soundex_digits(u) AS
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        translate(left(u, 1), '{_SOUNDEX_FROM}', '{_SOUNDEX_TO}##') ||
        translate(substr(u, 2), '{_SOUNDEX_FROM}', '{_SOUNDEX_TO}'),
    '1+', '1', 'g'), '2+', '2', 'g'), '3+', '3', 'g'), '4+', '4', 'g'), '5+', '5', 'g'), '6+', '6', 'g');
CREATE OR REPLACE MACRO soundex(s) AS CASE WHEN letters(s) IS NOT NULL THEN
    left(letters(s), 1) || rpad(left(replace(substr(soundex_digits(letters(s)), 2), '0', ''), 3), 3, '0') END;
"""


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the linkage macros defined."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(MACROS)
    return con


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def source_sql(path: Path) -> str:
    """The DuckDB table function reading a File 1 table (Parquet file, folder of parts, or CSV)."""
    if path.suffix.lower() == ".csv":
        return f"read_csv({_quote(path)}, all_varchar = true)"
    if path.is_dir():
        return f"read_parquet({_quote(path / '*.parquet')})"
    return f"read_parquet({_quote(path)})"


def columns_of(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Column names of a File 1 table.

    Raises:
        InputError: when it cannot be read.
    """
    try:
        return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source_sql(path)}").fetchall()]
    except duckdb.Error as e:
        raise InputError(f"{path}: unreadable File 1 table ({str(e).splitlines()[0][:120]}); "
                         "regenerate the run") from None


def load_raw(con: duckdb.DuckDBPyConnection, run: LinkageRun, agencies: list[str], columns: list[str],
             table: str = "raw") -> None:
    """Create ``table`` with agency, id (BIGINT from SYSTEM_ID) and ``columns`` as trimmed text.

    Blank strings become NULL. Records are numbered ``rid`` 0.. in (agency, id) order.

    Raises:
        InputError: for a SYSTEM_ID that is not a whole number, or a File 1 without SYSTEM_ID.
    """
    parts = []
    for agency in agencies:
        path = run.file1[agency]
        have = set(columns_of(con, path))
        if "SYSTEM_ID" not in have:
            raise InputError(f"{path}: no SYSTEM_ID column; a File 1 table needs one")
        cols = ", ".join(
            (f'nullif(trim(CAST("{c}" AS VARCHAR)), \'\') AS "{c}"' if c in have else f'CAST(NULL AS VARCHAR) AS "{c}"')
            for c in columns)
        agency_sql = "'" + agency.replace("'", "''") + "'"
        parts.append(f"SELECT {agency_sql} AS agency, trim(CAST(SYSTEM_ID AS VARCHAR)) AS system_id"
                     f"{', ' if cols else ''}{cols} FROM {source_sql(path)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _raw AS {' UNION ALL '.join(parts)}")
    bad = con.execute("SELECT agency, system_id FROM _raw WHERE TRY_CAST(system_id AS BIGINT) IS NULL "
                      "LIMIT 1").fetchone()
    if bad is not None:
        raise InputError(f"{run.file1[bad[0]]}: SYSTEM_ID {bad[1]!r} is not a whole number; File 1 ids must be "
                         "the agency person ids")
    quoted = "".join(f', "{c}"' for c in columns)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT (row_number() OVER (ORDER BY agency, CAST(system_id AS BIGINT)) - 1) AS rid, agency,
               CAST(system_id AS BIGINT) AS id{quoted}
        FROM _raw""")
    con.execute("DROP TABLE _raw")


#: File 1 columns the normalised records are made from.
NORMALISED_FROM = ["NHS_NUMBER", "SURNAME", "FORENAME", "DATE_OF_BIRTH", "POSTCODE", "GENDER_CD"]


def load_normalised(con: duckdb.DuckDBPyConnection, run: LinkageRun, agencies: list[str],
                    table: str = "rec") -> None:
    """Create ``table``: one normalised row per File 1 record, with its true person.

    Columns: rid, agency, id, person_id (NULL when the record is not in truth/links), nhs (digits
    only), surname and forename (letters only, upper case, no accents), dob (DATE; NULL when it
    does not parse), dob_y, dob_m, dob_d, postcode (upper case, no spaces), pc_out (outward code),
    sex ('1', '2' or NULL), sn_sdx (Soundex of the surname).
    """
    load_raw(con, run, agencies, NORMALISED_FROM, "_f1")
    truth = run.links[run.links["agency"].isin(agencies)]
    con.register("_links", pd.DataFrame({"agency": truth["agency"].to_numpy(object),
                                         "agency_person_id": truth["agency_person_id"].to_numpy("int64"),
                                         "person_id": truth["person_id"].to_numpy("int64")}))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
        WITH n AS (
            SELECT f.rid, f.agency, f.id, l.person_id,
                   nullif(regexp_replace(f.NHS_NUMBER, '[^0-9]', '', 'g'), '') AS nhs,
                   letters(f.SURNAME) AS surname,
                   letters(f.FORENAME) AS forename,
                   CAST(coalesce(try_strptime(f.DATE_OF_BIRTH, '%d.%m.%Y'),
                                 try_strptime(f.DATE_OF_BIRTH, '%Y-%m-%d')) AS DATE) AS dob,
                   nullif(regexp_replace(upper(f.POSTCODE), '[^A-Z0-9]', '', 'g'), '') AS postcode,
                   CASE WHEN f.GENDER_CD IN ('1', '2') THEN f.GENDER_CD END AS sex
            FROM _f1 f LEFT JOIN _links l ON l.agency = f.agency AND l.agency_person_id = f.id)
        SELECT *, year(dob) AS dob_y, month(dob) AS dob_m, day(dob) AS dob_d,
               CASE WHEN length(postcode) >= 5 THEN left(postcode, length(postcode) - 3) END AS pc_out,
               soundex(surname) AS sn_sdx
        FROM n""")
    con.execute("DROP TABLE _f1")
    con.unregister("_links")
