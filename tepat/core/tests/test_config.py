"""Production never starts by accident with DEBUG and a known key: the entry points default to the
production settings, and those refuse to load without their secrets (the audit key included)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD = {"DJANGO_SECRET_KEY": "s" * 60, "DJANGO_ALLOWED_HOSTS": "tepat.example", "TEPAT_AUDIT_KEY_ID": "k1",
        "TEPAT_AUDIT_KEYS": "k1:" + "a" * 40, "TEPAT_AUDIT_CHECKPOINT_DIR": "/tmp/tepat-checkpoints"}


def _load(env: dict, code: str = "import django; django.setup(); from django.conf import settings; "
                                   "print(settings.SETTINGS_MODULE, settings.DEBUG)"):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEPAT_"))}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=60)


def test_production_settings_load_with_every_secret():
    result = _load({**GOOD, "DJANGO_SETTINGS_MODULE": "config.django.production"})
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.split() == ["config.django.production", "False"]


def test_production_settings_are_known_as_production():
    """The demo commands refuse to run under them (`tepat.core.environment.production_settings`)."""
    result = _load({**GOOD, "DJANGO_SETTINGS_MODULE": "config.django.production"},
                   "import django; django.setup(); from django.conf import settings; "
                   "from tepat.core.environment import production_settings; "
                   "print(settings.TEPAT_PRODUCTION, production_settings())")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize(("missing", "message"), [
    ("TEPAT_AUDIT_KEYS", "TEPAT_AUDIT_KEYS must hold the key"),
    ("TEPAT_AUDIT_KEY_ID", "TEPAT_AUDIT_KEYS must hold the key"),
    ("TEPAT_AUDIT_CHECKPOINT_DIR", "TEPAT_AUDIT_CHECKPOINT_DIR must name"),
    ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
])
def test_production_settings_refuse_to_load_without_a_secret(missing, message):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _load({**env, "DJANGO_SETTINGS_MODULE": "config.django.production"})
    assert result.returncode != 0 and message in result.stderr


def test_a_short_audit_key_is_refused():
    result = _load({**GOOD, "TEPAT_AUDIT_KEYS": "k1:short", "DJANGO_SETTINGS_MODULE": "config.django.production"})
    assert result.returncode != 0 and "at least 32" in result.stderr


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi"])
def test_the_server_entry_points_default_to_production_settings(entry):
    result = _load({}, f"import {entry}")  # no settings module, no secrets: refused, not DEBUG
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr
    result = _load(GOOD, f"import {entry}; from django.conf import settings; print(settings.SETTINGS_MODULE)")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "config.django.production"


def test_the_tepat_command_defaults_to_production_settings():
    result = _load({}, "import sys; sys.argv = ['tepat', 'check']; from tepat.__main__ import main; main()")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr


_OPTIONS = ("from django.conf import settings; "
            "print(repr(settings.DATABASES['default'].get('OPTIONS', {}).get('options', '')))")


@pytest.mark.parametrize(("jit", "expected"), [(None, "'-c jit=off'"), ("true", "''")])
def test_production_turns_postgres_jit_off_per_connection(jit, expected):
    """ADR 0033: JIT compilation was the time of the large plans (2–3 s of a NIK search on 1M)."""
    env = {**GOOD, "DJANGO_SETTINGS_MODULE": "config.django.production",
           "DATABASE_URL": "postgres://tepat@db.example:5432/tepat", **({"TEPAT_PG_JIT": jit} if jit else {})}
    result = _load(env, "import django; django.setup(); " + _OPTIONS)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == expected


def test_production_on_sqlite_has_no_jit_option():
    result = _load({**GOOD, "DJANGO_SETTINGS_MODULE": "config.django.production",
                    "DATABASE_URL": "sqlite:////tmp/tepat-config-test.sqlite3"}, "import django; django.setup(); "
                   "from django.conf import settings; print('options' in settings.DATABASES['default'].get('OPTIONS', {}))")
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "False"
