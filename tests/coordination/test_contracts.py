"""The build's contracts fail on a violation: an upward import, a broken template."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def scratch_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    everywhere = shutil.ignore_patterns(".venv", ".git", "node_modules", "*.sqlite3", ".*_cache")
    # Data folders of a running portal, at the top only (coordination/backups is code).
    top = {"staticfiles", "media", "backups", ".broker"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(everywhere(folder, names))
        return skipped | (top & set(names) if Path(folder) == ROOT else set())

    shutil.copytree(ROOT, copy, ignore=ignore)
    return copy


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_layers_contract_holds_and_refuses_an_upward_import(tmp_path):
    copy = scratch_copy(tmp_path)
    assert run([str(BIN / "lint-imports")], copy).returncode == 0
    # Even hidden inside a function, the hotspots may not reach up to the task forces.
    services = copy / "hotspots" / "services" / "hotspots.py"
    services.write_text(
        services.read_text() + "\n\ndef _up():\n    from taskforces import permissions  # noqa\n"
    )
    result = run([str(BIN / "lint-imports")], copy)
    assert result.returncode != 0
    assert "hotspots is not allowed to import taskforces" in result.stdout


def test_djlint_refuses_an_inaccessible_template(tmp_path):
    copy = scratch_copy(tmp_path)
    template = copy / "templates" / "includes" / "broken.html"
    template.write_text('<img src="/static/x.png">\n<button>Go</button>\n')
    result = run([str(BIN / "djlint"), "templates", "--lint"], copy)
    assert result.returncode != 0 and "broken.html" in result.stdout
