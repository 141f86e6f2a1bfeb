"""The dask engine writes byte-identical files to the local engine; its user errors are one clear line."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import socket
import sys

import pytest
from click.testing import CliRunner

from synth.cli.main import cli
from synth.engine import dask_engine
from synth.errors import InputError
from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.rng import FAMILIES_PER_SHARD

FAMILIES = 2 * FAMILIES_PER_SHARD + 700  # three shards, the last one partial

#: The test extra installs dask; without it only the tests of the missing-extra message run.
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask extra not installed")


def _digests(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.parquet")) if p.is_file()}


def _manifest(root):
    return json.loads((root / "manifest.json").read_text())


def _runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        return CliRunner()


@pytest.fixture(scope="module")
def loaded():
    return load_profile("training_small")


@pytest.fixture(scope="module")
def local_run(loaded, tmp_path_factory):
    out = tmp_path_factory.mktemp("engines") / "local"
    generate(loaded, out, families=FAMILIES, workers=1)
    return out


@needs_dask
def test_dask_on_a_local_cluster_gives_the_local_engines_bytes(loaded, local_run, tmp_path):
    seen = []
    generate(loaded, tmp_path / "dask", families=FAMILIES, engine="dask", workers=2,
             on_progress=lambda done, total: seen.append((done, total)))
    digests = _digests(tmp_path / "dask")
    assert len(digests) >= 21 and digests == _digests(local_run)
    assert seen == [(10_000, FAMILIES), (20_000, FAMILIES), (FAMILIES, FAMILIES)]  # progress per shard, in order
    m = _manifest(tmp_path / "dask")
    assert (m["engine"], m["workers"], m["scheduler"]) == ("dask", 2, "local")
    assert _manifest(local_run)["engine"] == "local" and m["counts"] == _manifest(local_run)["counts"]


@needs_dask
def test_dask_through_a_scheduler_address_gives_the_same_bytes_and_leaves_the_cluster_running(loaded, local_run,
                                                                                              tmp_path):
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        generate(loaded, tmp_path / "dask", families=FAMILIES, engine="dask", scheduler=address)
        with distributed.Client(address, set_as_default=False) as client:
            assert len(client.nthreads()) == 2  # ours to close, not the run's
            # Workers with other versions of a package that decides the bytes are refused.
            dask_engine.check_worker_versions(client)
            other = {**dask_engine.package_versions(), "numpy": "0.0"}
            with pytest.raises(InputError, match=r"has numpy \S+, this machine 0.0; the output is identical only"):
                dask_engine.check_worker_versions(client, expected=other)
    assert _digests(tmp_path / "dask") == _digests(local_run)
    m = _manifest(tmp_path / "dask")
    assert (m["engine"], m["workers"], m["scheduler"]) == ("dask", 2, address)


@needs_dask
def test_the_cli_runs_the_dask_engine(local_run, tmp_path):
    out = tmp_path / "cli"
    result = _runner().invoke(cli, ["generate", "training_small", "-n", str(FAMILIES), "--engine", "dask",
                                    "--workers", "2", "--out", str(out), "--no-validate", "-q"])
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout.strip() == str(out)
    assert _digests(out) == _digests(local_run)


def test_an_unknown_engine_is_rejected_by_the_cli(tmp_path):
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "10", "--engine", "nope",
                                    "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "'nope' is not one of" in result.stderr
    assert not (tmp_path / "x").exists()


def test_without_the_dask_extra_the_dask_engine_says_how_to_install_it(loaded, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(InputError) as e:
        generate(loaded, tmp_path / "x", families=10, engine="dask")
    assert str(e.value) == "--engine dask needs the dask extra: pip install -e '.[dask]'"
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "10", "--engine", "dask",
                                    "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip() == "error: --engine dask needs the dask extra: pip install -e '.[dask]'"
    assert not any(tmp_path.iterdir())


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_dask
def test_an_unreachable_scheduler_is_one_line_after_a_short_timeout(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 1)
    address = f"tcp://127.0.0.1:{_unused_port()}"
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "10", "--engine", "dask",
                                    "--scheduler", address, "--out", str(tmp_path / "x"), "-q"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot reach the Dask scheduler at {address} within 1 s")
    assert not any(tmp_path.iterdir())  # nothing left behind, not even the staging folder


@needs_dask
def test_a_scheduler_without_workers_is_one_line_not_a_hang(loaded, tmp_path, monkeypatch):
    import distributed

    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 1)
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as cluster:
        with pytest.raises(InputError, match="has no workers"):
            generate(loaded, tmp_path / "x", families=10, engine="dask", scheduler=cluster.scheduler_address)
    assert not any(tmp_path.iterdir())


@needs_dask
@pytest.mark.parametrize("address", ["nonsense", "foo://host:8786", "tcp://host:port"])
def test_a_malformed_scheduler_address_is_rejected_before_any_work(loaded, tmp_path, address):
    with pytest.raises(InputError, match="is not a Dask scheduler address"):
        generate(loaded, tmp_path / "x", families=10, engine="dask", scheduler=address)
    assert not any(tmp_path.iterdir())


def test_a_scheduler_needs_the_dask_engine(loaded, tmp_path):
    with pytest.raises(InputError, match="--scheduler needs --engine dask"):
        generate(loaded, tmp_path / "x", families=10, scheduler="tcp://127.0.0.1:8786")
