"""An agency's tables as a few plain frames: cases, applications, children, adults, parents, hearings.

Whatever the agency calls its tables and columns, :func:`build_extract` finds them through the
profile (:mod:`synth.learn.shape`) and returns the same frames, so the derivations in
:mod:`synth.learn.derive` never see an agency's names. What an agency does not record is left
out (an empty or null column), and the derivations that need it say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth.errors import InputError, ProfileError
from synth.learn import shape as S
from synth.learn.read import Reader
from synth.profile.models import Agency, Column
from synth.world.schema import id_field

PROC_FIELDS = ("law_type", "issue_date", "receipt_date", "disposal_date", "application_type", "applicant_type")
ROW_PERSON_FIELDS = ("person_id", "agency_person_id")
#: Row sources whose own fields describe the row's person (an agency's person record).
PERSON_ROWS = ("person", "agency_person")
DAY = pd.Timedelta(days=1)
# A missing value for np.where (a bare None is not array-like to the type checker).
_NONE = np.array(None, dtype=object)


@dataclass
class Extract:
    """The frames the derivations read.

    Attributes:
        apps: one row per application (or case): case, law_type, issue/receipt/disposal dates,
            application_type, applicant_type.
        cases: one row per case: case, law_type, dates (earliest issue and receipt; disposal when
            every application is disposed), fy, mother, seq (0 = the mother's first case in the
            extract), next_law (law type of her next case).
        subjects: one row per child on a case: case, person, age_lo/age_hi (days at issue; equal
            when exact), sex (truth code '1' male, '2' female), outcome, ethnicity.
        adults: one row per adult party on a case: case, person, role, relationship, sex, dob_lo,
            dob_hi, ethnicity.
        parentage: parent-child pairs: case (may be null), child, parent, parent_role.
        hearings: case, date, type (None when the agency has no hearings).
        people: distinct person records seen.
        ethnicity_groups: coarse label -> truth codes, when ethnicity is recorded only in groups.
        end: the last day the extract can show (censoring date).
        unmapped: (table.column, count) of values outside a column's code map, ignored.
        skipped: tables not read because they hold direct identifiers.
    """

    apps: pd.DataFrame
    cases: pd.DataFrame
    subjects: pd.DataFrame
    adults: pd.DataFrame
    parentage: pd.DataFrame | None
    hearings: pd.DataFrame | None
    people: int
    ethnicity_groups: dict[str, list[str]] | None
    end: pd.Timestamp
    unmapped: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, reader: Reader, agency: Agency) -> None:
        self.r = reader
        self.a = agency
        self.unmapped: dict[str, int] = {}
        self.eth_groups: dict[str, list[str]] | None = None
        self.skipped = [k for k, t in agency.tables.items() if S.identifying(t)]
        self.usable = [k for k in agency.tables if k not in self.skipped]
        first = next((k for k in self.usable if agency.tables[k].rows == "proceeding"), None)
        if first is None:
            raise ProfileError([(reader.agency_key, "tables", "no table is made from proceeding rows; "
                                 "synth learn needs the agency's cases")])
        key_col = next(c for c in agency.tables[first].columns if c.name == agency.tables[first].key[0])
        self.entity = key_col.id or "proceeding"

    # -- keys ---------------------------------------------------------------------------------

    def case_key(self, table: str) -> tuple[list[str], Callable[[pd.DataFrame], pd.Series]] | None:
        """Columns to read and a function giving each row's case key, or None."""
        own = S.id_column(self.a, table, self.entity, ("proceeding_id",))
        if own is not None:
            return [own.name], lambda df: df[own.name]
        rows = self.a.tables[table].rows
        for c in self.a.tables[table].columns:
            if not c.id or c.id in (self.entity, "person"):
                continue
            fld = c.field or id_field(rows)
            bridge = self._bridge(c.id, fld)
            if bridge is not None:
                name = c.name
                return [name], lambda df, b=bridge, n=name: df[n].map(b)
        return None

    def _bridge(self, entity: str, fld: str) -> pd.Series | None:
        """Case key of each ``entity`` id, from a table holding both (e.g. application -> case)."""
        for k in self.tables(("proceeding",)):
            a = S.id_column(self.a, k, entity, (fld,))
            b = S.id_column(self.a, k, self.entity, ("proceeding_id",))
            if a is not None and b is not None:
                df = self.r.read(k, [a.name, b.name]).dropna().drop_duplicates(a.name)
                return df.set_index(a.name)[b.name]
        return None

    def person_column(self, table: str, fields: tuple[str, ...] = ROW_PERSON_FIELDS):
        return S.id_column(self.a, table, "person", fields)

    # -- decoding -----------------------------------------------------------------------------

    def codes(self, df: pd.DataFrame, col: Column, field_name: str, table: str) -> pd.Series:
        dec = S.decode_codes(df[col.name], col)
        if dec.unmapped:
            self.unmapped[f"{self.a.tables[table].name}.{col.name}"] = dec.unmapped
        if dec.groups is not None and field_name.endswith("ethnicity"):
            self.eth_groups = dec.groups
        return dec.values

    def read_fields(self, table: str, fields: tuple[str, ...], extra: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The raw ``extra`` columns, and the decoded ``fields`` named by their last part (dates as
        ``<field>`` and ``<field>_hi``)."""
        cols = {f: S.table_columns(self.a, table, f) for f in fields}
        names = extra + [c.name for cs in cols.values() for c in cs]
        df = self.r.read(table, names)
        out = pd.DataFrame(index=df.index)
        for f, cs in cols.items():
            short = f.split(".")[-1]
            if not cs:
                continue
            if "date" in short:
                lo, hi = S.decode_dates(df, cs)
                out[short], out[f"{short}_hi"] = lo, hi
            elif short in ("age_at_issue_days",):
                out[short] = pd.to_numeric(df[cs[0].name], errors="coerce").astype(float)
            else:
                out[short] = self.codes(df, cs[0], f, table)
        return df, out

    # -- frames -------------------------------------------------------------------------------

    def tables(self, rows: tuple[str, ...]) -> list[str]:
        """Usable tables made from ``rows``."""
        return [k for k in self.usable if S.base_rows(self.a.tables[k].rows) in rows]

    def apps(self) -> pd.DataFrame:
        keys = {k: key for k in self.tables(("proceeding",)) if (key := self.case_key(k)) is not None}
        tabs = list(keys)
        score = {k: sum(bool(S.table_columns(self.a, k, f)) for f in PROC_FIELDS) for k in tabs}
        tabs.sort(key=lambda k: -score[k])
        frame = None
        for k in tabs:
            missing = [f for f in PROC_FIELDS if frame is None or f not in frame]
            if not any(S.table_columns(self.a, k, f) for f in missing):
                continue
            key_cols, key_of = keys[k]
            raw, dec = self.read_fields(k, tuple(missing), key_cols)
            dec.insert(0, "case", key_of(raw))
            dec = dec.dropna(subset=["case"])
            if self.a.tables[k].rows != "proceeding":  # several rows per case: the first received
                order = [c for c in ("receipt_date", "issue_date") if c in dec]
                dec = dec.sort_values(["case", *order], kind="stable").drop_duplicates("case")
            if frame is None:
                frame = dec
            else:
                frame = frame.merge(dec.drop_duplicates("case"), on="case", how="left")
        if frame is None:
            raise ProfileError([(self.r.agency_key, "tables", "no case table with a case id could be read")])
        if "law_type" not in frame:
            laws = self.a.coverage.law_type
            if len(laws) != 1:
                raise ProfileError([(self.r.agency_key, "tables", "no column holds law_type; synth learn needs it")])
            frame["law_type"] = laws[0]
        for f in PROC_FIELDS:
            if f not in frame:
                frame[f] = None if "date" not in f else pd.NaT
        return frame[["case", *PROC_FIELDS]].reset_index(drop=True)

    def _attr_fields(self, table: str) -> tuple[str, ...]:
        """The fields of ``table`` holding its row person's sex, ethnicity and date of birth."""
        rows = self.a.tables[table].rows
        out = []
        for attr in ("sex", "ethnicity", "date_of_birth"):
            own = (attr,) if rows in PERSON_ROWS else ()
            out += [f for f in (f"person_id.{attr}", *own) if S.table_columns(self.a, table, f)][:1]
        return tuple(out)

    def person_attrs(self) -> pd.DataFrame:
        """sex, ethnicity, dob_lo and dob_hi per person record (the most precise date of birth seen)."""
        parts = []
        for k in self.usable:
            pcol, fields = self.person_column(k), self._attr_fields(k)
            if pcol is None or not fields:
                continue
            raw, dec = self.read_fields(k, fields, [pcol.name])
            dec.insert(0, "person", raw[pcol.name])
            parts.append(dec)
        if not parts:
            return pd.DataFrame(columns=["person", "sex", "ethnicity", "dob_lo", "dob_hi"]).set_index("person")
        df = pd.concat(parts, ignore_index=True).dropna(subset=["person"])
        if "date_of_birth" in df:
            df = df.rename(columns={"date_of_birth": "dob_lo", "date_of_birth_hi": "dob_hi"})
            df["width"] = (df["dob_hi"] - df["dob_lo"]) / DAY
            df = df.sort_values("width", kind="stable")  # most precise date first
        out = df.groupby("person", sort=False).first()
        for c in ("sex", "ethnicity", "dob_lo", "dob_hi"):
            if c not in out:
                out[c] = pd.NaT if c.startswith("dob") else None
        return out[["sex", "ethnicity", "dob_lo", "dob_hi"]]

    def parties(self) -> pd.DataFrame:
        parts = []
        for k in self.tables(("proceeding_party",)):
            pcol, key = self.person_column(k), self.case_key(k)
            if pcol is None or key is None:
                continue
            raw, dec = self.read_fields(k, ("party_role", "relationship"), [pcol.name, *key[0]])
            dec.insert(0, "person", raw[pcol.name])
            dec.insert(0, "case", key[1](raw))
            parts.append(dec)
        cols = ["case", "person", "party_role", "relationship"]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        for c in cols:
            if c not in df:
                df[c] = None
        return df[cols].dropna(subset=["case", "person"])

    def child_rows(self) -> pd.DataFrame:
        parts = []
        for k in self.tables(("proceeding_child",)):
            pcol, key = self.person_column(k, ("person_id",)), self.case_key(k)
            if pcol is None or key is None:
                continue
            fields = ("age_at_issue_days", "outcome", "person_id.sex", "person_id.ethnicity")
            raw, dec = self.read_fields(k, fields, [pcol.name, *key[0]])
            dec.insert(0, "person", raw[pcol.name])
            dec.insert(0, "case", key[1](raw))
            parts.append(dec)
        cols = ["case", "person", "age_at_issue_days", "outcome", "sex", "ethnicity"]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        for c in cols:
            if c not in df:
                df[c] = np.nan if c == "age_at_issue_days" else None
        return df[cols].dropna(subset=["case", "person"])

    def parentage(self) -> pd.DataFrame | None:
        parts = []
        for k in self.tables(("proceeding_relationship",)):
            child = S.id_column(self.a, k, "person", ("child_id",))
            parent = S.id_column(self.a, k, "person", ("parent_id",))
            if child is None or parent is None:
                continue
            key = self.case_key(k)
            raw, dec = self.read_fields(k, ("parent_role",), [child.name, parent.name, *(key[0] if key else [])])
            dec.insert(0, "parent", raw[parent.name])
            dec.insert(0, "child", raw[child.name])
            dec.insert(0, "case", key[1](raw) if key else pd.NA)
            parts.append(dec)
        if not parts:
            return None
        df = pd.concat(parts, ignore_index=True)
        if "parent_role" not in df:
            df["parent_role"] = None
        return df[["case", "child", "parent", "parent_role"]].dropna(subset=["child", "parent"])

    def hearings(self) -> pd.DataFrame | None:
        for k in self.tables(("hearing",)):
            key = self.case_key(k)
            if key is None or not S.table_columns(self.a, k, "hearing_date"):
                continue
            raw, dec = self.read_fields(k, ("hearing_date", "hearing_type"), key[0])
            out = pd.DataFrame({"case": key[1](raw), "date": dec["hearing_date"],
                                "type": dec["hearing_type"] if "hearing_type" in dec else None})
            return out.dropna(subset=["case", "date"]).reset_index(drop=True)
        return None


def _cases(apps: pd.DataFrame, adults: pd.DataFrame) -> pd.DataFrame:
    g = apps.groupby("case", sort=True)
    cases = g.agg(law_type=("law_type", "first"), issue_date=("issue_date", "min"),
                  receipt_date=("receipt_date", "min"), disposal_date=("disposal_date", "max"))
    open_ = apps["disposal_date"].isna().groupby(apps["case"]).any().reindex(cases.index)
    cases.loc[open_.to_numpy(bool), "disposal_date"] = pd.NaT
    issue = cases["issue_date"].fillna(cases["receipt_date"])
    cases["fy"] = np.where(issue.dt.month >= 4, issue.dt.year, issue.dt.year - 1)
    mothers = adults[adults["relationship"] == "mother"].sort_values(["case", "person"])
    cases["mother"] = mothers.drop_duplicates("case").set_index("case")["person"].reindex(cases.index)
    cases = cases.reset_index()
    cases["_when"] = issue.to_numpy()
    has = cases["mother"].notna()
    linked = cases[has].sort_values(["mother", "_when", "case"], kind="stable")
    cases["seq"] = 0
    cases.loc[linked.index, "seq"] = linked.groupby("mother").cumcount().to_numpy()
    cases["next_law"] = None
    cases.loc[linked.index, "next_law"] = linked.groupby("mother")["law_type"].shift(-1).to_numpy()
    return cases.drop(columns="_when")


def _infer_relationships(adults: pd.DataFrame, subjects: pd.DataFrame, parentage: pd.DataFrame | None,
                         attrs: pd.DataFrame) -> pd.DataFrame:
    """Fill missing relationships: a parent of a child on the case is its mother/father by sex."""
    adults = adults.copy()
    adults["sex"] = adults["person"].map(attrs["sex"]) if len(attrs) else None
    todo = adults["relationship"].isna()
    if not todo.any() or parentage is None:
        return adults
    pairs = subjects[["case", "person"]].rename(columns={"person": "child"}).merge(
        parentage[["child", "parent"]].drop_duplicates(), on="child")
    is_parent = pd.MultiIndex.from_frame(adults[["case", "person"]]).isin(
        pd.MultiIndex.from_frame(pairs[["case", "parent"]]))
    rel = np.where(is_parent, np.where(adults["sex"] == "2", "mother",
                                       np.where(adults["sex"] == "1", "father", _NONE)), "relative")
    adults.loc[todo, "relationship"] = rel[todo.to_numpy()]
    return adults


def build_extract(reader: Reader, agency: Agency, period_end: dt.date, min_cases: int = 1) -> Extract:
    """Read the agency's tables into an :class:`Extract`.

    Args:
        reader: reads the agency's tables.
        agency: its declaration in the base profile.
        period_end: the base profile's last day (the extract is censored at the earlier of this
            and the last date it shows).
        min_cases: refuse an extract with fewer distinct cases (below the disclosure threshold
            nothing could be published).

    Raises:
        InputError: fewer than ``min_cases`` cases (at least one is always needed).
    """
    b = _Builder(reader, agency)
    apps = b.apps()
    n_cases = int(apps["case"].nunique())
    if n_cases < max(min_cases, 1):
        raise InputError(f"{reader.source.path}: too few cases ({n_cases}) in the {reader.agency_key} extract; "
                         f"synth learn needs at least {max(min_cases, 1)} (the --threshold) to publish anything; "
                         "give a larger extract")
    attrs = b.person_attrs()
    parties = b.parties()
    rows = b.child_rows()
    subj_pairs = pd.concat([f for f in (rows[["case", "person"]],
                                        parties.loc[parties["party_role"] == "subject", ["case", "person"]]) if len(f)]
                           or [pd.DataFrame({"case": [], "person": []})])
    child_rows = rows.drop_duplicates(["case", "person"])
    if not len(child_rows):  # no per-child table: its empty key columns take the subjects' types
        child_rows = child_rows.astype({k: subj_pairs[k].dtype for k in ("case", "person")})
    subjects = subj_pairs.drop_duplicates().merge(child_rows, how="left", on=["case", "person"])
    for c in ("sex", "ethnicity"):
        subjects[c] = subjects[c].fillna(subjects["person"].map(attrs[c])) if len(attrs) else subjects[c]
    issue = subjects["case"].map(apps.groupby("case")["issue_date"].min())
    exact = subjects["age_at_issue_days"]
    dob_lo = subjects["person"].map(attrs["dob_lo"]) if len(attrs) else pd.Series(pd.NaT, index=subjects.index)
    dob_hi = subjects["person"].map(attrs["dob_hi"]) if len(attrs) else pd.Series(pd.NaT, index=subjects.index)
    subjects["age_lo"] = exact.fillna((issue - pd.to_datetime(dob_hi)) / DAY)
    subjects["age_hi"] = exact.fillna((issue - pd.to_datetime(dob_lo)) / DAY)
    subjects = subjects.drop(columns="age_at_issue_days")
    parentage = b.parentage()
    if parentage is not None and len(attrs):
        role = parentage["parent"].map(attrs["sex"]).map({"1": "father", "2": "mother"})
        parentage["parent_role"] = parentage["parent_role"].fillna(role)
    adults = parties[parties["party_role"] != "subject"].drop_duplicates(["case", "person"])
    adults = _infer_relationships(adults, subjects, parentage, attrs)
    for c in ("ethnicity", "dob_lo", "dob_hi"):
        adults[c] = adults["person"].map(attrs[c]) if len(attrs) else None
    hearings = b.hearings()
    cases = _cases(apps, adults)
    dates = [apps[c].max() for c in ("issue_date", "receipt_date", "disposal_date")]
    if hearings is not None:
        dates.append(hearings["date"].max())
    seen = max((d for d in dates if pd.notna(d)), default=pd.Timestamp(period_end))
    ids = [subjects["person"], adults["person"]] + ([parentage["child"], parentage["parent"]] if parentage is not None
                                                    else [])
    people = pd.concat([i for i in ids if len(i)]).nunique() if any(len(i) for i in ids) else 0
    return Extract(apps=apps, cases=cases, subjects=subjects.reset_index(drop=True),
                   adults=adults.reset_index(drop=True), parentage=parentage, hearings=hearings,
                   people=int(people), ethnicity_groups=b.eth_groups,
                   end=min(pd.Timestamp(period_end), pd.Timestamp(seen)), unmapped=list(b.unmapped.items()),
                   skipped=b.skipped)
