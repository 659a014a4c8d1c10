"""Production: secrets and hosts come from the environment; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from config.django.base import *  # noqa: F403
from config.env import env, env_bool, env_list

DEBUG = False
# Read by `tepat.core.environment.production_settings()`: the demo commands refuse to run here.
TEPAT_PRODUCTION = True
SECRET_KEY = env("DJANGO_SECRET_KEY") or ""
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names Tepat is served on.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The audit key signs every event; without it an insider could re-hash a rewritten chain (docs/SECURITY.md).
if not TEPAT_AUDIT_KEY_ID or TEPAT_AUDIT_KEY_ID not in TEPAT_AUDIT_KEYS:  # noqa: F405
    raise ImproperlyConfigured(
        "TEPAT_AUDIT_KEYS must hold the key named by TEPAT_AUDIT_KEY_ID (\"id:secret,old-id:old-secret\")."
    )
if any(len(secret) < 32 for secret in TEPAT_AUDIT_KEYS.values()):  # noqa: F405
    raise ImproperlyConfigured("Every audit key in TEPAT_AUDIT_KEYS must be at least 32 random characters.")
if not TEPAT_AUDIT_CHECKPOINT_DIR:  # noqa: F405
    raise ImproperlyConfigured(
        "TEPAT_AUDIT_CHECKPOINT_DIR must name a directory outside the database for signed audit checkpoints."
    )

SESSION_COOKIE_SECURE = env_bool("TEPAT_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("TEPAT_SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("TEPAT_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("TEPAT_HSTS_SECONDS", "31536000") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("TEPAT_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Static files served by the app itself (offline LAN: no CDN, often no separate web server).
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# /healthz answers plain HTTP on the loopback too (systemd, monitoring); everything else is redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Source maps (the API docs' bundles) are not worth compressing: collectstatic is minutes faster without.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["map", "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2",
                                       "tbz", "xz", "br", "woff", "woff2"]

# PostgreSQL's JIT compiles a plan whose estimated cost is high; for this application's short queries on a
# large registry that compilation is the query's time (2–3 s of a NIK search on 1M people, docs/BENCHMARKS.md
# issues 15.3/15.4), never a gain. Off for the application's connections unless TEPAT_PG_JIT=true.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("TEPAT_PG_JIT", False):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c jit=off").strip()
