"""Every local authority code in an agency table is valid on its row's date (issue 12 point 6).

A view writes the code valid on the record's day (synth.views.la_dated). This check reads, per
agency table with a column whose field is a ``la_code``, the distinct (code, day) pairs in SQL (a
few thousand rows whatever the run's size) and tests them against the dated code table
(:func:`synth.world.la_codes.valid_on`). The day is the table's ``YEAR`` (31 March of a return's
collection year), its column whose field is the case's issue date, or its Cafcass receipt date (the
code may then be the one of up to a month before: the issue); a table with none (a Cafcass adult,
the public reference tables) is checked for known codes only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.models import Table
from synth.validate.core import CheckResult, RunData
from synth.validate.registry import AgencyTable, check
from synth.validate.sqlrun import quote
from synth.views.la_dated import is_la_field
from synth.world.la_codes import la_codes, valid_on

#: Fields of a column that give the row's day.
DAY_FIELDS = ("issue_date", "proceeding_id.issue_date", "first_proceeding_id.issue_date")
#: Fields of a day a few days after the issue (Cafcass receipt): the code may be the one of up to
#: :data:`RECEIPT_SLACK` days earlier.
RECEIPT_FIELDS = ("receipt_date", "proceeding_id.receipt_date")
RECEIPT_SLACK = 31


def _applies(spec: Table) -> bool:
    return any(is_la_field(c.field) for c in spec.columns)


@check("integrity", "la_code_valid_on_date", each="agency_table", applies=_applies)
def la_code_valid_on_date(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """Local authority codes exist, and were in use on the row's date."""
    src = run.agency_source(t.agency, t.key)
    have = run.sql.describe(src)
    year = next((c.name for c in t.spec.columns if c.field == "year" and c.name in have), None)
    day = next((c.name for c in t.spec.columns if c.field in DAY_FIELDS and c.name in have), None)
    receipt = next((c.name for c in t.spec.columns if c.field in RECEIPT_FIELDS and c.name in have), None)
    slack = 0 if day is not None or receipt is None else RECEIPT_SLACK
    day = day or receipt
    out = []
    for col in t.spec.columns:
        if not is_la_field(col.field) or col.name not in have:
            continue
        c = quote(col.name)
        if year is not None:
            when = f"make_date(CAST({quote(year)} AS INTEGER), 3, 31)"
        elif day is not None:
            when = f"CAST({quote(day)} AS DATE)"
        else:
            when = "CAST(NULL AS DATE)"
        pairs = run.sql.df(f"SELECT {c} AS code, {when} AS day, COUNT(*) AS n FROM {src} "
                           f"WHERE {c} IS NOT NULL GROUP BY 1, 2")
        codes = pairs["code"].astype(str).to_numpy(object)
        if year is None and day is None:
            ok = np.isin(codes, la_codes()["la_code"].to_numpy(object))
            what = "a known local authority code"
        else:
            d = pd.to_datetime(pairs["day"]).to_numpy("datetime64[D]")
            ok = valid_on(codes, d) | (valid_on(codes, d - slack) if slack else False)
            what = f"a code in use on the row's {'31 March of YEAR' if year else day}" + (
                f" (or up to {slack} days before: the case's issue)" if slack else "")
        bad = pairs[~ok]
        out.append(CheckResult(
            "integrity", "la_code_valid_on_date", bad.empty, t.label, col.name, violations=int(bad["n"].sum()),
            examples=[f"{r.code} on {r.day}" for r in bad.head(5).itertuples()],
            detail=f"every {col.name} is {what} (reference/la_codes.csv)"))
    return out
