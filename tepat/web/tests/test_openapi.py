"""The OpenAPI schema and the Swagger UI page, whose assets come from the installed django-ninja package."""

import re
from pathlib import Path

import ninja
import pytest
from django.contrib.staticfiles import finders

from conftest import client_for

EXPECTED_PATHS = {
    "/api/v1/me": {"get"},
    "/api/v1/regions": {"get"},
    "/api/v1/regions/{code}": {"get"},
    "/api/v1/registry/families": {"get", "post"},
    "/api/v1/registry/families/{family_id}": {"get", "patch"},
    "/api/v1/registry/families/{family_id}/remove": {"post"},
    "/api/v1/registry/families/{family_id}/members": {"post"},
    "/api/v1/registry/families/{family_id}/history": {"get"},
    "/api/v1/registry/members/{member_id}": {"patch"},
    "/api/v1/registry/members/{member_id}/presence": {"post"},
    "/api/v1/registry/dashboard": {"get"},
    "/api/v1/audit/events": {"get"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_schema_lists_every_path_and_method(schema):
    # Other apps' routers (updates, ...) add their own paths; these must all be present as they are.
    assert set(EXPECTED_PATHS) <= set(schema["paths"])
    for path, methods in EXPECTED_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    assert schema["info"]["title"] == "Tepat API"


# Signing in for a token needs no session or token (issue 14): the sign-in and the client-credentials grant.
NO_AUTH_OPERATIONS = {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/token")}


@pytest.mark.django_db
def test_every_operation_requires_a_bearer_token_or_the_session(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/public/") or (method, path) in NO_AUTH_OPERATIONS:
                # the public API (tepat.public) and the token sign-in: no login, by design
                assert not operation.get("security"), f"{method} {path}"
                continue
            assert operation.get("security") == [{"BearerAuth": []}, {"SessionAuth": []}], f"{method} {path}"


@pytest.mark.django_db
def test_the_schema_documents_bearer_tokens(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerAuth"]["type"] == "http" and schemes["BearerAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"]["type"] == "apiKey"


@pytest.mark.django_db
def test_identity_numbers_are_strings_in_the_schema(schema):
    components = schema["components"]["schemas"]

    def string_typed(prop):
        types = {prop.get("type")} | {option.get("type") for option in prop.get("anyOf", [])}
        return "string" in types and not types & {"integer", "number"}

    for model, field in [
        ("MemberIn", "nik"), ("MemberPatchIn", "nik"), ("MemberOut", "nik"),
        ("FamilyCreateIn", "kk_number"), ("FamilyPatchIn", "kk_number"), ("FamilyOut", "kk_number"),
        ("FamilyListItem", "kk_number"), ("KKHistoryOut", "kk_number"), ("FamilyCreateIn", "rt"),
    ]:
        assert string_typed(components[model]["properties"][field]), f"{model}.{field}"


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_docs_page_renders_with_local_swagger_assets(request, signed_in):
    user = request.getfixturevalue("village_operator") if signed_in else None
    response = client_for(user).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/api/v1/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png|svg|ico))"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    # Nothing is loaded from a CDN: every script and stylesheet is served from our own static files.
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert not re.search(r"cdn\.|jsdelivr|unpkg|cdnjs", html)
    package_static = Path(ninja.__file__).parent / "static"
    for asset in assets:
        found = finders.find(asset.removeprefix("/static/"))
        assert found, asset
        assert Path(found).is_relative_to(package_static), found
