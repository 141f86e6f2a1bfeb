"""A plain deterministic linkage baseline: exact agreement on chosen File 1 columns.

Records that agree exactly, and non-null, on every chosen column form one cluster; a record with
any of them missing is a cluster on its own. Values are compared as text after trimming spaces
(a blank value counts as missing); nothing else is normalised.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from synth.errors import InputError
from synth.linkage.io import LinkageRun
from synth.linkage.output import staged
from synth.linkage.records import columns_of, connect, load_raw


def cluster_sql(columns: list[str], table: str = "raw") -> str:
    """SELECT of (agency, id, cluster) over ``table``: one cluster per distinct complete key."""
    cols = ", ".join(f'"{c}"' for c in columns)
    complete = " AND ".join(f'"{c}" IS NOT NULL' for c in columns)
    return f"""WITH k AS (SELECT agency, id, dense_rank() OVER (ORDER BY {cols}) - 1 AS cluster
           FROM {table} WHERE {complete}),
     m AS (SELECT coalesce(max(cluster) + 1, 0) AS base FROM k)
SELECT agency, id, cluster FROM k
UNION ALL
SELECT agency, id, (SELECT base FROM m) + rid AS cluster FROM {table} WHERE NOT ({complete})"""


def link_exact(run: LinkageRun, on: list[str], out: Path, fmt: str, agencies: list[str] | None = None) -> dict:
    """Link File 1 records that agree exactly on the ``on`` columns; write clusters (agency, id, cluster).

    Args:
        run: the run.
        on: File 1 column names (e.g. ``["NHS_NUMBER", "DATE_OF_BIRTH"]``).
        out: the output file (the clusters shape ``synth linkage score`` reads).
        fmt: ``"parquet"`` or ``"csv"``.
        agencies: the agencies to link; default every agency with a File 1 table.

    Returns:
        A summary: agencies, on, records, records_with_key (all ``on`` columns present),
        clusters, linked_records (in a cluster of two or more), seconds.

    Raises:
        InputError: for an empty ``on`` or a column no chosen File 1 table has.
    """
    start = time.perf_counter()
    on = list(dict.fromkeys(c.strip() for c in on if c.strip()))
    if not on:
        raise InputError("--on: no columns; give File 1 columns, e.g. --on NHS_NUMBER,DATE_OF_BIRTH")
    chosen = run.choose(agencies, need_file1=True)
    con = connect()
    try:
        for agency in chosen:
            have = columns_of(con, run.file1[agency])
            missing = [c for c in on if c not in have]
            if missing:
                raise InputError(f"--on: {', '.join(missing)} not in {run.file1[agency]} (its columns: "
                                 f"{', '.join(have)})")
        load_raw(con, run, chosen, on)
        con.execute(f"CREATE OR REPLACE TEMP TABLE clusters AS {cluster_sql(on)}")
        fmt_sql = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        with staged(out) as tmp:
            target = "'" + str(tmp).replace("'", "''") + "'"
            con.execute(f"COPY (SELECT * FROM clusters ORDER BY agency, id) TO {target} ({fmt_sql})")
        complete = " AND ".join(f'"{c}" IS NOT NULL' for c in on)
        records, keyed = cast(tuple, con.execute(f"SELECT count(*), count(*) FILTER ({complete}) FROM raw").fetchone())
        clusters, linked = cast(tuple, con.execute("""
            WITH s AS (SELECT cluster, count(*) AS n FROM clusters GROUP BY cluster)
            SELECT count(*), coalesce(sum(n) FILTER (n > 1), 0) FROM s""").fetchone())
    finally:
        con.close()
    return {"agencies": chosen, "on": on, "records": int(records), "records_with_key": int(keyed),
            "clusters": int(clusters), "linked_records": int(linked), "out": str(out),
            "seconds": round(time.perf_counter() - start, 3)}
