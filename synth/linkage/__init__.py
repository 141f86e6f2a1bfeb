"""Linkage tools over a run: score a linkage against the truth, make labelled candidate pairs from
File 1 tables, and a deterministic exact-match baseline.

Modules: :mod:`~synth.linkage.io` (run folder, linkage files), :mod:`~synth.linkage.score`,
:mod:`~synth.linkage.records` (File 1 in DuckDB), :mod:`~synth.linkage.pairs`,
:mod:`~synth.linkage.deterministic`.
"""
