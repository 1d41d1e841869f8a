"""Every UI string exists in French, Dutch and English, and the catalogues are compiled."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_catalogue_is_complete(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in po if not entry.translated() and not entry.obsolete]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated in {language}: {missing[:10]}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:10]}"
    assert len(po) > 50


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_catalogue_is_compiled_and_current(language):
    folder = LOCALE / language / "LC_MESSAGES"
    po, mo = folder / "django.po", folder / "django.mo"
    assert mo.exists()
    compiled = polib.mofile(str(mo))
    source = polib.pofile(str(po))
    assert {e.msgid for e in compiled} >= {e.msgid for e in source.translated_entries()}


def test_every_marked_string_is_in_the_catalogues(tmp_path):
    """makemessages finds no string the committed catalogues lack."""
    import shutil
    import subprocess
    import sys

    root = LOCALE.parent
    scratch = tmp_path / "project"
    shutil.copytree(
        root,
        scratch,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "media", "*.sqlite3", "__pycache__"
        ),
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "nl",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=staticfiles",
            "--ignore=tests",
        ],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(scratch / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(LOCALE / "nl" / "LC_MESSAGES" / "django.po"))
    missing = {e.msgid for e in fresh} - {e.msgid for e in committed if not e.obsolete}
    assert not missing, f"strings missing from the catalogues: {sorted(missing)[:10]}"
