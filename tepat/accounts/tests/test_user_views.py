"""User management pages: an authorization matrix per page (anonymous, wrong role, wrong region, right),
and the flows (create with a password shown once, edit, deactivate, reset, unlock, bulk upload)."""

from __future__ import annotations

import html

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from conftest import OTHER_DISTRICT_VILLAGE, VILLAGE, client_for
from tepat.accounts.models import User
from tepat.audit.models import AuditEvent

USER_PAGES = ["user_detail", "user_edit", "user_password"]
USER_ACTIONS = ["user_deactivate", "user_reactivate", "user_unlock"]


@pytest.fixture
def city_admin(make_user):
    return make_user("administrator", ["36.73"], "admin_kota")


def _state() -> tuple:
    return (list(User.objects.order_by("pk").values_list("pk", "username", "password", "role", "is_active",
                                                         "first_name")),
            AccessAttempt.objects.count(), AuditEvent.objects.count())


def _url(name: str, user=None, **kwargs) -> str:
    return reverse(f"accounts:{name}", args=[user.pk] if user is not None else (), kwargs=kwargs or None)


@pytest.mark.parametrize("name,kwargs", [("user_list", {}), ("user_create", {}), ("user_bulk", {}),
                                         ("user_bulk_template", {"fmt": "csv"}),
                                         ("user_bulk_template", {"fmt": "xlsx"})])
def test_matrix_of_the_pages_without_a_user(client, administrator, dinsos_supervisor, name, kwargs):
    url = _url(name, **kwargs)
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))  # anonymous
    assert client_for(dinsos_supervisor).get(url).status_code == 403  # wrong role
    assert client_for(administrator).get(url).status_code == 200  # right


def test_the_list_shows_only_users_in_scope(administrator, city_admin, village_operator, make_user):
    make_user("village_operator", [OTHER_DISTRICT_VILLAGE], "op_kota")
    page = client_for(administrator).get(_url("user_list")).content.decode()
    assert 'data-username="op_desa"' in page and 'data-username="op_kota"' not in page
    page = client_for(city_admin).get(_url("user_list")).content.decode()  # wrong region
    assert 'data-username="op_kota"' in page and 'data-username="op_desa"' not in page


def test_the_list_filters_and_answers_htmx_with_the_partial(administrator, village_operator, facilitator):
    client = client_for(administrator)
    response = client.get(_url("user_list") + "?role=facilitator", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content and 'data-username="psm"' in content and 'data-username="op_desa"' not in content


@pytest.mark.parametrize("name", USER_PAGES)
def test_matrix_of_the_user_pages(client, administrator, city_admin, dinsos_supervisor, village_operator, name):
    url = _url(name, village_operator)
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    assert client_for(dinsos_supervisor).get(url).status_code == 403
    assert client_for(city_admin).get(url).status_code == 404  # wrong region looks like absent
    assert client_for(administrator).get(url).status_code == 200
    assert client_for(administrator).get(reverse(f"accounts:{name}", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", USER_ACTIONS)
def test_matrix_of_the_user_actions_changes_nothing_when_refused(
        client, administrator, city_admin, dinsos_supervisor, village_operator, name):
    url = _url(name, village_operator)
    state = _state()
    assert client.post(url)["Location"].startswith(reverse("accounts:login"))
    assert client_for(dinsos_supervisor).post(url).status_code == 403
    assert client_for(city_admin).post(url).status_code == 404
    assert client_for(administrator).get(url).status_code == 405
    assert _state() == state
    assert client_for(administrator).post(url).status_code == 302  # right


def test_create_shows_the_generated_password_once(administrator):
    client = client_for(administrator)
    response = client.post(_url("user_create"), {"username": "op_baru", "full_name": "Siti Aminah", "email": "",
                                                 "role": "village_operator", "regions": VILLAGE, "password": ""})
    assert response.status_code == 200
    content = response.content.decode()
    password = content.split('id="new-password">', 1)[1].split("<", 1)[0]
    user = User.objects.get(username="op_baru")
    assert user.check_password(html.unescape(password))
    assert response["Cache-Control"].startswith("max-age=0")
    event = AuditEvent.objects.filter(action="user.create").order_by("-seq").first()
    assert (event.actor_id, event.target_id) == (administrator.pk, str(user.pk))
    assert password not in client.get(_url("user_detail", user)).content.decode()


def test_create_refusal_is_422_with_field_messages_and_changes_nothing(administrator):
    state = _state()
    response = client_for(administrator).post(_url("user_create"), {
        "username": "op_baru", "full_name": "X", "role": "village_operator", "regions": OTHER_DISTRICT_VILLAGE})
    assert response.status_code == 422
    assert "Wilayah di luar wilayah Anda" in response.content.decode()
    assert _state() == state


def test_edit_saves_and_records(administrator, village_operator):
    response = client_for(administrator).post(_url("user_edit", village_operator), {
        "full_name": "Nama Baru Sekali", "email": "", "role": "facilitator", "regions": VILLAGE})
    assert response.status_code == 302
    village_operator.refresh_from_db()
    assert (village_operator.role, village_operator.first_name) == ("facilitator", "Nama")
    assert AuditEvent.objects.filter(action="user.update", target_id=str(village_operator.pk)).exists()


def test_deactivate_reset_and_unlock_from_the_detail_page(administrator, village_operator):
    client = client_for(administrator)
    AccessAttempt.objects.create(username="op_desa", ip_address="10.0.0.1", user_agent="", get_data="",
                                 post_data="", http_accept="", path_info="", failures_since_start=5,
                                 attempt_time=timezone.now())
    page = client.get(_url("user_detail", village_operator)).content.decode()
    assert 'data-action="unlock"' in page
    client.post(_url("user_unlock", village_operator))
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(action="user.unlock", actor=administrator).exists()

    client.post(_url("user_deactivate", village_operator))
    village_operator.refresh_from_db()
    assert not village_operator.is_active

    response = client.post(_url("user_password", village_operator), {"password": ""})
    password = html.unescape(response.content.decode().split('id="new-password">', 1)[1].split("<", 1)[0])
    village_operator.refresh_from_db()
    assert village_operator.check_password(password)


def test_bulk_upload_reports_rows_and_offers_the_result_once(administrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (f"username,full_name,role,regions\nop_a,Dewi Lestari,village_operator,{VILLAGE}\n"
               f"op_b,Ayu,raja,{VILLAGE}\n").encode()
    response = client_for(administrator).post(_url("user_bulk"), {
        "file": SimpleUploadedFile("pengguna.csv", content, content_type="text/csv")})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="bulk-created">1<' in page and 'id="bulk-rejected">1<' in page
    assert 'href="data:text/csv;charset=utf-8;base64,' in page
    assert "Peran tidak dikenal: raja" in page
    assert User.objects.filter(username="op_a").exists() and not User.objects.filter(username="op_b").exists()


def test_bulk_upload_over_the_limit_is_refused_before_reading(administrator, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.TEPAT_USER_BULK_MAX_BYTES = 1024
    state = _state()
    response = client_for(administrator).post(_url("user_bulk"), {
        "file": SimpleUploadedFile("besar.csv", b"x" * 200_000, content_type="text/csv")})
    assert response.status_code == 413
    assert _state() == state


def test_the_menu_has_users_for_administrators_only(administrator, dinsos_supervisor):
    link = f'href="{_url("user_list")}"'
    assert link in client_for(administrator).get(reverse("web:dashboard")).content.decode()
    assert link not in client_for(dinsos_supervisor).get(reverse("web:dashboard")).content.decode()
