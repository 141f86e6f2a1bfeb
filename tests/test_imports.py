"""Code structure rules that keep the package one shape: no private names across modules, no long modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "synth"


def private_imports(root: Path) -> list[str]:
    """``path:line: from synth.x import _name`` for every import of a private name from a synth module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "synth":
                found += [f"{path.relative_to(root)}:{node.lineno}: from {node.module} import {a.name}"
                          for a in node.names if a.name.startswith("_")]
    return found


def test_no_module_imports_a_private_name_from_another_synth_module():
    assert private_imports(PACKAGE) == []


def test_the_scan_finds_a_private_import(tmp_path):
    (tmp_path / "a.py").write_text("from synth.world.ids import _secret\nfrom synth.keys import mix64\n")
    (tmp_path / "b.py").write_text("def f():\n    from synth.cli.fit import _helper, public\n")
    assert [line.split(": ", 1)[1] for line in private_imports(tmp_path)] == [
        "from synth.world.ids import _secret", "from synth.cli.fit import _helper"]


MAX_MODULE_LINES = 400


def long_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """``path: N lines`` for every module longer than ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(root)}: {n} lines")
    return out


def test_no_module_is_over_400_lines():
    assert long_modules(PACKAGE) == []


def test_the_length_scan_finds_a_long_module(tmp_path):
    (tmp_path / "short.py").write_text("x = 1\n" * 400)
    (tmp_path / "long.py").write_text("x = 1\n" * 401)
    assert long_modules(tmp_path) == ["long.py: 401 lines"]
