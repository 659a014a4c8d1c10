"""Local development: DEBUG on, a known audit key unless the environment gives one. Never for production
(config/wsgi.py, asgi.py and the `tepat` command default to the production settings)."""

from config.django.base import *  # noqa: F403
from config.env import BASE_DIR, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

if not TEPAT_AUDIT_KEYS:  # noqa: F405
    TEPAT_AUDIT_KEYS = {"local-dev": "insecure-local-audit-key-change-me-0123456789"}
    TEPAT_AUDIT_KEY_ID = "local-dev"
TEPAT_AUDIT_CHECKPOINT_DIR = TEPAT_AUDIT_CHECKPOINT_DIR or str(BASE_DIR / "var" / "audit-checkpoints")  # noqa: F405
if not TEPAT_INVITATION_KEYS:  # noqa: F405
    TEPAT_INVITATION_KEYS = {"local-dev": "N150zPTVf9uDfgKHkOhgXo7rAQMT_P7haObJsGUJZS4"}
    TEPAT_INVITATION_KEY_ID = "local-dev"
