"""Candidate record pairs from File 1 tables: blocking, comparison features, truth labels.

Blocking rules are described in :mod:`synth.linkage.rules`. The candidate set is the union over
the rules; each pair is tagged with the first rule (in the order given) that produced it.

Features are NULL where they cannot be computed (a value missing on either side).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import duckdb
import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.linkage.io import LinkageRun
from synth.linkage.output import staged
from synth.linkage.records import connect, load_normalised
from synth.linkage.rules import DEFAULT_RULES, FEATURES, KEYS, MAX_PAIRS, parse_rule
from synth.linkage.score import pair_counts


def _key_sql(fields: list[str]) -> tuple[str, str]:
    """``(key expression, non-null condition)`` of a rule."""
    exprs = [KEYS[f] for f in fields]
    key = exprs[0] if len(exprs) == 1 else "concat_ws('|', " + ", ".join(exprs) + ")"
    return key, " AND ".join(f"({e}) IS NOT NULL" for e in exprs)


def block(con: duckdb.DuckDBPyConnection, rules: list[str], within: bool = False, max_pairs: int = MAX_PAIRS,
          records: str = "rec", out: str = "cand") -> dict[str, int]:
    """Create table ``out`` (rid_l < rid_r, rule_ord) of candidate pairs from table ``records``.

    Args:
        con: a connection holding the normalised records.
        rules: rule names or field lists, in order of precedence.
        within: also pair records of the same agency (not only across agencies).
        max_pairs: refuse when the rules together could produce more pairs than this.
        records: the records table (rid, agency, id and the normalised fields).
        out: the table to create.

    Returns:
        How many pairs each rule produces on its own, by rule.

    Raises:
        InputError: for an unknown rule, or more than ``max_pairs`` candidate pairs.
    """
    keyed, alone = [], {}
    for i, rule in enumerate(rules):
        key, ok = _key_sql(parse_rule(rule))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _k{i} AS SELECT rid, agency, id, {key} AS key "
                    f"FROM {records} WHERE {ok}")
        n = cast(tuple, con.execute(f"""
            WITH g AS (SELECT key, agency, count(*) AS n FROM _k{i} GROUP BY key, agency),
                 t AS (SELECT key, sum(n) AS tot, sum(n * (n - 1) // 2) AS same FROM g GROUP BY key)
            SELECT coalesce(sum(tot * (tot - 1) // 2 {'' if within else '- same'}), 0) FROM t""").fetchone())[0]
        alone[rule] = int(n)
        keyed.append(i)
    total = sum(alone.values())
    if total > max_pairs:
        each = ", ".join(f"{r}: {n:,}" for r, n in alone.items())
        raise InputError(f"blocking would make up to {total:,} candidate pairs ({each}), more than --max-pairs "
                         f"{max_pairs:,}; use stricter rules (e.g. --block postcode_surname --block nhs) "
                         "or fewer agencies, or raise --max-pairs")
    cond = "" if within else " AND a.agency <> b.agency"
    same = " AND NOT (a.agency = b.agency AND a.id = b.id)" if within else ""
    union = " UNION ALL ".join(
        f"SELECT a.rid AS rid_l, b.rid AS rid_r, {i} AS ord FROM _k{i} a JOIN _k{i} b "
        f"ON a.key = b.key AND a.rid < b.rid{cond}{same}" for i in keyed)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {out} AS SELECT rid_l, rid_r, min(ord) AS rule_ord "
                f"FROM ({union}) GROUP BY rid_l, rid_r")
    for i in keyed:
        con.execute(f"DROP TABLE _k{i}")
    return alone


def compare_sql(rules: list[str], records: str = "rec", cand: str = "cand") -> str:
    """SELECT of the output: the pair, its rule, the features and ``match`` (same true person).

    The pair's records are ``l`` (rid_l) and ``r`` (rid_r); the candidate row is ``c``.
    """
    names = "[" + ", ".join("'" + r.replace("'", "''") + "'" for r in rules) + "]"
    feats = ",\n       ".join(f"{sql} AS {name}" for name, sql in FEATURES.items())
    return f"""SELECT l.agency AS agency_l, l.id AS id_l, r.agency AS agency_r, r.id AS id_r,
       {names}[c.rule_ord + 1] AS block_rule,
       {feats},
       coalesce(l.person_id = r.person_id, false) AS match
FROM {cand} c JOIN {records} l ON l.rid = c.rid_l JOIN {records} r ON r.rid = c.rid_r"""


def true_pair_total(con: duckdb.DuckDBPyConnection, within: bool, records: str = "rec") -> int:
    """All true pairs among the records (across agencies; also within them when ``within``)."""
    # A record missing from the truth is a person of its own (negative, so no clash).
    df = con.execute(f"SELECT agency, coalesce(person_id, -1 - rid) AS person FROM {records}").df()
    codes, names = pd.factorize(df["agency"])
    m = pair_counts(df["person"].to_numpy(np.int64), codes.astype(np.int64), len(names))
    upper = np.triu(np.ones_like(m, dtype=bool), k=0 if within else 1)
    return int(m[upper].sum())


def make_pairs(run: LinkageRun, out: Path, fmt: str, agencies: list[str] | None = None,
               rules: list[str] | None = None, within: bool = False, max_pairs: int = MAX_PAIRS) -> dict:
    """Write labelled candidate pairs of a run's File 1 records and summarise them.

    Args:
        run: the run.
        out: the output file.
        fmt: ``"parquet"`` or ``"csv"``.
        agencies: the agencies to pair; default every agency with a File 1 table.
        rules: blocking rules in order of precedence; default :data:`DEFAULT_RULES`.
        within: also pair records inside one agency.
        max_pairs: refuse above this many candidate pairs.

    Returns:
        A summary: agencies, records, rules (pairs first tagged with each, matches among them, and
        pairs each rule makes alone), pairs, true_pairs_found, true_pairs_total, blocking_recall,
        match_share, records_without_truth, seconds.
    """
    start = time.perf_counter()
    rules = list(dict.fromkeys(rules or DEFAULT_RULES))
    for rule in rules:
        parse_rule(rule)
    chosen = run.choose(agencies, need_file1=True)
    con = connect()
    try:
        load_normalised(con, run, chosen)
        alone = block(con, rules, within, max_pairs)
        fmt_sql = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        with staged(out) as tmp:
            target = "'" + str(tmp).replace("'", "''") + "'"
            con.execute(f"COPY ({compare_sql(rules)} ORDER BY c.rid_l, c.rid_r) TO {target} ({fmt_sql})")
        counted = dict.fromkeys(range(len(rules)), (0, 0))
        counted.update({i: (n, m) for i, n, m in con.execute(
            "SELECT c.rule_ord, count(*), count(*) FILTER (l.person_id = r.person_id) FROM cand c "
            "JOIN rec l ON l.rid = c.rid_l JOIN rec r ON r.rid = c.rid_r GROUP BY c.rule_ord").fetchall()})
        per_rule = {rules[i]: v for i, v in counted.items()}
        records, unlabelled = cast(tuple, con.execute("SELECT count(*), count(*) FILTER (person_id IS NULL) FROM rec")
                                   .fetchone())
        total_true = true_pair_total(con, within)
    finally:
        con.close()
    pairs = sum(n for n, _ in per_rule.values())
    found = sum(m for _, m in per_rule.values())
    return {
        "agencies": chosen,
        "scope": "across and within agencies" if within else "across agencies",
        "records": int(records),
        "records_without_truth": int(unlabelled),
        "rules": [{"rule": r, "fields": "+".join(parse_rule(r)), "pairs": int(per_rule.get(r, (0, 0))[0]),
                   "matches": int(per_rule.get(r, (0, 0))[1]), "pairs_alone": alone[r]} for r in rules],
        "pairs": int(pairs),
        "true_pairs_found": int(found),
        "true_pairs_total": total_true,
        "blocking_recall": found / total_true if total_true else None,
        "match_share": found / pairs if pairs else None,
        "out": str(out),
        "seconds": round(time.perf_counter() - start, 3),
    }
