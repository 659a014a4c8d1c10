"""/api/v1/me: the signed-in user's role, capabilities and regions."""

import pytest

from conftest import DISTRICT, VILLAGE, client_for
from tepat.accounts.models import User

API = "/api/v1/me"


@pytest.fixture
def roleless(db):
    return User.objects.create(username="tanpa_peran", role="")


# Everyone may ask who they are: only anonymous is refused.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "status"),
    [
        pytest.param(None, 401, id="anonymous"),
        pytest.param("roleless", 200, id="no-role"),
        pytest.param("unassigned_operator", 200, id="no-region"),
        pytest.param("village_operator", 200, id="assigned"),
    ],
)
def test_me_matrix(request, actor, status):
    client = client_for(request.getfixturevalue(actor) if actor else None)
    response = client.get(API)
    assert response.status_code == status
    if status == 401:
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
def test_me_lists_role_capabilities_and_regions(village_operator):
    body = client_for(village_operator).get(API).json()
    assert body["username"] == "op_desa"
    assert body["full_name"] == "Uji village_operator"
    assert body["role"] == "village_operator"
    assert body["role_label"]
    assert body["capabilities"] == sorted(
        ["registry.view", "personal_data.full", "sensitive_data.view", "quality.view",
         "quality.review", "updates.view", "updates.propose", "updates.assign", "updates.deliberate", "programs.view",
         "targeting.view", "grievances.view", "grievances.intake", "grievances.handle", "grievances.decide",
         "relief.view", "relief.intake",
         "distribution.view", "distribution.receipt", "distribution.complete",
         "invitations.print", "invitations.scan"]
    )
    assert body["regions"] == [{"code": VILLAGE, "name": "Kramatwatu"}]


@pytest.mark.django_db
def test_me_for_district_and_unassigned(dinsos_supervisor, unassigned_operator, roleless):
    district = client_for(dinsos_supervisor).get(API).json()
    assert [region["code"] for region in district["regions"]] == [DISTRICT]
    assert {"registry.export", "registry.correct", "registry.import"} <= set(district["capabilities"])
    assert client_for(unassigned_operator).get(API).json()["regions"] == []
    nobody = client_for(roleless).get(API).json()
    assert nobody["capabilities"] == [] and nobody["regions"] == []
