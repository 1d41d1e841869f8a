"""A web process compiles its templates and imports its views while it boots
(coordination/core/warmup.py, called by coordination/wsgi.py; issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.test import override_settings

from coordination.core import warmup


def cached_templates() -> dict:
    (loader,) = engines["django"].engine.template_loaders
    return loader.get_template_cache


def test_the_project_templates_are_compiled_ahead_and_the_packages_are_not():
    names = warmup.template_names()
    assert "base.html" in names and "taskforces/plan.html" in names
    assert not [n for n in names if n.startswith("admin/")]  # django.contrib.admin's
    cached_templates().clear()
    warmed = warmup.warm()
    assert warmed.failed == () and warmed.templates == len(names)
    assert {"base.html", "taskforces/plan.html"} <= set(cached_templates())


def test_a_template_that_does_not_compile_is_logged_and_the_process_starts(tmp_path, caplog):
    (tmp_path / "fine.html").write_text("{{ value }}")
    (tmp_path / "broken.html").write_text("{% if %}")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    with override_settings(TEMPLATES=templates):
        warmed = warmup.warm()
        assert warmed.failed == ("broken.html",)
        assert "fine.html" in cached_templates()
    assert "broken.html not compiled ahead" in caplog.text


def test_the_wsgi_application_is_warmed_when_it_is_loaded():
    """As gunicorn loads it in each worker, before the worker accepts a connection."""
    done = subprocess.run(
        [sys.executable, "-c", "import coordination.wsgi"],
        cwd=Path(settings.BASE_DIR),
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "coordination.settings.test",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    # The settings' logging writes to the standard error.
    assert "Web process warmed in" in done.stderr, done.stdout[-2000:] + done.stderr[-2000:]
