"""`production_settings()`: the one rule the demo commands use to refuse production."""

import pytest
from django.core.management import CommandError, call_command

from tepat.core.environment import production_settings


def test_the_flag_decides(settings):
    settings.TEPAT_PRODUCTION = True
    settings.SETTINGS_MODULE = "config.django.staging"
    assert production_settings()


def test_the_module_name_is_the_fallback(settings):
    settings.TEPAT_PRODUCTION = False
    settings.SETTINGS_MODULE = "config.django.production"
    assert production_settings()
    settings.SETTINGS_MODULE = "config.django.test"
    assert not production_settings()


def test_settings_without_a_module_name_do_not_crash(settings):
    """pytest-django's `settings` fixture and settings.configure() leave SETTINGS_MODULE None; the demo commands
    used to crash there with AttributeError on `.endswith`."""
    settings.TEPAT_PRODUCTION = False
    settings.SETTINGS_MODULE = None
    assert not production_settings()


@pytest.mark.django_db
def test_demo_users_refused_in_production_creates_nobody(settings):
    from django.contrib.auth import get_user_model

    settings.TEPAT_PRODUCTION = True
    before = get_user_model().objects.count()
    with pytest.raises(CommandError, match="production settings"):
        call_command("demo-users")
    assert get_user_model().objects.count() == before
