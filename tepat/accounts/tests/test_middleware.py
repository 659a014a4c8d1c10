import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from tepat.accounts.middleware import SESSION_STARTED_KEY, AbsoluteSessionExpiryMiddleware

NOWHERE = "/__tidak-ada__/"  # any path runs the whole middleware stack


def _signed_in(user, started: int | None) -> Client:
    client = Client()
    client.force_login(user)
    if started is not None:
        session = client.session
        session[SESSION_STARTED_KEY] = started
        session.save()
    return client


def test_the_middleware_is_installed_after_authentication():
    stack = settings.MIDDLEWARE
    assert stack.index("tepat.accounts.middleware.AbsoluteSessionExpiryMiddleware") > stack.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware")


def test_the_first_signed_in_request_stamps_the_session(village_operator):
    client = _signed_in(village_operator, None)
    before = int(time.time())

    client.get(NOWHERE)

    started = client.session[SESSION_STARTED_KEY]
    assert before <= started <= int(time.time())
    assert client.session[SESSION_KEY] == str(village_operator.pk)


def test_a_young_session_stays_signed_in(village_operator):
    started = int(time.time()) - settings.TEPAT_SESSION_ABSOLUTE_SECONDS + 60
    client = _signed_in(village_operator, started)

    client.get(NOWHERE)

    assert client.session[SESSION_KEY] == str(village_operator.pk)
    assert client.session[SESSION_STARTED_KEY] == started  # activity does not extend the absolute limit


def test_an_old_session_is_signed_out_even_while_active(village_operator):
    client = _signed_in(village_operator, int(time.time()) - settings.TEPAT_SESSION_ABSOLUTE_SECONDS - 1)

    client.get(NOWHERE)

    assert SESSION_KEY not in client.session
    assert SESSION_STARTED_KEY not in client.session


@override_settings(TEPAT_SESSION_ABSOLUTE_SECONDS=60)
def test_the_limit_comes_from_settings(village_operator):
    client = _signed_in(village_operator, int(time.time()) - 120)

    client.get(NOWHERE)

    assert SESSION_KEY not in client.session


def test_anonymous_requests_are_left_alone(db):
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse()

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()

    AbsoluteSessionExpiryMiddleware(view)(request)

    assert SESSION_STARTED_KEY not in request.session
    assert not seen["user"].is_authenticated


def test_the_view_sees_the_signed_out_user(village_operator):
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse()

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = village_operator
    request.session[SESSION_STARTED_KEY] = int(time.time()) - settings.TEPAT_SESSION_ABSOLUTE_SECONDS - 5

    AbsoluteSessionExpiryMiddleware(view)(request)

    assert not seen["user"].is_authenticated


def test_the_default_limits():
    assert settings.TEPAT_SESSION_ABSOLUTE_SECONDS == 10 * 3600
    assert settings.SESSION_COOKIE_AGE == 1800
