"""Settings shared by every environment, read from the environment.

`dev` (the default of manage.py), `test` and `production` build on this module.
Every variable is documented in `.env.example`.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
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
    "coordination.attachments",
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
    # After the others, as django-axes asks: it turns a lock-out into the lock-out page
    # (HTTP 429); only the page cache, which never answers a sign-in, comes after it.
    "axes.middleware.AxesMiddleware",
    # The main pages kept for the session that saw them until the data changes (after
    # every access middleware; see coordination/core/pagecache.py).
    "coordination.core.pagecache.PageCacheMiddleware",
]
# The page cache (coordination/core/pagecache.py): how long a page is kept at most for
# the session that saw it (0: off), and which pages. Any write to the data, by any path,
# makes a new entry (the database's data version, coordination/core/dataversion.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 120)
PAGE_CACHE_VIEWS = frozenset(
    {
        "home:index",
        "overview:page",
        "hotspots:list",
        "hotspots:detail",
        "taskforces:list",
        "taskforces:detail",
        "taskforces:plan",
        "taskforces:my_actions",
        "taskforces:action",
        "taskforces:meetings",
        "search:page",
        "strategy:page",
    }
)

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
# PostgreSQL's JIT compiles queries whose estimated cost passes jit_above_cost: on this
# portal's short queries over permission subqueries it spent 80-90 ms compiling for 10 ms
# of work (issue 16). Off for the portal's sessions unless DATABASE_JIT=true.
if "postgresql" in DATABASES["default"]["ENGINE"] and not env_bool("DATABASE_JIT", False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
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
# Attachments (documents on actions, meetings, bulletins, escalations): the largest file
# accepted, in bytes, checked before the content is read (default 10 MB).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Where the files live (report PDFs, signed police orders, attachments, the backups' media):
# a local folder (MEDIA_ROOT) by default, S3-compatible object storage when S3_BUCKET is set
# (several web and worker hosts then share no disk: README "Scaling out"). Either way every
# file goes through the storage API (default_storage, FileField.open) and is streamed by a
# view after its permission check: the bucket is private and no public URL is ever made.
S3_BUCKET = env_str("S3_BUCKET", "")
_s3_keys = (env_str("S3_ACCESS_KEY_ID", ""), env_str("S3_SECRET_ACCESS_KEY", ""))
if S3_BUCKET and any(_s3_keys) and not all(_s3_keys):
    raise ImproperlyConfigured(
        "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (instance credentials)."
    )
DEFAULT_FILE_STORAGE_BACKEND: dict[str, Any] = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": _s3_keys[0] or None,
            "secret_key": _s3_keys[1] or None,
            # A folder of the bucket, when the bucket is shared with something else.
            "location": env_str("S3_PREFIX", ""),
            # Private objects; a URL, should one ever be made, is signed and short-lived.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
            # A name is never reused silently: a second file gets a name of its own.
            "file_overwrite": False,
            # Path-style addresses work with every S3-compatible store (SeaweedFS, MinIO).
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES: dict[str, dict[str, Any]] = {
    "default": DEFAULT_FILE_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Where `manage.py backup_create` writes its folders (database dump, media archive,
# manifest). Keep it outside MEDIA_ROOT and off the web server's paths: it holds everything.
BACKUP_ROOT = Path(env_str("BACKUP_ROOT", str(BASE_DIR / "backups")))

# Celery. With REDIS_URL the tasks go to Redis. Without it, `make run` starts a real worker
# and beat on an embedded broker that needs no server (kombu's filesystem transport in
# BROKER_DIR): the same machinery as production, with zero set-up.
REDIS_URL = env_str("REDIS_URL", "")
BROKER_DIR = Path(env_str("BROKER_DIR", str(BASE_DIR / ".broker")))

# The cache, shared by every web and worker process when CACHE_URL (by default REDIS_URL)
# names a Redis server; each process's own memory otherwise (one host, `make run`). Its keys
# carry CACHE_KEY_PREFIX, apart from Celery's: give it a database number of its own in the
# URL (redis://redis:6379/1) to keep it apart entirely.
CACHE_URL = env_str("CACHE_URL", "") or REDIS_URL
CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal-cache"),
            "TIMEOUT": 300,
            # A cache that does not answer must not hold a request long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions in the database, read through the cache when the cache is shared: a session
# signed in on one web replica is valid on the others. A per-process cache would keep a
# signed-out session alive on the replica that cached it: the database alone then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)
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
# A worker child that has grown past this many KB is replaced once its task is done: the
# memory a report build (WeasyPrint) took goes back to the system instead of piling up.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 600_000)
if CELERY_WORKER_MAX_MEMORY_PER_CHILD < 100_000:
    raise ImproperlyConfigured("CELERY_WORKER_MAX_MEMORY_PER_CHILD is in KB: at least 100000.")
# With a queue named here, report builds go to it alone: run one worker on it with
# --concurrency 1 (README "Performance") so that the languages of a batch are built one
# after the other, never side by side in one worker's memory. Empty: the default queue.
REPORTS_QUEUE = env_str("REPORTS_QUEUE", "")
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = (
    {"reporting.build_report": {"queue": REPORTS_QUEUE}} if REPORTS_QUEUE else {}
)
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
# Exactly one scheduler: every beat process competes for a leader lock (Redis with
# REDIS_URL, else a PostgreSQL advisory lock, else a lock file in BROKER_DIR) and only its
# holder sends the periodic jobs; a standby takes over within SCHEDULER_LOCK_TTL seconds of
# the leader's end (at once when it stops cleanly). See coordination/jobs/leader.py.
CELERY_BEAT_SCHEDULER = "coordination.jobs.beat:LeaderScheduler"
SCHEDULER_LOCK_KEY = env_str("SCHEDULER_LOCK_KEY", "portal:beat-leader")
SCHEDULER_LOCK_TTL = env_int("SCHEDULER_LOCK_TTL", 30)
if not 3 <= SCHEDULER_LOCK_TTL <= 600:
    raise ValueError("SCHEDULER_LOCK_TTL must lie between 3 and 600 (seconds).")
# Periodic jobs; crontab times are in CELERY_TIMEZONE (Europe/Brussels).
CELERY_BEAT_SCHEDULE: dict = {
    "remind-expiring-police-orders": {
        "task": "hotspots.remind_expiring_orders",
        "schedule": crontab(hour=7, minute=0),
    },
    # The agencies that supply an indicator are told when last month's value is missing
    # (once per hotspot, indicator, month and agency).
    "remind-missing-indicators": {
        "task": "hotspots.remind_missing_indicators",
        "schedule": crontab(day_of_month=10, hour=7, minute=45),
    },
    # The weighted displacement quotient of every watched hotspot, after the values of
    # last month are in (once per hotspot, indicator and month; warnings sent once).
    "compute-displacement-quotients": {
        "task": "hotspots.compute_displacement_quotients",
        "schedule": crontab(day_of_month=15, hour=6, minute=30),
    },
    # The owners of police-order publication steps due and not done (Moniteur belge,
    # mayors, each commune's posting, National Crisis Centre): once per step and week.
    "remind-order-publication-steps": {
        "task": "hotspots.remind_order_publication_steps",
        "schedule": crontab(hour=7, minute=5),
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
# A monthly indicator value more than this many times (or less than one this-many-th of)
# the previous month's value asks for a confirmation before it is saved; after a zero, a
# value above INDICATOR_JUMP_FROM_ZERO does.
try:
    INDICATOR_JUMP_FACTOR = float(env_str("INDICATOR_JUMP_FACTOR", "3"))
except ValueError as error:
    raise ValueError("INDICATOR_JUMP_FACTOR must be a number (3 by default).") from error
if not 1 < INDICATOR_JUMP_FACTOR <= 1000:
    raise ValueError("INDICATOR_JUMP_FACTOR must lie above 1 and at most 1000.")
INDICATOR_JUMP_FROM_ZERO = env_int("INDICATOR_JUMP_FROM_ZERO", 10)
if INDICATOR_JUMP_FROM_ZERO < 0:
    raise ValueError("INDICATOR_JUMP_FROM_ZERO must be zero or more.")
# The balance of the three axes (taskforces.selectors.balance): the shares of actions,
# progress and updates per axis are measured over the last AXIS_BALANCE_WEEKS weeks; an axis
# without any update for more than AXIS_SILENCE_WEEKS weeks, or one carrying more than
# AXIS_DOMINANCE_SHARE (a fraction) of the updates of that window, is flagged.
AXIS_BALANCE_WEEKS = env_int("AXIS_BALANCE_WEEKS", 8)
if not 1 <= AXIS_BALANCE_WEEKS <= 104:
    raise ValueError("AXIS_BALANCE_WEEKS must lie between 1 and 104 (weeks).")
AXIS_SILENCE_WEEKS = env_int("AXIS_SILENCE_WEEKS", 4)
if not 1 <= AXIS_SILENCE_WEEKS <= 104:
    raise ValueError("AXIS_SILENCE_WEEKS must lie between 1 and 104 (weeks).")
try:
    AXIS_DOMINANCE_SHARE = float(env_str("AXIS_DOMINANCE_SHARE", "0.6"))
except ValueError as error:
    raise ValueError("AXIS_DOMINANCE_SHARE must be a number (0.6 by default).") from error
# At or below one third some axis always carries "too much" of three.
if not 1 / 3 < AXIS_DOMINANCE_SHARE <= 1:
    raise ValueError("AXIS_DOMINANCE_SHARE must lie above 1/3 and at most 1.")
# The displacement early warning (hotspots.services.displacement_quotient): the default width
# of the buffer ring around a hotspot, the months before and after the split, and the
# weighted displacement quotient below which (with the buffer's count up) people are warned.
DISPLACEMENT_BUFFER_METRES = env_int("DISPLACEMENT_BUFFER_METRES", 400)
if not 50 <= DISPLACEMENT_BUFFER_METRES <= 5000:
    raise ValueError("DISPLACEMENT_BUFFER_METRES must lie between 50 and 5000 (metres).")
DISPLACEMENT_WINDOW_MONTHS = env_int("DISPLACEMENT_WINDOW_MONTHS", 6)
if not 1 <= DISPLACEMENT_WINDOW_MONTHS <= 24:
    raise ValueError("DISPLACEMENT_WINDOW_MONTHS must lie between 1 and 24.")
try:
    DISPLACEMENT_WDQ_WARNING = float(env_str("DISPLACEMENT_WDQ_WARNING", "-0.5"))
except ValueError as error:
    raise ValueError("DISPLACEMENT_WDQ_WARNING must be a number (-0.5 by default).") from error
if not -100 <= DISPLACEMENT_WDQ_WARNING <= 0:
    raise ValueError("DISPLACEMENT_WDQ_WARNING must lie between -100 and 0.")

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
