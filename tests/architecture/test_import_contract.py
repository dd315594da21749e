"""The layers DESIGN.md draws hold, and the machine that checks them notices an import against them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("ocop", "scheduler", "public_site", "reports", "matchmaking", "agreements", "fairs", "salespoints", "catalog", "accounts", "core")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    # The code to check comes first on the path, ahead of the installed project.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)


def _copy_of_the_code(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "piccolo_migrations"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_code_keeps_every_import_contract(tmp_path):
    result = _lint_imports(_copy_of_the_code(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_planted_against_the_direction_breaks_the_contract(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    with (tree / "core" / "formatting.py").open("a") as module:
        module.write("\n\ndef _planted():\n    from salespoints import services  # noqa: F401\n")
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "core.formatting -> salespoints.services" in result.stdout


def test_a_cycle_planted_inside_a_module_breaks_the_contract(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    (tree / "core" / "planted_a.py").write_text("from core import planted_b  # noqa: F401\n")
    (tree / "core" / "planted_b.py").write_text("from core import planted_a  # noqa: F401\n")
    result = _lint_imports(tree)
    assert result.returncode != 0 and "BROKEN" in result.stdout
