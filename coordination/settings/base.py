"""Settings shared by every environment, read from the environment.

`dev` (the default of manage.py), `test` and `production` build on this module.
Every variable is documented in `.env.example`.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from coordination.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "coordination.admin_site.PortalAdminConfig",  # django.contrib.admin, the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "django_htmx",
    # Login protection (lock-out) and two-factor authentication: see "Login protection
    # and two factors" in README.md. coordination.accounts comes after them: its admin
    # replaces theirs.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "coordination",
    "coordination.accounts",
    "hotspots",
    "taskforces",
    "reporting",
    # The regional layer on top: home, overview, CoReS pages, bulletins, the demo.
    "coordination.regional",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every response of a view: Cache-Control: private, no-store (WhiteNoise answers the
    # static files above it, with their own long-lived caching).
    "coordination.core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's preferred language sets the interface (over the cookie).
    "coordination.notifications.language.PreferredLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login unless its view says otherwise (login, health check).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coordination.audit.viewlog.ViewLogMiddleware",  # views of police-judicial items
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A person who must use two factors reaches nothing but the two-factor pages until
    # verified; after HtmxMiddleware (it answers htmx requests with HX-Redirect).
    "coordination.accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coordination.urls"
WSGI_APPLICATION = "coordination.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coordination.regional.home.navigation.navigation",
            ],
            # {% load bilingual %}: free text in the reader's language, or marked.
            "libraries": {"bilingual": "coordination.core.templatetags.bilingual"},
            # Dates and numbers one way in every template, e-mail and PDF: |long_date,
            # |short_date, |long_datetime, |short_datetime, |month, |percent.
            "builtins": ["coordination.core.templatetags.formatting"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "coordination.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user row: every page is behind a login.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Login protection (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one account
# from one address, that account is locked for that address for LOGIN_COOLOFF_MINUTES
# (other addresses, and other accounts from that address, are not). Failures while locked
# do not extend the lock-out; a successful login clears the count. An administrator
# unlocks earlier in the admin (access attempts). Every lock-out and unlock is audited.
AXES_ENABLED = env_bool("LOGIN_PROTECTION", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "coordination.accounts.views.locked_out"
# The client's address: REMOTE_ADDR, or behind LOGIN_TRUSTED_PROXIES reverse proxies the
# address the outermost trusted proxy put in X-Forwarded-For (never a header the client
# could forge to dodge the lock-out).
LOGIN_TRUSTED_PROXIES = env_int("LOGIN_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "coordination.accounts.lockout.client_ip"
# Whom a locked-out person or one who lost their second factor contacts.
ACCOUNT_HELP_EMAIL = env_str("ACCOUNT_HELP_EMAIL", "portal-support@safe.brussels")
# Two-factor authentication (django-otp): who must use it is decided in
# coordination/people/two_factor.py. Off only for the test suite (its tests turn it on).
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
OTP_TOTP_ISSUER = "safe.brussels"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
# The portal's two date styles per language (long and short; coordination/formats).
FORMAT_MODULE_PATH = ["coordination.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The offline base-map layers (static/basemap/) with their registered media type.
WHITENOISE_MIMETYPES = {".geojson": "application/geo+json"}
# Uploaded documents (signed police orders, report PDFs) are never served directly:
# views check permissions and stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# Where `manage.py backup_create` writes its folders (database dump, media archive,
# manifest). Keep it outside MEDIA_ROOT and off the web server's paths: it holds everything.
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(BASE_DIR / "backups")))

# Celery. With REDIS_URL the tasks go to Redis. Without it, `make run` starts a real worker
# and beat on an embedded broker that needs no server (kombu's filesystem transport in
# BROKER_DIR): the same machinery as production, with zero set-up.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = Path(env_str("BROKER_DIR", str(BASE_DIR / ".broker")))
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# The application's own rows hold the state of every job: no result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that does not answer must not hold a web request: fail fast, the outbox keeps
# the work. An unacknowledged message comes back after the visibility timeout, sized above
# the longest build (its hard time limit); the sweeps act well before that.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = (
    {
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
        "max_retries": 0,
        "visibility_timeout": 900,
    }
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
)
CELERY_BEAT_SCHEDULE_FILENAME = str(BROKER_DIR / "beat-schedule")
# Periodic jobs; crontab times are in CELERY_TIMEZONE (Europe/Brussels).
CELERY_BEAT_SCHEDULE: dict = {
    "remind-expiring-police-orders": {
        "task": "hotspots.remind_expiring_orders",
        "schedule": crontab(hour=7, minute=0),
    },
    "remind-taskforces-without-meeting": {
        "task": "taskforces.remind_no_meeting",
        "schedule": crontab(hour=7, minute=15),
    },
    # Reports: the monthly regional report (strategy period to date), the report due
    # REPORT_DAYS_BEFORE_CORES days before each CoReS meeting, and the sweep that re-queues
    # builds whose worker died.
    "reporting-monthly-regional": {
        "task": "reporting.queue_monthly",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    "reporting-before-cores": {
        "task": "reporting.queue_before_cores",
        "schedule": crontab(hour=6, minute=30),
    },
    "reporting-requeue-stuck": {
        "task": "reporting.requeue_stuck",
        "schedule": 30.0,
    },
    # Follow-up work that did not leave (broker down) or did not finish (a worker died).
    "outbox-sweep": {
        "task": "coordination.outbox_sweep",
        "schedule": crontab(minute="*"),
    },
    "email-notification-digests": {
        "task": "coordination.send_notification_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "sweep-unsent-notification-emails": {
        "task": "coordination.sweep_unsent_notifications",
        "schedule": crontab(minute="*/15"),
    },
    # Proof that beat and a worker run: the scheduled-work page and /healthz read its last
    # run (coordination/jobs/services.py). It also prunes the old job runs.
    "heartbeat": {
        "task": "coordination.heartbeat",
        "schedule": crontab(minute="*"),
    },
}

# Outgoing mail (Django 6.1 mailers). The console backend by default, SMTP when EMAIL_HOST
# is set.
_smtp_host = env_str("EMAIL_HOST", "")
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        },
    }
    if _smtp_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@safe.brussels")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# How many days before each CoReS meeting its report is built (beat job).
REPORT_DAYS_BEFORE_CORES = env_int("REPORT_DAYS_BEFORE_CORES", 7)
# A displacement report reaches the task forces whose hotspot lies within this many metres
# of the reported place (Belgian Lambert 2008), plus the origin's task force and the CSIR.
DISPLACEMENT_ROUTING_METRES = env_int("DISPLACEMENT_ROUTING_METRES", 1500)
if not 0 <= DISPLACEMENT_ROUTING_METRES <= 20_000:
    raise ValueError("DISPLACEMENT_ROUTING_METRES must lie between 0 and 20000 (metres).")

# The portal runs on a closed network and calls no third party: everything is 'self'.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
