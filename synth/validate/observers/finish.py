"""How observation options made from the whole sample are finished from every slice's ingredients.

Each is a module-level function (so a slice observed in another process can send its
:class:`~synth.validate.pooling.Pooled` options back): ``finish(parts, *context)``, where ``parts``
holds every slice's ingredients in run order.
"""

from __future__ import annotations

import numpy as np


def design_effect(parts: list[tuple[int, int]], rho: float) -> float:
    """Siblings' design effect ``1 + (m - 1) rho``, m the mean children with an outcome per case."""
    total, n = sum(p[0] for p in parts), sum(p[1] for p in parts)
    m = float(np.float64(total) / n) if n else 1.0
    return 1 + (m - 1) * rho


def _expected_pairs(parts: list[dict[tuple, tuple[int, float]]]) -> list[float]:
    """Each sibling pair's expected chance of sharing an outcome, in (law type, age band) order."""
    pooled: dict[tuple, list] = {}
    for part in parts:
        for key, (n, value) in part.items():
            pooled.setdefault(key, [0, value])[0] += n
    return [v for key in sorted(pooled) for v in [pooled[key][1]] * pooled[key][0]]


def pair_target(parts: list[dict[tuple, tuple[int, float]]]) -> float | None:
    """The share of sibling pairs expected to share an outcome (None without pairs)."""
    e = _expected_pairs(parts)
    return float(np.mean(e)) if e else None


def pair_detail(parts: list[dict[tuple, tuple[int, float]]], rho: float) -> str:
    """The sentence reporting the sibling pairs and their expected share."""
    e = _expected_pairs(parts)
    return (f"{len(e):,} sibling pairs in one age band on one case share an outcome "
            f"(expected {float(np.mean(e)):.3f} from correlation {rho})") if e else ""


def baby_target(parts: list[tuple[np.ndarray, np.ndarray]], share: float) -> float | None:
    """Stated share times the mean chance that the drawn baby age leaves the birth spacing."""
    f = np.concatenate([x[0] for x in parts])
    return share * float(f.mean()) if len(f) else None


def baby_detail(parts: list[tuple[np.ndarray, np.ndarray]], share: float) -> str:
    """The sentence reporting achieved versus target new-baby share."""
    got = np.concatenate([x[1] for x in parts])
    return (f"achieved {got.mean() if len(got) else 0:.4f} vs {baby_target(parts, share) or 0:.4f} "
            f"(stated p x the chance the baby's drawn age leaves the birth spacing) over {len(got):,}")
