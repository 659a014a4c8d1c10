"""Which kind of settings the process runs under: one rule for the commands that must not run in production."""

from __future__ import annotations

from django.conf import settings


def production_settings() -> bool:
    """True under the production settings (or any module built on them), also when the settings were
    configured without a module name (`settings.SETTINGS_MODULE` is then None, as under pytest-django's
    `settings` fixture): the flag `TEPAT_PRODUCTION` decides, the module name is the fallback."""
    if getattr(settings, "TEPAT_PRODUCTION", False):
        return True
    return (getattr(settings, "SETTINGS_MODULE", None) or "").endswith(".production")
