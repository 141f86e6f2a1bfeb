"""Cleaning track (on a ``--dirty`` run): inconsistent codes, duplicate rows, impossible dates.

Keys come from ``truth/quality_issues`` (synth.dirty: agency, table, row_key, column, fault,
clean_value, dirty_value; row_key is the table's key columns joined by ``|``) and the dirty tables
themselves; on a clean run the track is skipped with a note.
"""

from __future__ import annotations

import pandas as pd

from synth.exercises.model import Exercise, RunContext

#: The date before which (or after the snapshot) a date is impossible in the impossible-dates exercise.
EARLIEST = pd.Timestamp("1901-01-01")
SNAPSHOT = pd.Timestamp("2024-06-30")
#: FamilyMan tables and date columns the impossible-dates exercise looks at, with each table's key.
FM_DATES = {"cases": ("case_number", ("entry_date", "case_closed_date", "last_disposal_date")),
            "events": ("event", ("receipt_date", "entry_date"))}
DIRTY_NOTE = ("This exercise needs a run made with `synth generate --dirty` (this pack's run has dirt level "
              "{dirty}); the faults planted are listed in `truth.quality_issues`, which you should not "
              "open until you have answered.")


def _issues(ctx: RunContext) -> pd.DataFrame:
    return ctx.table("truth/quality_issues")


def codes_answer(ctx: RunContext) -> pd.DataFrame:
    """Cafcass England applications by application_type once old and free-text codes are recoded."""
    app = ctx.table("cafcass_england/application")
    q = _issues(ctx)
    q = q[(q["agency"] == "cafcass_england") & (q["table"] == "application") & (q["column"] == "application_type")
          & q["fault"].isin(["old_code", "free_text_code"])]
    # A value-level map (old or free-text code -> current code): it also recodes the duplicate copies
    # of dirtied rows, which carry the dirty value under their own key.
    fix = dict(zip(q["dirty_value"], q["clean_value"]))
    value = app["application_type"].astype("object")
    cleaned = value.map(lambda v: fix.get(v, v))
    out = cleaned.fillna("(blank)").value_counts().rename_axis("application_type").rename("applications")
    return out.reset_index().sort_values("application_type").reset_index(drop=True)


def duplicates_answer(ctx: RunContext) -> pd.DataFrame:
    """Each planted duplicate of the FamilyMan File 1 with the record it copies."""
    q = _issues(ctx)
    q = q[(q["agency"] == "familyman") & (q["table"] == ctx.profile.agencies["familyman"].tables["file1"].name)
          & (q["fault"] == "duplicate_row")]
    out = pd.DataFrame({"duplicate_id": q["dirty_value"].astype("string"),
                        "original_id": q["clean_value"].astype("string")})
    return out.sort_values("duplicate_id").reset_index(drop=True)


def dates_answer(ctx: RunContext) -> pd.DataFrame:
    """Every FamilyMan case or event date before 1901 or after the snapshot, with its clean value."""
    q = _issues(ctx)
    q = q[q["agency"] == "familyman"]
    rows = []
    for tkey, (key, cols) in FM_DATES.items():
        t = ctx.table(f"familyman/{tkey}")
        for c in cols:
            d = pd.to_datetime(t[c], errors="coerce")
            bad = (d < EARLIEST) | (d > SNAPSHOT)
            rows.append(pd.DataFrame({"table": ctx.profile.agencies["familyman"].tables[tkey].name,
                                      "row_key": t.loc[bad, key].astype("string"), "column": c,
                                      "value": d[bad].dt.strftime("%Y-%m-%d")}))
    out = pd.concat(rows, ignore_index=True)
    clean = q[["table", "row_key", "column", "clean_value"]].drop_duplicates(["table", "row_key", "column"])
    out = out.merge(clean, on=["table", "row_key", "column"], how="left")
    return out.sort_values(["table", "row_key", "column"]).reset_index(drop=True)


EXERCISES = (
    Exercise(
        id="cleaning-01", track="cleaning", level=1, title="Inconsistent codes",
        task="Cafcass England's `application_type` should hold codes of the current list "
             "(`child_arrangements_order`, `care_order`, ...). In this extract some rows hold codes from "
             "the list used before the 2014 reforms and some hold free-text variants typed by hand. "
             "Recode them and count applications by `application_type`: columns `application_type, "
             "applications`, blank types counted as `(blank)`, every row counted (do not remove duplicates "
             "here). " + DIRTY_NOTE,
        tables=("cafcass_england/application",),
        hints=("`SELECT application_type, COUNT(*) ... GROUP BY 1` shows the odd values at once.",
               "Free text: lower-case it and turn spaces into underscores.",
               "Residence orders and contact orders became child arrangements orders in April 2014."),
        answer=codes_answer, key=("application_type",), needs=("truth/quality_issues",)),
    Exercise(
        id="cleaning-02", track="cleaning", level=2, title="Find the duplicate records",
        task="Some FamilyMan File 1 records (`{T_familyman_file1}`) were entered twice: the copy has a new "
             "`SYSTEM_ID` and differs from the original by a little noise (spaces or letter case in a name or "
             "postcode). List every copy with the record it copies: columns `duplicate_id, original_id`. "
             "The copy always has the larger `SYSTEM_ID`. " + DIRTY_NOTE,
        tables=("familyman/file1",),
        hints=("Normalise the text columns (`UPPER(TRIM(x))`) before comparing.",
               "Group by every column except `SYSTEM_ID`; groups of two are candidates.",
               "Two records of the same person made on different days are not copies: keep `CREATE_DATE` "
               "in the comparison."),
        answer=duplicates_answer, key=("duplicate_id",), needs=("truth/quality_issues",)),
    Exercise(
        id="cleaning-03", track="cleaning", level=2, title="Impossible dates",
        task="Find every impossible date in FamilyMan's `cases` (`entry_date`, `case_closed_date`, "
             "`last_disposal_date`) and `events` (`receipt_date`, `entry_date`): a date before 1 January 1901 "
             "or after the extract's snapshot date, 30 June 2024. Answer one row per bad cell: `table`, "
             "`row_key` (the `case_number` or `event`), `column`, `value` (ISO date), and `clean_value`: your "
             "best repair, or empty when you cannot tell. The key's `clean_value` is the true value, so "
             "expect to get some of those wrong: the checker marks `table, row_key, column, value`. "
             + DIRTY_NOTE,
        tables=("familyman/cases", "familyman/events"),
        hints=("`WHERE d < DATE '1901-01-01' OR d > DATE '2024-06-30'`, once per date column, `UNION ALL`.",
               "A year 2118 next to a case that started in 2018 is a typing slip of a century.",
               "Day/month swaps (3 June for 6 March) are not impossible: they need another source to catch."),
        answer=dates_answer, key=("table", "row_key", "column"), needs=("truth/quality_issues",)),
)

#: Columns a learner's answer is not marked on (shown in the key for discussion).
UNMARKED = {"cleaning-03": ("clean_value",)}
