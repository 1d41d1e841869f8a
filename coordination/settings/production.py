"""Production: PostgreSQL, Redis, SMTP, HTTPS. Passes `manage.py check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from coordination.settings.base import *  # noqa: F403
from coordination.settings.base import (
    DATABASES,
    DEBUG,
    DEFAULT_FILE_STORAGE_BACKEND,
    MAILERS,
    REDIS_URL,
    SECRET_KEY,
)
from coordination.settings.env import env_bool, env_int

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
if not MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    raise ImproperlyConfigured("EMAIL_HOST must name the SMTP relay in production.")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must point to the Celery broker in production.")

STORAGES = {
    # The local MEDIA_ROOT, or S3-compatible object storage with S3_BUCKET (base.py).
    "default": DEFAULT_FILE_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# The language chosen on the login page: over HTTPS only, out of reach of scripts.
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Health checks come from the load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
