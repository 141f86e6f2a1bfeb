"""Linkage track: Cafcass Cymru File 1 against the WDSD File 1, measured against truth/links.

The two File 1s are the identifiable split files of SAIL (schemas.md 1.1): Cafcass Cymru's carries
the identifier errors of the agency (their rate set by ``--errors``, logged in
truth/identifier_errors), the WDSD's is the spine. A true pair is a Cymru record and a WDSD record
of the same truth person. Keys are computed here with pandas; tests/exercises recompute them in SQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.exercises.model import Exercise, RunContext

#: Agreement weights of the threshold exercise (the text states them).
WEIGHTS = {"NHS_NUMBER": 4, "SURNAME": 2, "FORENAME": 1, "POSTCODE": 1, "GENDER_CD": 1}
SCALE = ("These File 1s were generated at identifier-error scale **{errors}** (`synth generate --errors "
         "{errors}`; 1 is the profile's realistic rate, 0 clean identifiers, 2 twice as many errors).")


def _file1(ctx: RunContext, agency: str) -> pd.DataFrame:
    f = ctx.table(f"{agency}/file1").copy()
    links = ctx.table("truth/links")
    person = links[links["agency"] == agency].drop_duplicates("system_id").set_index("system_id")["person_id"]
    f["person_id"] = pd.to_numeric(f["SYSTEM_ID"]).map(person)
    return f


def true_pairs(ctx: RunContext) -> pd.DataFrame:
    """Every (Cymru SYSTEM_ID, WDSD SYSTEM_ID) pair of one truth person."""
    a, b = _file1(ctx, "cafcass_cymru"), _file1(ctx, "wds")
    pairs = a[["SYSTEM_ID", "person_id"]].merge(b[["SYSTEM_ID", "person_id"]], on="person_id", suffixes=("_l", "_r"))
    return pairs[["SYSTEM_ID_l", "SYSTEM_ID_r"]].drop_duplicates()


def _scored(pred: pd.DataFrame, truth: pd.DataFrame) -> tuple[int, int]:
    pred = pred[["SYSTEM_ID_l", "SYSTEM_ID_r"]].drop_duplicates()
    tp = len(pred.merge(truth, on=["SYSTEM_ID_l", "SYSTEM_ID_r"]))
    return len(pred), tp


def _ratio(a: float, b: float) -> float:
    return float(a) / b if b else float("nan")


def _exact_pairs(ctx: RunContext) -> pd.DataFrame:
    a, b = _file1(ctx, "cafcass_cymru"), _file1(ctx, "wds")
    on = ["NHS_NUMBER", "DATE_OF_BIRTH"]
    a, b = a.dropna(subset=on), b.dropna(subset=on)
    return a[["SYSTEM_ID", *on]].merge(b[["SYSTEM_ID", *on]], on=on, suffixes=("_l", "_r"))


def exact_answer(ctx: RunContext) -> pd.DataFrame:
    """Exact linkage on NHS number and date of birth, scored."""
    truth = true_pairs(ctx)
    n, tp = _scored(_exact_pairs(ctx), truth)
    return pd.DataFrame({"predicted_pairs": [n], "true_positives": [tp], "true_pairs": [len(truth)],
                         "precision": [_ratio(tp, n)], "recall": [_ratio(tp, len(truth))]})


def _norm(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.upper()


def threshold_answer(ctx: RunContext) -> pd.DataFrame:
    """Pairs blocked on date of birth, scored by agreement weights, at every threshold 1..9."""
    a, b = _file1(ctx, "cafcass_cymru"), _file1(ctx, "wds")
    cols = ["SYSTEM_ID", "DATE_OF_BIRTH", *WEIGHTS]
    pairs = a.dropna(subset=["DATE_OF_BIRTH"])[cols].merge(b.dropna(subset=["DATE_OF_BIRTH"])[cols],
                                                          on="DATE_OF_BIRTH", suffixes=("_l", "_r"))
    score = np.zeros(len(pairs), dtype=np.int64)
    for c, w in WEIGHTS.items():
        left, right = _norm(pairs[f"{c}_l"]), _norm(pairs[f"{c}_r"])
        score += w * (left == right).fillna(False).to_numpy(bool)
    pairs["score"] = score
    truth = true_pairs(ctx)
    rows = []
    for t in range(1, sum(WEIGHTS.values()) + 1):
        n, tp = _scored(pairs[pairs["score"] >= t], truth)
        rows.append({"threshold": t, "predicted_pairs": n, "true_positives": tp,
                     "precision": _ratio(tp, n), "recall": _ratio(tp, len(truth))})
    return pd.DataFrame(rows)


def errors_answer(ctx: RunContext) -> pd.DataFrame:
    """Recall of exact NHS number + date of birth linkage by the kind of error on the Cymru record."""
    truth = true_pairs(ctx)
    found = _exact_pairs(ctx)[["SYSTEM_ID_l", "SYSTEM_ID_r"]].drop_duplicates().assign(found=1)
    truth = truth.merge(found, on=["SYSTEM_ID_l", "SYSTEM_ID_r"], how="left").fillna({"found": 0})
    links = ctx.table("truth/links")
    links = links[links["agency"] == "cafcass_cymru"]
    errs = ctx.table("truth/identifier_errors")
    errs = errs[errs["agency"] == "cafcass_cymru"].merge(links[["agency_person_id", "system_id"]],
                                                         on="agency_person_id")
    fields = errs[["system_id", "field"]].drop_duplicates()
    truth["system_id"] = pd.to_numeric(truth["SYSTEM_ID_l"])
    with_field = truth.merge(fields, on="system_id", how="left").fillna({"field": "none"})
    out = with_field.groupby("field").agg(true_pairs=("found", "size"), found=("found", "sum")).reset_index()
    out["found"] = out["found"].astype("int64")
    out["recall"] = out["found"] / out["true_pairs"]
    return out.rename(columns={"field": "error_field"})


EXERCISES = (
    Exercise(
        id="linkage-01", track="linkage", level=1, title="Exact linkage of two File 1s",
        task="Link the Cafcass Cymru File 1 (`{T_cafcass_cymru_file1}`) to the WDSD File 1 (`{T_wds_file1}`) "
             "by exact agreement on `NHS_NUMBER` and `DATE_OF_BIRTH` (both present). Score it against the truth: "
             "in `truth.links` a row maps an agency's File 1 `SYSTEM_ID` (`system_id`, for `agency` "
             "`cafcass_cymru` or `wds`) to the true `person_id`, and a true pair is a Cymru record and a WDSD "
             "record of one person. Answer one row: `predicted_pairs`, `true_positives`, `true_pairs`, "
             "`precision`, `recall` (three decimals are enough). " + SCALE,
        tables=("cafcass_cymru/file1", "wds/file1", "truth/links"),
        hints=("Join the two File 1s on both columns; count distinct (left, right) SYSTEM_ID pairs.",
               "`SYSTEM_ID` is text in File 1 and a number in `truth.links`: cast one side.",
               "True pairs: join truth.links to itself on person_id, one side cafcass_cymru, the other wds."),
        answer=exact_answer, key=(), tolerance=5e-4),
    Exercise(
        id="linkage-02", track="linkage", level=2, title="Choosing a threshold",
        task="Probabilistic linkage scores how much two records agree. Block on `DATE_OF_BIRTH` (pair every "
             "Cymru File 1 record with every WDSD File 1 record of the same date of birth), compare the fields "
             "after trimming spaces and upper-casing (a missing value never agrees), and score each pair: "
             "NHS number 4, surname 2, forename 1, postcode 1, sex (`GENDER_CD`) 1. For every threshold from 1 "
             "to 9, link the pairs scoring at least that much and give `threshold, predicted_pairs, "
             "true_positives, precision, recall` (recall over *all* true pairs, as in linkage-01). Which "
             "threshold would you choose, and what does blocking on date of birth cost? " + SCALE,
        tables=("cafcass_cymru/file1", "wds/file1", "truth/links"),
        hints=("`(UPPER(TRIM(a.SURNAME)) = UPPER(TRIM(b.SURNAME)))::INT * 2` is null when either is null: "
               "`COALESCE(..., 0)`.",
               "Cross the pairs with `range(1, 10)` to get every threshold in one query.",
               "A true pair with a wrong date of birth on the Cymru side is never a candidate: that is "
               "the recall ceiling of this blocking."),
        answer=threshold_answer, key=("threshold",), tolerance=5e-4),
    Exercise(
        id="linkage-03", track="linkage", level=3, title="What identifier errors cost",
        task="`truth.identifier_errors` lists every error planted in an agency's person records (`agency`, "
             "`agency_person_id`, `field`, `kind`); `truth.links` maps `agency_person_id` to the File 1 "
             "`system_id`. For the true Cymru-WDSD pairs of linkage-01, give the recall of the exact NHS "
             "number + date of birth linkage by the field in error on the Cymru record: one row per "
             "`error_field` (`none` for records without an error; a record with errors in two fields "
             "counts in both), with `true_pairs`, `found` and `recall`. Which errors does exact linkage "
             "survive? " + SCALE + " Generate the run again at another `--errors` scale and compare.",
        tables=("cafcass_cymru/file1", "wds/file1", "truth/links", "truth/identifier_errors"),
        hints=("Start from the true pairs, LEFT JOIN the exact links to flag the found ones.",
               "identifier_errors -> links (agency_person_id) gives the record's system_id.",
               "Postcode and surname errors should cost nothing here; a blank NHS number costs everything."),
        answer=errors_answer, key=("error_field",), tolerance=5e-4),
)
