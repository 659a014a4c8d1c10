"""Region master API: public data, so any signed-in user reads it; anonymous requests are refused."""

import pytest
from django.contrib.auth import get_user_model

from conftest import DISTRICT, KECAMATAN, VILLAGE, client_for

API = "/api/v1/regions"

# The master is public: there is no wrong role or wrong region, only signed in or not.
MATRIX = [
    pytest.param(None, 401, id="anonymous"),
    pytest.param("roleless", 200, id="no-role"),
    pytest.param("unassigned_operator", 200, id="no-region"),
    pytest.param("other_dinsos_operator", 200, id="other-region"),
    pytest.param("village_head", 200, id="village"),
]


@pytest.fixture
def roleless(db):
    return get_user_model().objects.create(username="tanpa_peran", role="")


def _client(request, actor):
    return client_for(request.getfixturevalue(actor) if actor else None)


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), MATRIX)
def test_region_children_matrix(request, actor, status):
    response = _client(request, actor).get(API, {"parent": KECAMATAN})
    assert response.status_code == status
    if status == 200:
        codes = [row["code"] for row in response.json()]
        assert VILLAGE in codes
        assert all(code.startswith(f"{KECAMATAN}.") for code in codes)


@pytest.mark.django_db
@pytest.mark.parametrize(("actor", "status"), MATRIX)
def test_region_detail_matrix(request, actor, status):
    response = _client(request, actor).get(f"{API}/{VILLAGE}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["code"] == VILLAGE


@pytest.mark.django_db
def test_without_parent_the_provinces(village_operator):
    response = client_for(village_operator).get(API)
    assert response.status_code == 200
    rows = response.json()
    assert {row["code"] for row in rows} == {"31", "36"}
    assert {row["level"] for row in rows} == {1}
    assert all(row["parent_code"] is None for row in rows)


@pytest.mark.django_db
def test_region_detail_has_its_path(village_operator):
    body = client_for(village_operator).get(f"{API}/{VILLAGE}").json()
    assert body["name"] == "Kramatwatu"
    assert body["level"] == 4
    assert body["kind"] == "desa"
    assert body["parent_code"] == KECAMATAN
    assert [step["code"] for step in body["path"]] == ["36", DISTRICT, KECAMATAN, VILLAGE]
    assert all(step["name"] for step in body["path"])


@pytest.mark.django_db
def test_unknown_region_is_not_found(village_operator):
    response = client_for(village_operator).get(f"{API}/99.99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_children_of_a_village_or_unknown_parent_are_empty(village_operator):
    client = client_for(village_operator)
    assert client.get(API, {"parent": VILLAGE}).json() == []
    assert client.get(API, {"parent": "99"}).json() == []
