"""Settings come from the environment and fail loudly; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from coordination.settings.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_are_strict(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "Off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_integers_and_lists(monkeypatch):
    monkeypatch.setenv("PORT_X", "twenty")
    with pytest.raises(ImproperlyConfigured, match="PORT_X"):
        env_int("PORT_X", 1)
    monkeypatch.setenv("HOSTS_X", "a.example, b.example,")
    assert env_list("HOSTS_X", []) == ["a.example", "b.example"]


def test_required_variable(monkeypatch):
    monkeypatch.delenv("MISSING_X", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MISSING_X"):
        env_str("MISSING_X")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "coordination.settings.production",
    "SECRET_KEY": "k7#Qz!v2Lr9@Wm4$Xp8^Tn1&Yb6*Hc3(Jd5)Fg0_Ks8+Ea2-Uo7=Pi9~Rl4",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_HOST": "smtp.internal",
    "ALLOWED_HOSTS": "portal.safe.brussels",
}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "PostgreSQL"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"DEBUG": "perhaps"}, "DEBUG"),
    ],
)
def test_production_refuses_bad_values(override, message):
    result = _manage("check", **{**PRODUCTION, **override})
    assert result.returncode != 0
    assert message in result.stderr
