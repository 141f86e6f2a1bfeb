"""Score a linkage against the truth: pairs, precision, recall and F1 per pair of agencies.

Two records are a *true pair* when they belong to the same person. Everything is counted, never
enumerated: for a grouping ``g`` of records (true persons, predicted clusters, or both at once)
and agencies ``A`` != ``B``, the number of record pairs that share a group is
``sum_g n_A(g) * n_B(g)``, and within one agency ``sum_g n_A(g) * (n_A(g) - 1) / 2``. So

- true pairs       = the sum over persons ``p``,
- predicted pairs  = the sum over clusters ``c``,
- true positives   = the sum over (cluster, person) cells ``(c, p)``,

and precision = TP / predicted, recall = TP / true, F1 = 2 TP / (predicted + true). A ratio whose
denominator is 0 is reported as None (``n/a``). Pair linkages are taken as given: pair (a, b) and
pair (b, c) do not imply (a, c) unless the transitive closure is asked for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.linkage.io import Linkage, LinkageRun

#: Groups per chunk when counting (bounds memory at about CHUNK * agencies * 8 bytes).
CHUNK = 1 << 18


def pair_counts(group: np.ndarray, agency: np.ndarray, n_agencies: int) -> np.ndarray:
    """Record pairs that share a group, per pair of agencies.

    Args:
        group: a group code per record (any integers; equal codes = same group).
        agency: an agency code per record, in ``0 .. n_agencies - 1``.
        n_agencies: the number of agency codes.

    Returns:
        A symmetric ``(n_agencies, n_agencies)`` int64 matrix: off the diagonal
        ``sum_g n_A(g) n_B(g)``; on it ``sum_g n_A(g) (n_A(g) - 1) / 2``.
    """
    k = n_agencies
    out = np.zeros((k, k), dtype=np.int64)
    if len(group) == 0:
        return out
    group = np.asarray(group)
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    g = np.concatenate([[0], np.cumsum(sorted_group[1:] != sorted_group[:-1])])  # 0, 1, ... per group
    a = np.asarray(agency)[order]
    n_groups = int(g[-1]) + 1
    bounds = np.searchsorted(g, np.arange(0, n_groups + CHUNK, CHUNK))
    for lo, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        if start == stop:
            continue
        local = (g[start:stop] - lo * CHUNK) * k + a[start:stop]
        m = np.bincount(local, minlength=CHUNK * k).reshape(CHUNK, k).astype(np.int64)
        out += m.T @ m
    diag = np.diag(out).copy()
    per_agency = np.bincount(np.asarray(agency), minlength=k)
    np.fill_diagonal(out, (diag - per_agency) // 2)
    return out


def cell_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One int64 code per distinct ``(a, b)`` combination."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    return a * (int(b.max()) + 1 if len(b) else 1) + b


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of a graph on ``n`` nodes, vectorised (hook to the smaller root, compress).

    Args:
        n: number of nodes, numbered ``0 .. n - 1``.
        left: edge start nodes.
        right: edge end nodes.

    Returns:
        The component label of every node: the smallest node number in its component.
    """
    parent = np.arange(n, dtype=np.int64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while len(left):
        pl, pr = parent[left], parent[right]
        keep = pl != pr
        if not keep.any():
            break
        left, right, pl, pr = left[keep], right[keep], pl[keep], pr[keep]
        # Roots only point to themselves after compression, and parent[x] <= x always holds.
        np.minimum.at(parent, np.maximum(pl, pr), np.minimum(pl, pr))
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return parent


def _metrics(true: int, pred: int, tp: int) -> dict:
    true, pred, tp = int(true), int(pred), int(tp)
    return {
        "true_pairs": true,
        "predicted_pairs": pred,
        "true_positives": tp,
        "false_positives": pred - tp,
        "false_negatives": true - tp,
        "precision": tp / pred if pred else None,
        "recall": tp / true if true else None,
        "f1": 2 * tp / (pred + true) if pred + true else None,
    }


def _table(names: list[str], true: np.ndarray, pred: np.ndarray, tp: np.ndarray) -> list[dict]:
    rows = []
    for i in range(len(names)):
        for j in range(i, len(names)):
            rows.append({"agency_l": names[i], "agency_r": names[j],
                         **_metrics(true[i, j], pred[i, j], tp[i, j])})
    upper = np.triu(np.ones_like(true, dtype=bool))
    cross = np.triu(np.ones_like(true, dtype=bool), k=1)
    rows.append({"agency_l": "between agencies", "agency_r": "",
                 **_metrics(true[cross].sum(), pred[cross].sum(), tp[cross].sum())})
    rows.append({"agency_l": "overall", "agency_r": "",
                 **_metrics(true[upper].sum(), pred[upper].sum(), tp[upper].sum())})
    return rows


def score_clusters(person: np.ndarray, agency: np.ndarray, cluster: np.ndarray, names: list[str]) -> list[dict]:
    """Score a clustering of records against their true persons.

    Args:
        person: the true person of every record.
        agency: an agency code per record (index into ``names``).
        cluster: the predicted cluster of every record (a record alone is its own cluster).
        names: agency names.

    Returns:
        One dict per unordered agency pair (``agency_l`` <= ``agency_r`` in ``names`` order), then
        ``between agencies`` (every cross-agency pair) and ``overall`` (every pair), each with
        true_pairs, predicted_pairs, true_positives, false_positives, false_negatives,
        precision, recall and f1 (None when undefined).
    """
    k = len(names)
    true = pair_counts(person, agency, k)
    pred = pair_counts(cluster, agency, k)
    tp = pair_counts(cell_codes(np.unique(cluster, return_inverse=True)[1].ravel(),
                                np.unique(person, return_inverse=True)[1].ravel()), agency, k)
    return _table(names, true, pred, tp)


def score_pairs(person: np.ndarray, agency: np.ndarray, left: np.ndarray, right: np.ndarray,
                names: list[str]) -> list[dict]:
    """Score record pairs as given (no transitive closure) against the true persons.

    Args:
        person: the true person of every record.
        agency: an agency code per record (index into ``names``).
        left: record numbers of the first record of each pair.
        right: record numbers of the second record of each pair.
        names: agency names.

    Returns:
        As :func:`score_clusters`. Pairs are made unordered and distinct; self-pairs are dropped.
    """
    k = len(names)
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    keep = lo != hi
    n = max(len(person), 1)
    code = np.unique(lo[keep] * n + hi[keep])
    lo, hi = code // n, code % n
    a_lo, a_hi = np.minimum(agency[lo], agency[hi]), np.maximum(agency[lo], agency[hi])
    cell = a_lo * k + a_hi
    pred = np.bincount(cell, minlength=k * k).reshape(k, k)
    tp = np.bincount(cell[person[lo] == person[hi]], minlength=k * k).reshape(k, k)
    true = pair_counts(person, agency, k)
    return _table(names, true, pred, tp)


def score(run: LinkageRun, linkage: Linkage, agencies: list[str] | None = None, closure: bool = False) -> dict:
    """Score a user's linkage of a run.

    Args:
        run: the run (its truth map numbers the records).
        linkage: the linkage read by :func:`synth.linkage.io.read_linkage`.
        agencies: the agencies to score; default those the linkage mentions. Records and pairs of
            other agencies are left out, on both the truth and the predicted side.
        closure: for pairs, score the transitive closure (connected components) instead.

    Returns:
        ``{"shape", "closure", "agencies", "records", "rows"}`` where rows are as
        :func:`score_clusters` returns.
    """
    names = run.choose(agencies or linkage.agencies)
    code = pd.Categorical(run.links["agency"], categories=names).codes.astype(np.int64)
    chosen = code >= 0
    # Renumber the chosen records 0..m-1; others map to -1.
    renum = np.full(len(code), -1, dtype=np.int64)
    renum[chosen] = np.arange(int(chosen.sum()))
    person = run.links["person_id"].to_numpy(np.int64)[chosen]
    agency = code[chosen]
    f = linkage.frame
    if linkage.shape == "clusters":
        rec = renum[f["rec"].to_numpy(np.int64)]
        inside = rec >= 0
        cluster = -1 - np.arange(len(person), dtype=np.int64)  # unlinked records: a cluster each
        cluster[rec[inside]] = f["cluster"].to_numpy(np.int64)[inside]
        rows = score_clusters(person, agency, cluster, names)
    else:
        left, right = renum[f["rec_l"].to_numpy(np.int64)], renum[f["rec_r"].to_numpy(np.int64)]
        inside = (left >= 0) & (right >= 0)
        left, right = left[inside], right[inside]
        if closure:
            rows = score_clusters(person, agency, components(len(person), left, right), names)
        else:
            rows = score_pairs(person, agency, left, right, names)
    return {"shape": linkage.shape, "closure": bool(closure and linkage.shape == "pairs"),
            "agencies": names, "records": int(len(person)), "rows": rows}
