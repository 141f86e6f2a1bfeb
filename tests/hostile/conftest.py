"""Fixtures of the hostile-input suite (the harness itself is :mod:`hostile.harness`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from hostile.harness import (
    PARALLEL,
    RUN_FAMILIES,
    RUN_SEED,
    Case,
    ForkServer,
    Inputs,
    Outcome,
    execute,
    measure_startup,
    synth_env,
)


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> Inputs:
    """A small training_small run (no DuckDB, no validation), made once by the CLI."""
    base = tmp_path_factory.mktemp("hostile-inputs")
    home = base / "home"
    home.mkdir()
    run = base / "run"
    proc = subprocess.run([sys.executable, "-m", "synth", "generate", "training_small", "--families",
                           str(RUN_FAMILIES), "--seed", str(RUN_SEED), "--out", str(run), "--no-duckdb",
                           "--no-validate", "-q"], cwd=base, env=synth_env(home), capture_output=True, text=True,
                          check=False, timeout=120)
    if proc.returncode != 0:
        pytest.fail(f"cannot make the session run: {proc.stderr[-2000:]}")
    for p in run.rglob("*"):  # cases copy this run; make sure nobody can alter the original by accident
        if p.is_file():
            p.chmod(0o444)
    return Inputs(run=run, startup=measure_startup(home))


@pytest.fixture(scope="session")
def outcomes(request, inputs, tmp_path_factory) -> dict[str, Outcome]:
    """Run every selected case (a few at a time) and return outcomes by case id."""
    cases: dict[str, Case] = {}
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        case = params.get("case")
        if isinstance(case, Case):
            cases[case.id] = case
    roots = {cid: tmp_path_factory.mktemp(re.sub(r"[^A-Za-z0-9_-]+", "_", cid)[:60]) for cid in cases}
    server = ForkServer(tmp_path_factory.mktemp("forkserver")) if cases else None
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            futures = {cid: pool.submit(execute, c, roots[cid], inputs, server) for cid, c in cases.items()}
            got = {cid: f.result() for cid, f in futures.items()}
    finally:
        if server is not None:
            server.stop()
    if os.environ.get("HOSTILE_SUMMARY"):  # one JSON line per case, for reports
        with open(os.environ["HOSTILE_SUMMARY"], "w", encoding="utf-8") as f:
            for cid, o in got.items():
                f.write(json.dumps({"id": cid, "owner": cases[cid].owner, "code": o.code,
                                    "seconds": round(o.seconds, 2), "stderr": o.stderr.strip()[-600:],
                                    "changed": o.changed[:5], "error": o.error}) + "\n")
    return got


