"""What a plain deterministic link (exact NHS number + date of birth) achieves, and how errors move it.

Generates the default profile under a few identifier-error settings (the profile's own, none at
all, and the profile's rates scaled by a factor), links every File 1 with
``synth linkage link --on NHS_NUMBER,DATE_OF_BIRTH`` and scores it against the truth with
``synth linkage score``. Prints precision and recall per agency pair that has true pairs and a
File 1 holding NHS numbers. Run:

    .venv/bin/python benchmarks/linkage_baseline.py --families 20000 --scales 0 1 2
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from synth.linkage.deterministic import link_exact
from synth.linkage.io import open_run, read_linkage
from synth.linkage.score import score
from synth.pipeline import generate
from synth.profile.loader import load_profile

PAIRS = [("cafcass_cymru", "wds"), ("cafcass_england", "cafcass_england"), ("cafcass_cymru", "cafcass_cymru")]


def scaled(errors, factor: float):
    """An identifier-error section with every rate multiplied by ``factor`` (capped at 1); None for 0."""
    if errors is None or factor == 0:
        return None
    fields = {}
    for name in ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"):
        entries = getattr(errors, name)
        fields[name] = [e.model_copy(update={"rate": min(1.0, e.rate * factor)}) for e in entries]
        # Keep each field's total feasible after scaling.
        total = sum(e.rate for e in fields[name])
        if total > 1:
            fields[name] = [e.model_copy(update={"rate": e.rate / total}) for e in fields[name]]
    return errors.model_copy(update=fields)


def variant(loaded, factor: float):
    """The loaded profile with every agency's identifier-error rates scaled."""
    prof = loaded.profile
    agencies = {k: a.model_copy(update={"identifier_errors": scaled(a.identifier_errors, factor)})
                for k, a in prof.agencies.items()}
    return dataclasses.replace(loaded, profile=prof.model_copy(update={"agencies": agencies}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=20_000)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.0, 1.0, 2.0])
    args = ap.parse_args()
    loaded = load_profile("england_wales")
    print(f"exact NHS_NUMBER + DATE_OF_BIRTH, england_wales, {args.families:,} families")
    print(f"{'error rates':>12} {'agency pair':<36} {'true pairs':>10} {'precision':>9} {'recall':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.scales:
            run = Path(tmp) / f"x{factor}"
            generate(variant(loaded, factor), run, families=args.families, duckdb=False)
            out = Path(tmp) / f"det{factor}.parquet"
            linked = open_run(run)
            link_exact(linked, ["NHS_NUMBER", "DATE_OF_BIRTH"], out, "parquet", None)
            rows = score(linked, read_linkage(out, linked))["rows"]
            for r in rows:
                pair = (r["agency_l"], r["agency_r"])
                if pair in PAIRS or pair[::-1] in PAIRS:
                    label = "profile" if factor == 1 else ("none" if factor == 0 else f"x{factor:g}")
                    print(f"{label:>12} {' x '.join(pair):<36} {r['true_pairs']:>10,} "
                          f"{_f(r['precision']):>9} {_f(r['recall']):>7}")


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


if __name__ == "__main__":
    main()
