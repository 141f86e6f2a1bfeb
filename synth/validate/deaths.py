"""Checks of deaths: nobody acts after death, and deaths follow the life table.

``no_record_after_death`` (integrity) looks at every dated record about a person that falls
after their date of death: hearings and court events of proceedings they are a party to, care
episodes, reviews and adoption steps, and the spine's address and GP periods (WDSD FROM_DT).
``deaths_vs_life_table`` (realism) compares the deaths in the run with the number the ONS life
table implies for the same people, each followed from their last activity to the period end:
a figure the generator is not tuned to (synth.world.deaths draws from the hazard, and this check
recounts the exposure from the written truth).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from synth.dates import to_days
from synth.profile.kinds import YEAR
from synth.validate.core import CheckResult, RunData, mask_result
from synth.validate.registry import check
from synth.validate.scan import Part, aligned_parts, per_part, sql_result
from synth.validate.sqlrun import quote
from synth.world import deaths
from synth.world.schema import TRUTH_TABLES

#: Truth tables whose dated rows must not fall after the person's death: (table, date fields, key).
PERSON_DATED = (
    ("court_event", ("event_date",), "event_id"),
    ("care_episode", ("start_date",), "episode_id"),
    ("care_review", ("review_date",), "review_id"),
    ("adoption", ("decision_date", "placement_order_date", "match_date", "placed_date", "adoption_date"),
     "adoption_id"),
)


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return pd.to_datetime(values.astype("string"), errors="coerce")


def _with_dates(t: pd.DataFrame, name: str) -> pd.DataFrame:
    """A truth table with its date fields as datetimes."""
    t = t.copy()
    for f, typ in TRUTH_TABLES[name].items():
        if typ == "date" and f in t.columns:
            t[f] = _dates(t[f])
    return t


@check("integrity", truth=("person", "proceeding", "proceeding_party", "hearing"))
def no_record_after_death(run: RunData) -> list[CheckResult]:
    """No hearing, court event, care record or spine period of a person is dated after their death."""
    dated: list[tuple[str, tuple[str, ...], str]] = [d for d in PERSON_DATED if run.has("truth", d[0])]
    tables: list[Part] = [("truth", "person", ["person_id", "date_of_death"]), ("truth", "proceeding_party", None),
                          ("truth", "hearing", ["proceeding_id", "hearing_date"])]
    tables += [("truth", name, [key, "person_id", *fields]) for name, fields, key in dated]
    # A family's truth rows are all in one shard, so the rule is judged shard by shard.
    out = per_part(run, tables, lambda *frames: _after_death(frames, dated))
    return out + list(_spine_after_death(run))


def _after_death(frames: tuple[pd.DataFrame, ...], dated: list[tuple[str, tuple[str, ...], str]]) -> list[CheckResult]:
    person, party, hearing, *rest = frames
    died = _with_dates(person, "person").set_index("person_id")["date_of_death"]
    last_hearing = _with_dates(hearing, "hearing").groupby("proceeding_id")["hearing_date"].max()
    acted = party["proceeding_id"].map(last_hearing)
    death = party["person_id"].map(died)
    out = [mask_result("no_record_after_death", "truth/proceeding_party", "person_id",
                       (death.notna() & (acted > death)).to_numpy(), party, ["party_id"],
                       "no hearing of a proceeding is after the death of one of its parties")]
    for (name, fields, key), frame in zip(dated, rest, strict=True):
        t = _with_dates(frame, name)
        death = t["person_id"].map(died)
        bad = np.zeros(len(t), dtype=bool)
        for f in fields:
            bad |= (death.notna() & (t[f] > death)).to_numpy()
        out.append(mask_result("no_record_after_death", f"truth/{name}", fields[0], bad, t, [key],
                               f"no {name.replace('_', ' ')} of a person is dated after their death"))
    return out


def _spine_after_death(run: RunData) -> Iterator[CheckResult]:
    """WDSD address and GP periods start on or before the person's DOD (the agency's own column; SQL)."""
    if "wds" not in run.agencies:
        return
    tables = run.profile.agencies["wds"].tables
    if "ar_pers" not in tables:
        return
    pers = run.agency_source("wds", "ar_pers")
    names = run.sql.describe(pers)
    pid = next((c for c in names if c.startswith("PERS_ID_")), None)
    if pid is None or "DOD" not in names:
        return
    for key in ("ar_pers_add", "ar_pers_gp"):
        if key not in tables:
            continue
        t = run.agency_source("wds", key)
        offending = (f"SELECT t.{quote(pid)}, t.FROM_DT, t._f, t._r FROM {t} AS t JOIN (SELECT {quote(pid)}, "
                     f"{_sql_date('DOD')} AS dod FROM {pers}) AS p ON p.{quote(pid)} = t.{quote(pid)} "
                     f"WHERE p.dod IS NOT NULL AND {_sql_date('t.FROM_DT')} > p.dod")
        yield sql_result(run, "no_record_after_death", f"wds/{tables[key].name}", "FROM_DT", offending,
                         [pid, "FROM_DT"], "no spine period starts after the person's date of death")


def _sql_date(expr: str) -> str:
    return f"TRY_CAST(TRY_CAST({expr} AS TIMESTAMP) AS DATE)"


def _activity_fields(name: str) -> list[str]:
    """The fields of a truth table that the life-table exposure reads (synth.world.deaths.last_activity)."""
    fixed = {"person": ["person_id", "sex", "date_of_birth", "date_of_death", "mother_id", "father_id"],
             "proceeding": ["proceeding_id", "disposal_date"], "proceeding_party": ["proceeding_id", "person_id"]}
    if name in fixed:
        return fixed[name]
    return ["person_id", *(f for f, typ in TRUTH_TABLES[name].items() if typ == "date")]


@check("realism", truth=("person", "proceeding", "proceeding_party"))
def deaths_vs_life_table(run: RunData) -> CheckResult:
    """Deaths by the period end agree with the life table, each person followed from their last activity."""
    names = ["person", "proceeding", "proceeding_party"]
    names += [n for n in ("court_event", "care_episode", "care_review", "care_missing", "adoption")
              if run.has("truth", n)]
    end = to_days(run.profile.period.end)
    expected, observed, at_risk_n = 0.0, 0, 0
    # Each person's exposure is their own (their family's rows are all in one shard): summed shard by shard,
    # reading only the fields deaths.last_activity reads (ids, births, deaths, sex and dates).
    for frames in aligned_parts(run, [("truth", n, _activity_fields(n)) for n in names]):
        tables = {n: _with_dates(f, n) for n, f in zip(names, frames, strict=True)}
        person = tables["person"] = tables["person"].sort_values("person_id").reset_index(drop=True)
        entry = deaths.last_activity(tables, end)
        dob = person["date_of_birth"].to_numpy("datetime64[D]").astype(np.int64)
        at_risk = entry <= end
        sex = person["sex"].to_numpy()[at_risk]
        h0 = deaths.cumulative_hazard(sex, (entry[at_risk] - dob[at_risk]) / YEAR)
        h1 = deaths.cumulative_hazard(sex, (end - dob[at_risk]) / YEAR)
        expected += float((1 - np.exp(-(h1 - h0))).sum())
        observed += int(person["date_of_death"].notna().sum())
        at_risk_n += int(at_risk.sum())
    tolerance = 4 * np.sqrt(max(expected, 1.0)) + 1
    passed = abs(observed - expected) <= tolerance
    return CheckResult("realism", "deaths_vs_life_table", bool(passed), "truth/person", "date_of_death",
                       statistic={"observed": observed, "expected": round(expected, 1),
                                  "tolerance": round(float(tolerance), 1), "people_at_risk": at_risk_n},
                       detail="deaths by the period end vs the ONS life table over each person's time after "
                              "their last activity (tolerance 4 Poisson sd)")
