"""The package installs like a real one: the wheel carries the profiles and reference tables, and an
installed copy (not the source tree) generates ``training_small`` from any directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SHIPPED = ["synth/profiles/england_wales.yaml", "synth/profiles/training_small.yaml",
           "synth/profiles/wales_sail.yaml"] + [
    f"synth/profiles/reference/{name}" for name in
    ("local_authorities.csv", "lsoa.csv", "volumes.csv", "nicknames.csv", "dfj_areas.csv", "SOURCES.md")]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the source (no build/ folder left in the tree), offline."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "synth", src / "synth", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "-w", str(base / "out"), "--no-deps",
                           "--no-build-isolation", "-q"], cwd=src, capture_output=True, text=True, check=False,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    built = list((base / "out").glob("family_justice_synth-*.whl"))
    assert len(built) == 1
    (base / "log.txt").write_text(proc.stdout + proc.stderr)
    return built[0]


def test_wheel_builds_without_setuptools_warnings(wheel):
    log = (wheel.parents[1] / "log.txt").read_text().lower()
    assert "warn" not in log, log


def test_wheel_holds_profiles_reference_tables_and_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in SHIPPED if n not in names]
    assert not missing
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: MIT" in text


def test_installed_wheel_generates_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                           str(site), str(wheel)], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "run"
    code = ("import sys, synth\n"
            f"assert synth.__file__.startswith({str(site)!r}), synth.__file__\n"
            "from synth.cli.main import main\n"
            f"sys.argv = ['synth', 'generate', 'training_small', '--families', '50', '--out', {str(out)!r},"
            " '--no-validate', '--no-duckdb', '-q']\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd="/", env={"PYTHONPATH": str(site), "HOME": str(tmp_path),
                          "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "manifest.json").is_file()
    assert str(site) in (out / "manifest.json").read_text()  # the profile came from the installed package
