"""Settings for Nakhon Ceramic, read from the environment.

With no environment at all the portal runs on SQLite in var/ and kombu's filesystem
broker, so one machine needs no server. Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis), SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS; README.md lists all.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "toolkit.apps.TwoFactorAdminConfig",  # the admin behind two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    # Ours, in dependency order: later apps may import earlier ones, never the reverse.
    "toolkit",
    "notifications",
    "accounts",
    "entrepreneurs",
    "products",
    "programmes",
    "training",
    "reports",
]

MIDDLEWARE = [
    # First: a HEAD's answer loses its body only once every other middleware is done.
    "toolkit.head_requests.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come compressed already), above everything that
    # reads or writes a response's body.
    "toolkit.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "toolkit.twofactor.TwoFactorSessionMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "accounts.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: a GET's transaction begins right after its process_view (on SQLite, DEFERRED).
    "toolkit.db.reads.ReadRequestsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_count",
                # After Django's own csrf processor: a page cached for every visitor holds a
                # placeholder token instead of this visitor's (toolkit.public_pages).
                "toolkit.public_pages.csrf_placeholder",
            ],
            "builtins": ["toolkit.templatetags.thaidate", "toolkit.templatetags.thaitext"],
        },
    },
]

# --- Database -----------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, except that a GET's transaction begins DEFERRED (toolkit.db.reads).
    DATABASES["default"]["ENGINE"] = "toolkit.db.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers read while one connection writes. IMMEDIATE takes the write
        # lock when a transaction starts, so two writers never deadlock upgrading a lock;
        # a read request's transaction begins DEFERRED instead and never waits for it.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so a worker process in a test can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation for the web's queries: a page reads a few rows, but the planner's
    # cost of a deep page or an unfiltered count passes jit_above_cost, and compiling took
    # 25-460 ms of queries that then ran in 2-50 ms (bench/README.md, issue 12). Report
    # queries lose by it too (the training report compiled for 1.8 s of its 2 s): the
    # snapshot alias below copies it, and reports.services.snapshot() also says so.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A view either saves everything it changes or nothing.
ATOMIC_REQUESTS = True
DATABASES["default"]["ATOMIC_REQUESTS"] = ATOMIC_REQUESTS
# The same database through a second connection: a report worker reads one consistent
# snapshot through it (reports.services.snapshot) while its progress goes out through
# "default". On SQLite its transactions begin deferred, so a long read never holds the
# write lock.
DATABASES["snapshot"] = {
    **DATABASES["default"],
    "ATOMIC_REQUESTS": False,
    "OPTIONS": {**DATABASES["default"].get("OPTIONS", {})},
    "TEST": {"MIRROR": "default"},
}
if DATABASES["snapshot"]["ENGINE"] == "toolkit.db.sqlite":
    DATABASES["snapshot"]["OPTIONS"]["transaction_mode"] = "DEFERRED"

# --- Cache --------------------------------------------------------------------------
# allauth's rate limits count in the cache, so every web process must share it: a cache
# per process multiplies each limit by the number of workers. Without CACHE_URL it is a
# table in the database (toolkit's migration creates it), which needs no server.
# What the portal derives from its data and keeps for a while (whole public pages, list
# counts and page ids, dashboard figures: toolkit.pagination, toolkit.public_pages) lives in
# a cache of its own: any visitor can make new entries of it (a search, a filter), and in a
# shared database table they would cull the rate limits' counters.
DERIVED_CACHE = "derived"
CACHE_URL = env("CACHE_URL")
_cache_scheme = CACHE_URL.partition("://")[0]
# Per process, so for development only: locmem:// or dummy:// (no cache at all).
_PER_PROCESS_CACHES = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
}
if not CACHE_URL:
    CACHES = {
        "default": {
            # Django's, giving way when a read request finds the table locked on SQLite.
            "BACKEND": "toolkit.db.cache.DatabaseCache",
            "LOCATION": "portal_cache",  # created by toolkit/migrations/0003_cache_table.py
        }
    }
    CACHES[DERIVED_CACHE] = {
        **CACHES["default"],
        "LOCATION": "portal_derived_cache",  # toolkit/migrations/0004_derived_cache_table.py
        # A table culls a third of its rows when it passes MAX_ENTRIES (and counts them on
        # every write): room for many pages, figures and counts, never a rate limit's.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
elif _cache_scheme in ("redis", "rediss"):
    CACHES = {
        "default": {
            # Django's, going on without the cache while its Redis is down (toolkit/cache.py).
            "BACKEND": "toolkit.cache.TolerantRedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that stopped answering costs a request seconds, not gunicorn's timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CACHES[DERIVED_CACHE] = {**CACHES["default"], "KEY_PREFIX": "derived"}
elif _cache_scheme in _PER_PROCESS_CACHES:
    if not DEBUG:
        raise ImproperlyConfigured(
            "With DEBUG off every process must share the cache (rate limits live there): "
            "unset CACHE_URL for the database cache, or set a redis:// URL."
        )
    CACHES = {"default": {"BACKEND": _PER_PROCESS_CACHES[_cache_scheme]}}
    CACHES[DERIVED_CACHE] = {**CACHES["default"], "LOCATION": "derived"}
else:
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss://, locmem:// or dummy://."
    )

# --- Accounts -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Signs in on confirmation in the browser that signed up (accounts.adapter says the rest).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# Links allauth builds follow SITE_URL's scheme; the mail subject prefix is the
# portal's name in the reader's language (accounts.adapter.format_email_subject).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"
# allauth's default rate limits stay on (ACCOUNT_RATE_LIMITS is not overridden).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Nakhon Ceramic"
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"

# Students sign up themselves only with an address in one of these domains (or below).
UNIVERSITY_EMAIL_DOMAINS = env_list("UNIVERSITY_EMAIL_DOMAINS", "tu.ac.th,dome.tu.ac.th")
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "7"))

# --- Identifiers and spreadsheet imports (toolkit) ------------------------------------
# Tax IDs are stored as keyed hashes under a chain of keys of their own, oldest first
# (toolkit/identifiers.py), so SECRET_KEY can be rotated freely. The default is the
# development SECRET_KEY, which hashed them before they had keys of their own.
IDENTIFIER_HASH_KEYS = env_list("IDENTIFIER_HASH_KEYS")
if not IDENTIFIER_HASH_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured("Set IDENTIFIER_HASH_KEYS when DEBUG is off.")
    IDENTIFIER_HASH_KEYS = ["dev-only-insecure-key-never-use-in-production"]
# An upload with more rows is refused while it is read, before any row is checked.
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "5000"))

# --- Language, time -----------------------------------------------------------------
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
# The programme's home province, listed first where an address is chosen (52 = Lampang).
HOME_PROVINCE_CODE = env("HOME_PROVINCE_CODE", "52")

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
# WhiteNoise warns on every request when its directory is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Documents only permission-checked views may serve; never under MEDIA_URL.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Public uploads (product and lab photos) served by the portal itself under MEDIA_URL
# (toolkit.media): on with DEBUG, and for one machine with no web server in front
# (scripts/serve turns it on). Private files are never under MEDIA_ROOT.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# dumpdata --format move-jsonl: the move to PostgreSQL (README, "Moving up").
SERIALIZATION_MODULES = {"move-jsonl": "toolkit.move_serializer"}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email --------------------------------------------------------------------------
# Without EMAIL_HOST the worker prints each message to its console (the run command).
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Nakhon Ceramic <no-reply@nakhon-ceramic.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # How long an idle worker (or one whose threads are all busy) waits before it
        # looks in the folder again; kombu's default of a second capped a burst of mail
        # at a task or two a second. Listing a small folder ten times a second is cheap.
        "polling_interval": 0.1,
    }
    # The filesystem transport has no fan-out for remote control; the worker needs none.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up quickly when the broker is down: the outbox sweep re-queues later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Separate queues so a national report never delays an acceptance email.
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "notifications"},
    "reports.*": {"queue": "reports"},
    # The reports' housekeeping must not wait behind a national report.
    "reports.tasks.sweep_reports": {"queue": "default"},
    "reports.tasks.delete_expired_reports": {"queue": "default"},
    # A run's certificate PDFs take a while (200 people); they wait with the reports.
    "training.tasks.build_certificates": {"queue": "reports"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": 120.0,
    },
    "notify-expiring-certifications": {
        "task": "products.tasks.notify_expiring_certifications",
        "schedule": crontab(hour=7, minute=0),  # daily, Asia/Bangkok
    },
    "delete-stale-import-uploads": {
        "task": "toolkit.tasks.delete_stale_import_uploads",
        "schedule": crontab(hour=3, minute=30),
    },
    # The Ko Kha lab.
    "lab-mark-no-shows": {
        "task": "training.tasks.mark_no_shows",
        "schedule": 300.0,
    },
    "lab-expire-requests": {
        "task": "training.tasks.expire_requests",
        "schedule": 300.0,
    },
    "lab-lapse-holds": {
        "task": "training.tasks.lapse_holds",
        "schedule": 300.0,
    },
    "lab-remind-tomorrow": {
        # Hourly, so a booking approved late the day before is still reminded.
        "task": "training.tasks.remind_tomorrow",
        "schedule": crontab(minute=5),
    },
    "lab-remind-lapsing-clearances": {
        "task": "training.tasks.remind_lapsing_clearances",
        "schedule": crontab(hour=7, minute=15),  # daily, Asia/Bangkok
    },
    # Reports: queue again what a lost message or a dead worker left; delete old files.
    "reports-sweep": {
        "task": "reports.tasks.sweep_reports",
        "schedule": 60.0,
    },
    "reports-delete-expired": {
        "task": "reports.tasks.delete_expired_reports",
        "schedule": crontab(minute=20),
    },
    "courses-remind-sessions-tomorrow": {
        # Hourly, so a session added late the day before is still reminded.
        "task": "training.tasks.remind_sessions_tomorrow",
        "schedule": crontab(minute=10),
    },
}
OUTBOX_SWEEP_AFTER_SECONDS = 60
# Emails per broker message: a worker sends a batch over one SMTP connection.
OUTBOX_BATCH_SIZE = 50
OUTBOX_MAX_ATTEMPTS = 10
# A claim older than this was abandoned by a worker that died mid-send; the sweep re-queues
# the mail. Well above the longest SMTP conversation (several EMAIL_TIMEOUT steps).
OUTBOX_CLAIM_TIMEOUT_SECONDS = 15 * 60

# --- Reports ------------------------------------------------------------------------
# A report's file is kept this many days after it is built, then deleted.
REPORT_RETENTION_DAYS = int(env("REPORT_RETENTION_DAYS", "7"))
# A worker stores its progress (and that it is alive) at most this often.
REPORT_PROGRESS_SECONDS = float(env("REPORT_PROGRESS_SECONDS", "1"))
# A running job whose worker has not been heard from for this long is taken over.
REPORT_STALL_SECONDS = int(env("REPORT_STALL_SECONDS", "30"))
# A queued job no worker has taken after this long is queued again (a lost message).
REPORT_REQUEUE_SECONDS = int(env("REPORT_REQUEUE_SECONDS", "120"))
# After this many starts (each a worker that died midway) the job fails.
REPORT_MAX_ATTEMPTS = int(env("REPORT_MAX_ATTEMPTS", "3"))

# --- Dashboards ---------------------------------------------------------------------
# The officer home's figures are aggregates over national tables: computed at most once
# this often (seconds) and shown with the time they were computed.
DASHBOARD_CACHE_SECONDS = int(env("DASHBOARD_CACHE_SECONDS", "300"))
# Public pages (landing, programmes, showcase, a product's page) are cached whole for
# visitors who are not signed in, until a service changes what they show or this many
# seconds pass (toolkit.public_pages); 0 turns that cache off.
PUBLIC_PAGE_SECONDS = int(env("PUBLIC_PAGE_SECONDS", "60"))

# --- The Ko Kha lab -----------------------------------------------------------------
# An owner may cancel a booking themselves until this many hours before it starts.
LAB_CANCEL_CUTOFF_HOURS = int(env("LAB_CANCEL_CUTOFF_HOURS", "2"))
# This many no-shows within the window suspend self-booking for LAB_SUSPENSION_DAYS.
LAB_NO_SHOW_LIMIT = int(env("LAB_NO_SHOW_LIMIT", "3"))
LAB_NO_SHOW_WINDOW_DAYS = int(env("LAB_NO_SHOW_WINDOW_DAYS", "90"))
LAB_SUSPENSION_DAYS = int(env("LAB_SUSPENSION_DAYS", "30"))
# A freed slot is held this long for the first person waiting for it.
LAB_HOLD_HOURS = int(env("LAB_HOLD_HOURS", "4"))
# A clearance's holder is reminded this many days before it lapses.
LAB_CLEARANCE_REMINDER_DAYS = 14

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# PLAIN_HTTP=1: the operator says no TLS is anywhere in front (an office network without a
# certificate): no redirect to HTTPS, cookies a browser sends over plain HTTP, no HSTS.
# `check --deploy` then warns about exactly those (README, "One machine in production").
# Behind a proxy that ends TLS leave it off: the proxy says https in X-Forwarded-Proto.
PLAIN_HTTP = not DEBUG and env_bool("PLAIN_HTTP", False)
if not DEBUG:
    SESSION_COOKIE_SECURE = not PLAIN_HTTP
    CSRF_COOKIE_SECURE = not PLAIN_HTTP
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not PLAIN_HTTP)
    SECURE_HSTS_SECONDS = 0 if PLAIN_HTTP else int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("BEHIND_PROXY", True) and not PLAIN_HTTP:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only the portal's own files run or style a page. No
# inline <script>, <style>, style="" or on*="" anywhere (tests/look/test_security_headers.py
# checks the templates); htmx gets its indicator CSS from portal.css (<meta htmx-config>).
# Should a page ever need an inline script, add csp.constants.NONCE to script-src and give
# the tag nonce="{{ request.csp_nonce }}". img-src allows data: for Bootstrap's SVG icons
# and the TOTP QR code; photos kept on another host (an S3 store) need that origin there too.
# Django's admin (5.2) needs no exception: its templates are inline-free.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (django-permissions-policy): the portal uses no device or sensor; a
# photo comes from a file input, which needs no camera permission. Only features Chromium
# knows: it warns in the console about any other (the browser tests fail on warnings).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "gamepad": [],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A request naming a host not in ALLOWED_HOSTS gets its 400; on a port open to a
        # network, scanners send them all day, and each would log a whole traceback.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
