import os

from config.django.base import *  # noqa: F403
from config.env import dj_database_url

# TEPAT_TEST_DATABASE_URL (or DATABASE_URL) selects the database the suite runs on.
_url = os.environ.get("TEPAT_TEST_DATABASE_URL")
if _url:
    DATABASES = {"default": dj_database_url.parse(_url)}
elif not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "django.contrib.postgres" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("django.contrib.postgres")  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "id"

# A fixed audit key pair for the suite (the second one is a retired key, for rotation tests).
TEPAT_AUDIT_KEYS = {"test-2026": "test-audit-key-not-secret-0123456789abcdef", "test-2025": "retired-test-key-0123456789"}
TEPAT_AUDIT_KEY_ID = "test-2026"
TEPAT_DASHBOARD_COUNTS_SECONDS = 0  # counted on every view (the cache has its own tests)
TEPAT_DETERMINATION_PAUSE_SECONDS = 0  # the run pauses between chunks on SQLite; not in tests
TEPAT_AUDIT_CHECKPOINT_DIR = ""  # tests pass a tmp_path or override the setting
# A fixed invitation signing key, and a retired one known only by its public key (rotation tests).
TEPAT_INVITATION_KEYS = {"inv-2026": "3UKHNz23NC7r_0-2QMpJ3U0XRty9sAn2duXaK67usQ4"}
TEPAT_INVITATION_KEY_ID = "inv-2026"
TEPAT_INVITATION_PUBLIC_KEYS = {"inv-2025": "EQVsRgbR21727x80kE9cTFHDzX0xkMEwdK7UTtDUH2Q"}
TEST_INVITATION_RETIRED_PRIVATE_KEY = "EAWIyBlAL0zwXsHw8hCiM5YeRhKqqGZku5DgeGKzhJs"  # the private half of inv-2025
