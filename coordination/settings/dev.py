"""Local development: `make run`. Zero set-up: SQLite, a real Celery worker and beat on an
embedded broker (or Redis with REDIS_URL), mail on the console."""

import os

os.environ.setdefault("DEBUG", "true")

from coordination.settings.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
# Static files straight from the source folders: no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The embedded broker (kombu's filesystem transport) in BROKER_DIR, shared by the server,
# the worker and beat started by `make run`. Its folders must exist before anyone
# publishes. The worker polls the queue folder: every half second, so a report starts
# as soon as it is asked for. The exchange tables (remote control) go there too, not into
# the working directory (kombu's default "control" folder).
if not REDIS_URL:  # noqa: F405
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "control_folder": str(BROKER_DIR / "control"),  # noqa: F405
        "polling_interval": 0.5,
    }

# SQLite (no DATABASE_URL) is written by three processes at once: the server, the worker
# (a build beats every few seconds) and beat's jobs. IMMEDIATE transactions take the write
# lock at BEGIN, so a transaction that reads then writes waits for the lock (up to the
# timeout) instead of failing at once with "database is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {  # noqa: F405
        **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
