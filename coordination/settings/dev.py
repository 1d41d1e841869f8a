"""Local development: `make run`. Zero set-up: SQLite, in-process tasks, mail on the console."""

import os

os.environ.setdefault("DEBUG", "true")

from coordination.settings.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
# Static files straight from the source folders: no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The embedded broker's folders (kombu's filesystem transport), shared by the server,
# the worker and beat started by `make run`.
if not REDIS_URL:  # noqa: F405
    for _folder in ("queue", "processed"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405
