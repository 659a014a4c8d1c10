"""Settings shared by every environment. Environment-specific behaviour comes from env vars."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONCE

from config.env import BASE_DIR, database_from_env, env, env_bool, env_keys, env_list

SECRET_KEY = env("DJANGO_SECRET_KEY", "insecure-dev-key-change-me-in-production-0123456789abcdef")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "csp",
    "axes",
    "tepat.core",
    "tepat.audit",
    "tepat.regions",
    "tepat.accounts",
    "tepat.registry",
    "tepat.trail",
    "tepat.quality",
    "tepat.updates",
    "tepat.targeting",
    "tepat.programs",
    "tepat.relief",
    "tepat.distribution",
    "tepat.grievances",
    "tepat.planning",
    "tepat.public",
    "tepat.reports",
    "tepat.web",
    "tepat.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "tepat.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tepat.accounts.middleware.AbsoluteSessionExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tepat.core.middleware.ApplicationErrorMiddleware",
    # Last: it only maps a lockout flagged on the request; `tepat.accounts.throttle` keeps our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tepat.accounts.context_processors.actor",
            ],
        },
    },
]

DATABASES = {"default": database_from_env()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # pg_trgm lookups for name search
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes first: every authenticate() call, wherever it comes from, is refused while locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 minutes without activity and after 10 hours in any case.
SESSION_COOKIE_AGE = int(env("TEPAT_SESSION_IDLE_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
TEPAT_SESSION_ABSOLUTE_SECONDS = int(env("TEPAT_SESSION_ABSOLUTE_SECONDS", str(10 * 3600)))

# Login throttling (django-axes, see docs/adr/0011): TEPAT_LOGIN_MAX_FAILURES failures for one username
# from one IP address lock that username *from that address* (others can still sign in, so nobody can lock
# anyone out from afar); TEPAT_LOGIN_IP_MAX_FAILURES failures from one address, whatever the usernames,
# lock that address. A lock lasts TEPAT_LOGIN_LOCKOUT after the last failure, or until an administrator
# unlocks the user. Unknown and real usernames are counted and answered alike.
TEPAT_LOGIN_MAX_FAILURES = int(env("TEPAT_LOGIN_MAX_FAILURES", "5"))
TEPAT_LOGIN_IP_MAX_FAILURES = int(env("TEPAT_LOGIN_IP_MAX_FAILURES", "20"))
TEPAT_LOGIN_LOCKOUT = timedelta(minutes=int(env("TEPAT_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_ENABLED = env_bool("TEPAT_LOGIN_THROTTLE", True)
AXES_HANDLER = "tepat.accounts.throttle.TepatAxesHandler"
AXES_FAILURE_LIMIT = "tepat.accounts.throttle.failure_limit"  # read from the TEPAT_ settings at each call
AXES_COOLOFF_TIME = "tepat.accounts.throttle.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the per-address limit is TepatAxesHandler's
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "tepat.accounts.throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successes and failures are in the audit trail
AXES_CLIENT_IP_CALLABLE = "tepat.accounts.throttle.client_ip"
AXES_VERBOSE = False  # no banner on every command; outcomes are audit events
TEPAT_TRUSTED_PROXIES = int(env("TEPAT_TRUSTED_PROXIES", "0"))
# Whole-NIK/KK searches by masked roles (tepat/registry/search_throttle.py, docs/SECURITY.md): at most this
# many per user and per client address within the window; past it a search finds nothing. 0 = no limit.
TEPAT_IDENTITY_SEARCH_LIMIT_USER = int(env("TEPAT_IDENTITY_SEARCH_LIMIT_USER", "20"))
TEPAT_IDENTITY_SEARCH_LIMIT_IP = int(env("TEPAT_IDENTITY_SEARCH_LIMIT_IP", "60"))
TEPAT_IDENTITY_SEARCH_WINDOW_SECONDS = int(env("TEPAT_IDENTITY_SEARCH_WINDOW_SECONDS", "3600"))
# Public pages (tepat.public, docs/SECURITY.md "Public surface"): lookups per client address, per subject (a
# NIK or a village + name) and site-wide within the window; reports per address; the proof-of-work's size;
# the programme codes whose recipient lists are published by masked name and RT (none by default).
TEPAT_PUBLIC_WINDOW_SECONDS = int(env("TEPAT_PUBLIC_WINDOW_SECONDS", "3600"))
TEPAT_PUBLIC_LIMIT_IP = int(env("TEPAT_PUBLIC_LIMIT_IP", "30"))
TEPAT_PUBLIC_LIMIT_SUBJECT = int(env("TEPAT_PUBLIC_LIMIT_SUBJECT", "5"))
TEPAT_PUBLIC_LIMIT_GLOBAL = int(env("TEPAT_PUBLIC_LIMIT_GLOBAL", "5000"))
TEPAT_PUBLIC_REPORT_LIMIT_IP = int(env("TEPAT_PUBLIC_REPORT_LIMIT_IP", "5"))
TEPAT_PUBLIC_POW_MAX_NUMBER = int(env("TEPAT_PUBLIC_POW_MAX_NUMBER", "100000"))
TEPAT_PUBLIC_NAME_LISTS = env_list("TEPAT_PUBLIC_NAME_LISTS", "")
TEPAT_USER_BULK_MAX_BYTES = int(env("TEPAT_USER_BULK_MAX_BYTES", str(256 * 1024)))
TEPAT_USER_BULK_MAX_ROWS = int(env("TEPAT_USER_BULK_MAX_ROWS", "100"))  # argon2 per row in the request

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "tepat" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("TEPAT_STATIC_ROOT", "") or BASE_DIR / "var" / "static")
MEDIA_ROOT = Path(env("TEPAT_MEDIA_ROOT", "") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Uploads (tepat.core.uploads): size limits per kind in bytes (defaults in DEFAULT_UPLOAD_LIMITS), XLSX
# limits checked before a workbook is read, retention of uploaded files after their job, and when a
# running import whose worker shows no life is marked failed.
TEPAT_UPLOAD_LIMITS = {
    "registry_import": int(env("TEPAT_UPLOAD_MAX_IMPORT_MB", "200")) * 1024 * 1024,
    "civil_extract": int(env("TEPAT_UPLOAD_MAX_EXTRACT_MB", "200")) * 1024 * 1024,
    "external_list": int(env("TEPAT_UPLOAD_MAX_LIST_MB", "50")) * 1024 * 1024,
}
TEPAT_UPLOAD_RETENTION_DAYS = int(env("TEPAT_UPLOAD_RETENTION_DAYS", "30"))
TEPAT_IMPORT_STALE_SECONDS = int(env("TEPAT_IMPORT_STALE_SECONDS", "1800"))
# Load mode (ADR 0030): an import that would grow the individuals table by more than this
# fraction of its size, and by at least TEPAT_IMPORT_REBUILD_MIN_ROWS, writes all its batches in one
# transaction with the secondary indexes and foreign keys set aside, and rebuilds them at its end.
# 0 turns the mode off (one transaction per batch, always).
TEPAT_IMPORT_REBUILD_FRACTION = float(env("TEPAT_IMPORT_REBUILD_FRACTION", "0.5"))
TEPAT_IMPORT_REBUILD_MIN_ROWS = int(env("TEPAT_IMPORT_REBUILD_MIN_ROWS", "100000"))
# The realisation import's load mode (ADR 0035, PostgreSQL): from this many matched rows on,
# each chunk sets the realisation lines' foreign keys aside and checks its own lines set-based instead of
# one trigger lookup per line at COMMIT. 0 turns the mode off.
TEPAT_REALISATION_LOAD_MIN_ROWS = int(env("TEPAT_REALISATION_LOAD_MIN_ROWS", "100000"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("TEPAT_LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 25

# Audit trail anchoring (docs/adr/0010-anchored-audit-chain.md, docs/SECURITY.md).
# Every event's hash is an HMAC with the current key; older keys stay listed so that old events verify.
# The keys live in the environment, never in the database. Production refuses to start without them.
TEPAT_AUDIT_KEYS = env_keys("TEPAT_AUDIT_KEYS")  # {"key id": "secret"}
TEPAT_AUDIT_KEY_ID = env("TEPAT_AUDIT_KEY_ID", "") or ""
# Signed checkpoints of the chain head go to this directory, outside the database (append-only JSON lines).
TEPAT_AUDIT_CHECKPOINT_DIR = env("TEPAT_AUDIT_CHECKPOINT_DIR", "") or ""
# The worker's checkpoint job re-queues itself after this many seconds (0: only on demand / cron).
TEPAT_AUDIT_CHECKPOINT_INTERVAL_SECONDS = int(env("TEPAT_AUDIT_CHECKPOINT_INTERVAL_SECONDS", "3600") or 0)
# Events written before keys existed (key id ""), verified with the unkeyed hash up to this position only.
TEPAT_AUDIT_LEGACY_UNTIL_SEQ = int(env("TEPAT_AUDIT_LEGACY_UNTIL_SEQ", "0") or 0)

# Content-Security-Policy (django-csp): nothing from other origins, no inline script or style unless the
# element carries the request's nonce (`nonce="{{ request.csp_nonce }}"`); no style="" attributes, no on*=
# handlers, no eval (htmx is configured without eval and script tags in web/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Invitations (tepat.distribution.invitations.signing): Ed25519 keys that sign the QR code of each undangan.
# "id:base64url-32-byte-seed,…"; the key named by TEPAT_INVITATION_KEY_ID signs, the others still verify.
# Retired keys whose private half is destroyed: "id:base64url-public-key,…" in TEPAT_INVITATION_PUBLIC_KEYS.
# Generate one with `tepat invitation-keygen`. The public keys: GET /api/v1/invitations/keys (signed in).
TEPAT_INVITATION_KEYS = env_keys("TEPAT_INVITATION_KEYS")
TEPAT_INVITATION_KEY_ID = env("TEPAT_INVITATION_KEY_ID", "") or ""
TEPAT_INVITATION_PUBLIC_KEYS = env_keys("TEPAT_INVITATION_PUBLIC_KEYS")
# Where a village's invitations come from: a dotted path to a callable (actor, village_code, programme, tahap)
# returning a list of InvitationData. Default: the distribution lists' current entries (masked names);
# set to an empty string to switch printing off.
TEPAT_INVITATION_SOURCE = env("TEPAT_INVITATION_SOURCE",
                              "tepat.distribution.invitations.source.distribution_invitations")
# Operations (tepat.ops, docs/OPERATIONS.md): the worker's heartbeat for /healthz, the production server's
# address and worker count (`tepat serve`; 0 = 2 x CPU cores + 1), the backup key, the data protection officer.
TEPAT_WORKER_HEARTBEAT_SECONDS = int(env("TEPAT_WORKER_HEARTBEAT_SECONDS", "10"))
TEPAT_WORKER_STALE_SECONDS = int(env("TEPAT_WORKER_STALE_SECONDS", "60"))
TEPAT_BIND = env("TEPAT_BIND", "127.0.0.1:8000") or "127.0.0.1:8000"
TEPAT_WEB_WORKERS = int(env("TEPAT_WEB_WORKERS", "0") or 0)
TEPAT_WEB_TIMEOUT_SECONDS = int(env("TEPAT_WEB_TIMEOUT_SECONDS", "120"))
# The start page's registry counts are recounted at most this often per set of regions (ADR 0033:
# a district's counts aggregate ~1M people); 0 counts on every view.
TEPAT_DASHBOARD_COUNTS_SECONDS = int(env("TEPAT_DASHBOARD_COUNTS_SECONDS", "120") or 0)
TEPAT_BACKUP_KEY_FILE = env("TEPAT_BACKUP_KEY_FILE", "") or ""
TEPAT_DPO_NAME = env("TEPAT_DPO_NAME", "") or ""
TEPAT_DPO_EMAIL = env("TEPAT_DPO_EMAIL", "") or ""
# --- API tokens and idempotency (issue 14, tepat.accounts.tokens / tepat.accounts.idempotency) ---
TEPAT_API_TOKEN_HOURS = int(env("TEPAT_API_TOKEN_HOURS", str(24 * 30)))  # personal device tokens
TEPAT_API_CLIENT_TOKEN_HOURS = int(env("TEPAT_API_CLIENT_TOKEN_HOURS", "12"))  # machine clients' tokens
# The offline field app (/lapangan/) erases the personal data it downloaded when it has not synced for this
# many hours (issue 14 item 8); queued visits are kept until sent.
TEPAT_FIELD_APP_KEEP_HOURS = int(env("TEPAT_FIELD_APP_KEEP_HOURS", str(24 * 7)))
TEPAT_IDEMPOTENCY_HOURS = int(env("TEPAT_IDEMPOTENCY_HOURS", "24"))
# After authentication (and the absolute session expiry), before the views: replays stored POST answers.
MIDDLEWARE.insert(MIDDLEWARE.index("tepat.accounts.middleware.AbsoluteSessionExpiryMiddleware") + 1,
                  "tepat.accounts.idempotency.IdempotencyMiddleware")
# Under /api/: the 404/405/500 no handler wrote are JSON in the API's error shape (tepat.core.middleware).
MIDDLEWARE.insert(MIDDLEWARE.index("tepat.core.middleware.RequestIdMiddleware") + 1,
                  "tepat.core.middleware.ApiErrorShapeMiddleware")
