"""The dashboard and the base layout: matrix, counts for the actor's regions, navigation, language."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import VILLAGE, client_for

DASHBOARD = reverse("web:dashboard")
LOGIN = reverse("accounts:login")


@pytest.fixture
def roleless(make_user):
    user = make_user("village_operator", [VILLAGE], "tanpa_peran")
    type(user).objects.filter(pk=user.pk).update(role="")
    user.refresh_from_db()
    return user


def in_english(client):
    """Interface strings are asserted in English, whatever the Indonesian catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def count(content: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">([\d.,]+)<', content)
    assert match, name
    return int(re.sub(r"\D", "", match.group(1)))


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"


def test_role_without_registry_view_is_refused(roleless):
    assert client_for(roleless).get(DASHBOARD).status_code == 403


def test_counts_are_for_the_actors_regions(village_operator, other_village_operator, family, other_village_family):
    content = client_for(village_operator).get(DASHBOARD).content.decode()
    assert count(content, "families-active") == 1
    assert count(content, "individuals-active") == 3
    other = client_for(other_village_operator).get(DASHBOARD).content.decode()
    assert count(other, "families-active") == 1
    assert count(other, "individuals-active") == 1


def test_district_sees_all_its_villages(dinsos_operator, other_dinsos_operator, family, other_village_family):
    content = client_for(dinsos_operator).get(DASHBOARD).content.decode()
    assert count(content, "families-active") == 2
    assert count(client_for(other_dinsos_operator).get(DASHBOARD).content.decode(), "families-active") == 0


def test_no_assignment_sees_nothing(unassigned_operator, family):
    response = in_english(client_for(unassigned_operator)).get(DASHBOARD)
    assert response.status_code == 200
    content = response.content.decode()
    assert count(content, "families-active") == 0
    assert "No region is assigned" in content


def test_regions_are_listed_with_names(village_operator, dinsos_operator):
    content = client_for(village_operator).get(DASHBOARD).content.decode()
    assert "Kramatwatu" in content and VILLAGE in content
    assert "Serang" in content  # the regency in the region's path
    assert "36.04" in client_for(dinsos_operator).get(DASHBOARD).content.decode()


def test_layout_has_user_role_logout_and_language_switch(village_operator):
    content = in_english(client_for(village_operator)).get(DASHBOARD).content.decode()
    assert "Uji village_operator" in content
    assert "Village operator" in content
    assert f'action="{reverse("accounts:logout")}" method="post"' in content
    assert f'action="{reverse("set_language")}" method="post"' in content
    assert 'name="language" value="en"' in content and 'name="language" value="id"' in content
    assert "/static/django_htmx/htmx-2.min.js" in content
    assert re.search(r"hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'", content)
    assert "/static/tepat/tepat.css" in content
    assert "http://" not in content and "https://" not in content  # nothing from a CDN
    assert 'name="viewport"' in content


def test_static_files_exist():
    from django.contrib.staticfiles import finders

    assert finders.find("django_htmx/htmx-2.min.js")
    assert finders.find("tepat/tepat.css")


@pytest.mark.parametrize(("actor", "shown"), [
    ("village_operator", False), ("village_head", False), ("auditor", True), ("administrator", True),
])
def test_audit_link_only_for_audit_roles(request, db, actor, shown):
    content = client_for(request.getfixturevalue(actor)).get(DASHBOARD).content.decode()
    assert (reverse("audit:event_list") in content) is shown
    assert reverse("registry:family_list") in content


def test_new_family_button_matches_the_role(village_operator, village_head, dinsos_operator):
    create = reverse("registry:family_create")
    propose = reverse("updates:proposal_new", args=["new_family"])
    village = client_for(village_operator).get(DASHBOARD).content.decode()
    assert propose in village and f'href="{create}"' not in village  # village roles propose
    assert f'href="{create}"' in client_for(dinsos_operator).get(DASHBOARD).content.decode()
    head = client_for(village_head).get(DASHBOARD).content.decode()
    assert create not in head and propose not in head


def test_language_switch_to_english_changes_labels(village_operator):
    client = client_for(village_operator)
    before = client.get(DASHBOARD).content.decode()
    assert '<html lang="id">' in before
    response = client.post(reverse("set_language"), {"language": "en", "next": DASHBOARD})
    assert response["Location"] == DASHBOARD
    after = client.get(DASHBOARD).content.decode()
    assert '<html lang="en">' in after
    assert 'value="en" lang="en" title="English" aria-pressed="true"' in after
    assert "Village operator" in after


def test_not_found_and_forbidden_pages_use_the_layout(village_operator, roleless):
    missing = in_english(client_for(village_operator)).get("/registri/keluarga/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    assert "outside your regions" in missing.content.decode()
    forbidden = client_for(roleless).get(DASHBOARD)
    assert forbidden.status_code == 403
    assert "/static/tepat/tepat.css" in forbidden.content.decode()
