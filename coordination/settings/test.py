"""The test suite. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set (CI)."""

import os

from coordination.settings.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "test-only-insecure-key"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    # The local MEDIA_ROOT, unless S3_BUCKET is set (the processes of test_scale_out.py).
    "default": DEFAULT_FILE_STORAGE_BACKEND,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests queue tasks eagerly; the worker tests switch to the real broker explicitly.
CELERY_TASK_ALWAYS_EAGER = True
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DEMO_ALLOWED = True
# The page cache is off unless a test turns it on (tests/taskforces/test_page_cache.py):
# the other tests time and count the rendering of the pages, not the cache's answer.
# PAGE_CACHE_SECONDS=120 runs the whole suite with it on.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "0"))

# The worker process started by the tests reads the test database, not the main one, and
# works as in production: the follow-up work of its tasks goes through the broker too.
if os.environ.get("CELERY_WORKER_TEST_DB"):
    DATABASES["default"]["NAME"] = os.environ["CELERY_WORKER_TEST_DB"]  # noqa: F405
    CELERY_TASK_ALWAYS_EAGER = False
# Each test process's own cache, even with REDIS_URL set (CI): tests must not see each
# other's entries. CACHE_URL set explicitly shares one (the processes of test_scale_out.py).
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The replicas of tests/coordination/test_scale_out.py: their own queue on the run's Redis
# (never the "celery" queue other tests' workers read), and every periodic job every few
# seconds, sent to a queue nobody reads (the test counts the messages there) except the
# heartbeat, which the workers run.
if os.environ.get("TEST_TASK_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_TASK_QUEUE"]
if os.environ.get("TEST_BEAT_EVERY"):
    _every = float(os.environ["TEST_BEAT_EVERY"])
    _proof_queue = os.environ.get("TEST_BEAT_QUEUE", "celery")
    CELERY_BEAT_SCHEDULE = {
        key: {
            **entry,
            "schedule": _every,
            # The send time is in the message: its expiry minus one period.
            "options": {
                "queue": os.environ.get("TEST_TASK_QUEUE", "celery")
                if entry["task"] == "coordination.heartbeat"
                else _proof_queue,
                "expires": _every,
            },
        }
        for key, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
    }
# The worker process's e-mails, for a test to read: its memory (locmem) is out of reach.
if os.environ.get("TEST_EMAIL_DIR"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["TEST_EMAIL_DIR"]},
        }
    }
# Static files straight from the source folders: no collectstatic outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Requests without a language preference get English, the language of the msgids the
# assertions use; the browser tests ask for French or Dutch like real users.
LANGUAGE_CODE = "en"
# The suite's hundreds of tests sign CSIR people in with force_login: two factors are off
# here, and tests/coordination/test_login_protection.py (and the browser test) turn them on
# with the `settings` fixture. Login protection (django-axes) stays on.
TWO_FACTOR_ENFORCED = False
