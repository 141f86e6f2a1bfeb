"""DuckDB macros standing in for the DB2 functions SAIL code calls (named ``db2_<name>``).

The DB2 rewrites (:mod:`synth.sql.db2`) rename a DB2 function call ``F(...)`` to ``db2_f(...)``;
each macro below gives DB2's answer for the argument types SAIL code passes (dates, strings,
numbers). docs/sql.md lists them with the cases where DuckDB's answer differs.
"""

from __future__ import annotations

#: DB2 function name -> the macro the rewrite calls instead.
FUNCTIONS: dict[str, str] = {
    "DAYS_BETWEEN": "db2_days_between",
    "MONTHS_BETWEEN": "db2_months_between",
    "YEARS_BETWEEN": "db2_years_between",
    "ADD_DAYS": "db2_add_days",
    "ADD_MONTHS": "db2_add_months",
    "ADD_YEARS": "db2_add_years",
    "DAYS": "db2_days",
    "TIMESTAMPDIFF": "db2_timestampdiff",
    "LOCATE": "db2_locate",
    "LOCATE_IN_STRING": "db2_locate",
    "POSSTR": "db2_posstr",
    "DAYOFWEEK": "db2_dayofweek",
    "INTEGER": "db2_integer",
    "INT": "db2_integer",
    "SMALLINT": "db2_integer",
    "BIGINT": "db2_bigint",
    "STRIP": "trim",
    "VALUE": "coalesce",
    "ROWNUMBER": "row_number",
    "RAND": "random",
}

_DATE = "CAST({} AS DATE)"

#: The ``CREATE MACRO`` statements run on every connection.
MACROS: tuple[str, ...] = (
    # DAYS_BETWEEN(a, b): whole days from b to a (negative when a is earlier).
    f"CREATE MACRO db2_days_between(a, b) AS date_diff('day', {_DATE.format('b')}, {_DATE.format('a')})",
    # MONTHS_BETWEEN(a, b): months from b to a, the fraction being the day difference over 31.
    "CREATE MACRO db2_months_between(a, b) AS "
    f"date_diff('month', {_DATE.format('b')}, {_DATE.format('a')}) "
    f"+ (day({_DATE.format('a')}) - day({_DATE.format('b')})) / 31.0",
    # YEARS_BETWEEN(a, b): full years from b to a.
    f"CREATE MACRO db2_years_between(a, b) AS date_sub('year', {_DATE.format('b')}, {_DATE.format('a')})",
    f"CREATE MACRO db2_add_days(d, n) AS {_DATE.format('d')} + CAST(n AS INTEGER)",
    # ADD_MONTHS/ADD_YEARS keep a date a date; the 31st becomes the month's last day, as in DB2.
    f"CREATE MACRO db2_add_months(d, n) AS CAST({_DATE.format('d')} + to_months(CAST(n AS INTEGER)) AS DATE)",
    f"CREATE MACRO db2_add_years(d, n) AS CAST({_DATE.format('d')} + to_years(CAST(n AS INTEGER)) AS DATE)",
    # DAYS(d): 1 for 0001-01-01, so DAYS(a) - DAYS(b) is the day difference.
    f"CREATE MACRO db2_days(d) AS date_diff('day', DATE '0001-01-01', {_DATE.format('d')}) + 1",
    # TIMESTAMPDIFF(unit, CHAR(b - a)): the DB2 idiom for a difference; here b - a of dates is whole
    # days and of timestamps an interval. Units: 16 days, 32 weeks, 64 months, 128 quarters, 256 years
    # (DB2 counts a month as 30 days and a year as 365).
    "CREATE MACRO db2_timestampdiff(u, s) AS CAST(trunc(coalesce(TRY_CAST(s AS BIGINT), "
    "epoch(TRY_CAST(s AS INTERVAL)) / 86400) / (CASE CAST(u AS INTEGER) WHEN 16 THEN 1 WHEN 32 THEN 7 "
    "WHEN 64 THEN 30 WHEN 128 THEN 90 WHEN 256 THEN 365 END)) AS BIGINT)",
    # LOCATE(needle, haystack [, start]): 1-based position, 0 when absent.
    "CREATE MACRO db2_locate(n, h) AS instr(h, n), "
    "(n, h, s) AS CASE WHEN instr(substr(h, s), n) = 0 THEN 0 ELSE instr(substr(h, s), n) + s - 1 END",
    "CREATE MACRO db2_posstr(h, n) AS instr(h, n)",
    # DAYOFWEEK(d): 1 Sunday ... 7 Saturday.
    "CREATE MACRO db2_dayofweek(d) AS dayofweek(CAST(d AS DATE)) + 1",
    # INTEGER(x), BIGINT(x): truncate toward zero (DuckDB's CAST rounds); strings are parsed.
    "CREATE MACRO db2_integer(x) AS CAST(trunc(CAST(x AS DOUBLE)) AS INTEGER)",
    "CREATE MACRO db2_bigint(x) AS CAST(trunc(CAST(x AS DECIMAL(38, 6))) AS BIGINT)",
)
