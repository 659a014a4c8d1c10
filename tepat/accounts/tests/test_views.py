"""Sign-in and sign-out pages: success, failure, lockout with its end time, safe redirects."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone, translation

from conftest import PASSWORD, client_for
from tepat.audit.models import AuditEvent

LOGIN = reverse("accounts:login")
DASHBOARD = reverse("web:dashboard")


def test_login_page_is_public(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content and 'type="password"' in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert '<label for="id_username">' in content


def test_login_success_redirects_to_the_dashboard(client, village_operator):
    response = client.post(LOGIN, {"username": "op_desa", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=village_operator).exists()


def test_login_returns_to_next(client, village_operator):
    target = reverse("registry:family_list") + "?q=budi"
    response = client.post(LOGIN, {"username": "op_desa", "password": PASSWORD, "next": target})
    assert response["Location"] == target


def test_login_ignores_a_foreign_next(client, village_operator):
    response = client.post(LOGIN, {"username": "op_desa", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_anonymous_page_request_carries_next_through_login(client, village_operator):
    url = reverse("registry:family_list")
    response = client.get(url)
    assert response["Location"] == f"{LOGIN}?next={url}"
    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{url}"' in page


def test_wrong_password_is_a_clear_message(client, village_operator):
    response = client.post(LOGIN, {"username": "op_desa", "password": "salah-sekali"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="login-error"' in content
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_message(client, village_operator):
    wrong_password = client.post(LOGIN, {"username": "op_desa", "password": "salah-sekali"}).content.decode()
    unknown_user = client.post(LOGIN, {"username": "tidak_ada", "password": "salah-sekali"}).content.decode()

    def message(content: str) -> str:
        return content.split('id="login-error">', 1)[1].split("<", 1)[0]

    assert message(wrong_password) == message(unknown_user)


def test_empty_form_is_refused_with_422(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()


def test_lockout_message_says_until_when(client, village_operator):
    from tepat.accounts import throttle

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.TEPAT_LOGIN_MAX_FAILURES - 1):
        response = client.post(LOGIN, {"username": "op_desa", "password": "salah-sekali"})
        assert "until" not in response.content.decode()
    response = client.post(LOGIN, {"username": "op_desa", "password": "salah-sekali"})
    assert throttle.locked_usernames(["op_desa"]) == {"op_desa"}
    request = RequestFactory().post(LOGIN)
    throttle.prepare(request)
    with translation.override("en"):
        until = formats.date_format(timezone.localtime(throttle.locked_until(request, "op_desa")), "DATETIME_FORMAT")
    content = html.unescape(response.content.decode())
    assert response.status_code == 200  # our page, not axes' 403 page
    assert "locked until" in content and until in content

    # Even the right password is refused while locked, with the same end time.
    response = client.post(LOGIN, {"username": "op_desa", "password": PASSWORD})
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert until in content
    assert "_auth_user_id" not in client.session


def test_lockout_message_is_the_same_for_an_unknown_username(client, village_operator):
    def message(username: str) -> str:
        for _ in range(settings.TEPAT_LOGIN_MAX_FAILURES):
            content = client.post(LOGIN, {"username": username, "password": "salah-sekali"}).content.decode()
        text = content.split('id="login-error">', 1)[1].split("<", 1)[0]
        return text.rsplit(" ", 2)[0]  # without the time

    assert message("op_desa") == message("tidak_ada")


def test_logout_is_post_only(village_operator):
    client = client_for(village_operator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(DASHBOARD).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert client.get(DASHBOARD).status_code == 302


def test_logout_requires_csrf(village_operator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(village_operator)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(DASHBOARD).status_code == 200


def test_signed_in_user_visiting_login_goes_to_the_dashboard(village_operator):
    assert client_for(village_operator).get(LOGIN)["Location"] == DASHBOARD


@pytest.mark.parametrize("language,label", [("en", "Password")])
def test_login_labels_follow_the_language(client, db, language, label):
    default = client.get(LOGIN).content.decode()
    assert '<html lang="id">' in default
    client.post(reverse("set_language"), {"language": language, "next": LOGIN})
    switched = client.get(LOGIN).content.decode()
    assert f'<html lang="{language}">' in switched
    assert f'<label for="id_password">{label}</label>' in switched
    assert f'<label for="id_password">{label}</label>' not in default


def test_expired_session_during_an_htmx_search_loads_the_login_page_whole(client, db):
    url = reverse("registry:family_list") + "?q=budi"
    response = client.get(url, headers={"HX-Request": "true"}, follow=True)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(f"{LOGIN}?next=")
    assert response.content == b""
