"""Every route has an authorization matrix: this test walks the URLconf (pages) and the OpenAPI schema
(JSON API) and fails when a route has no registered matrix case (anonymous, wrong role, wrong region,
right one: STYLE.md rule 10).

How to register the matrix of a new route (pick one):

1. In the test module that holds its matrix, add a module-level set (collected automatically from every
   `tepat/**/tests/**/*.py` that defines it):

       MATRIX_ROUTES = {"page users:user_list", "GET /api/v1/quality/list-jobs/{job_id}"}

   Keys: pages are "page <namespace>:<url name>"; API operations are "<METHOD> <OpenAPI path>", exactly as
   this test prints them when it fails.
2. Or add a line to `CASES` below: key -> the test module (path from the repository root) holding it.

The module named must exist and mention the route (its url name, or the literal part of its path), so a
registration cannot point at nothing. A registered route that no longer exists fails too (stale), and so
does an entry of KNOWN_GAPS that has since got a case or disappeared: that list only shrinks.
What this does not prove: that the named module's matrix covers all four actors (review does).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api

ROOT = Path(settings.BASE_DIR)

CASES: dict[str, str] = {
    'GET /api/v1/updates/documents/{document_id}': 'tepat/updates/tests/api/test_api_gaps.py',
    'GET /api/v1/updates/periods/{period_id}': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/proposals/{proposal_id}/facilitators': 'tepat/updates/tests/api/test_api_gaps.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/cancel': 'tepat/updates/tests/api/test_api_gaps.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/decisions': 'tepat/updates/tests/api/test_api_gaps.py',
    'POST /api/v1/updates/proposals/bulk/approve': 'tepat/updates/tests/api/test_api_gaps.py',
    'POST /api/v1/updates/proposals/bulk/assign': 'tepat/updates/tests/api/test_api_gaps.py',
    'POST /api/v1/updates/proposals/{proposal_id}/pull-back': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/visit': 'tepat/updates/tests/api/test_api_gaps.py',
    'page registry:import_template': 'tepat/registry/tests/test_import_template.py',
    'page updates:decisions_bulk': 'tepat/updates/tests/services/test_bulk.py',
    'page updates:period_detail': 'tepat/updates/tests/views/test_pages.py',
    'page updates:period_progress': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_bulk_approve': 'tepat/updates/tests/services/test_bulk.py',
    'page updates:proposal_bulk_assign': 'tepat/updates/tests/services/test_bulk.py',
    'page accounts:user_bulk': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_bulk_template': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_create': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_deactivate': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_detail': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_edit': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_list': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_password': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_reactivate': 'tepat/accounts/tests/test_user_views.py',
    'page accounts:user_unlock': 'tepat/accounts/tests/test_user_views.py',
    'page set_language': 'tepat/web/tests/test_views.py',
    'page accounts:login': 'tepat/web/tests/test_views.py',
    'page accounts:logout': 'tepat/web/tests/test_views.py',
    'page registry:family_list': 'tepat/web/tests/test_views.py',
    'page registry:family_create': 'tepat/web/tests/test_views.py',
    'page registry:family_detail': 'tepat/web/tests/test_views.py',
    'page registry:family_update': 'tepat/web/tests/test_views.py',
    'page registry:family_remove': 'tepat/web/tests/test_views.py',
    'page registry:individual_add': 'tepat/web/tests/test_views.py',
    'page registry:individual_update': 'tepat/trail/tests/test_views.py',
    'page registry:individual_presence': 'tepat/registry/tests/test_views.py',
    'page registry:import_start': 'tepat/registry/tests/test_transfer_views.py',
    'page registry:import_job': 'tepat/registry/tests/test_transfer_views.py',
    'page registry:import_progress': 'tepat/registry/tests/test_transfer_views.py',
    'page registry:import_report': 'tepat/web/tests/test_views.py',
    'page registry:export': 'tepat/registry/tests/test_transfer_views.py',
    'page audit:event_list': 'tepat/web/tests/test_views.py',
    'page audit:event_detail': 'tepat/trail/tests/test_api.py',
    'page updates:queue': 'tepat/updates/tests/api/test_api_matrix.py',
    'page updates:proposal_list': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_new': 'tepat/updates/tests/views/test_pages.py',
    'page updates:family_proposal': 'tepat/updates/tests/views/test_pages.py',
    'page updates:objection_new': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_detail': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_submit': 'tepat/updates/tests/api/test_flag_confirm.py',
    'page updates:proposal_withdraw': 'tepat/updates/tests/api/test_flag_confirm.py',
    'page updates:proposal_assign': 'tepat/updates/tests/api/test_flag_confirm.py',
    'page updates:proposal_verify': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_approve': 'tepat/updates/tests/views/test_pages.py',
    'page updates:proposal_reject': 'tepat/updates/tests/api/test_flag_confirm.py',
    'page updates:document_add': 'tepat/updates/tests/api/test_flag_confirm.py',
    'page updates:deliberation_list': 'tepat/updates/tests/views/test_pages.py',
    'page updates:deliberation_detail': 'tepat/updates/tests/views/test_pages.py',
    'page updates:attendee_add': 'tepat/updates/tests/views/test_pages.py',
    'page updates:agenda_add': 'tepat/updates/tests/views/test_pages.py',
    'page updates:item_decide': 'tepat/updates/tests/views/test_pages.py',
    'page updates:deliberation_finalise': 'tepat/updates/tests/views/test_pages.py',
    'page updates:deliberation_sign': 'tepat/updates/tests/views/test_pages.py',
    'page updates:deliberation_cancel': 'tepat/updates/tests/browser/test_new_family_flow.py',
    'page updates:minutes_pdf': 'tepat/updates/tests/views/test_pages.py',
    'page updates:batch_list': 'tepat/updates/tests/views/test_pages.py',
    'page updates:batch_detail': 'tepat/updates/tests/views/test_pages.py',
    'page updates:batch_file': 'tepat/updates/tests/api/test_api_matrix.py',
    'page updates:batch_response': 'tepat/updates/tests/api/test_api_matrix.py',
    'page updates:period_list': 'tepat/updates/tests/views/test_pages.py',
    'page updates:period_determine': 'tepat/updates/tests/browser/test_new_family_flow.py',
    'page updates:period_diff': 'tepat/updates/tests/views/test_pages.py',
    'page updates:freeze_list': 'tepat/updates/tests/views/test_pages.py',
    'page updates:flag_confirm': 'tepat/quality/tests/test_views.py',
    'page quality:queue': 'tepat/updates/tests/api/test_api_matrix.py',
    'page quality:flag_detail': 'tepat/quality/tests/test_views.py',
    'page quality:flag_dismiss': 'tepat/quality/tests/test_views.py',
    'page quality:runs': 'tepat/quality/tests/test_views.py',
    'page quality:run_detail': 'tepat/quality/tests/test_views.py',
    'page quality:list_upload': 'tepat/quality/tests/test_views.py',
    'page web:dashboard': 'tepat/web/tests/test_views.py',
    'GET /api/v1/regions': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/regions/{code}': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/registry/families': 'tepat/web/tests/test_openapi.py',
    'POST /api/v1/registry/families': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/registry/families/{family_id}': 'tepat/web/tests/test_openapi.py',
    'PATCH /api/v1/registry/families/{family_id}': 'tepat/web/tests/test_openapi.py',
    'POST /api/v1/registry/families/{family_id}/remove': 'tepat/web/tests/test_openapi.py',
    'POST /api/v1/registry/families/{family_id}/members': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/registry/families/{family_id}/history': 'tepat/web/tests/test_openapi.py',
    'PATCH /api/v1/registry/members/{member_id}': 'tepat/trail/tests/test_api.py',
    'POST /api/v1/registry/members/{member_id}/presence': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/registry/dashboard': 'tepat/web/tests/test_openapi.py',
    'GET /api/v1/audit/events': 'tepat/trail/tests/test_api.py',
    'GET /api/v1/updates/proposals': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/proposals/{proposal_id}': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/submit': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/withdraw': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/assign': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/verification': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/approve': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/reject': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/proposals/{proposal_id}/documents': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/queue': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/counts': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/objections': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/deliberations': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberations': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/deliberations/{deliberation_id}': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/attendees': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/agenda': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberation-items/{item_id}/decision': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/finalise': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/deliberations/{deliberation_id}/minutes.pdf': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/deliberations/{deliberation_id}/sign': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/batches': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/batches': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/batches/{batch_id}': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/batches/{batch_id}/file': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/batches/{batch_id}/response': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/periods': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/periods': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/periods/{period_id}/determine': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/periods/{period_id}/resume': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/periods/diff': 'tepat/updates/tests/api/test_api_matrix.py',
    'GET /api/v1/updates/freezes': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/freezes': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/freezes/{freeze_id}/lift': 'tepat/updates/tests/api/test_api_matrix.py',
    'POST /api/v1/updates/flags/{flag_id}/confirm': 'tepat/updates/tests/api/test_flag_confirm.py',
    'GET /api/v1/quality/flags': 'tepat/quality/tests/test_api.py',
    'GET /api/v1/quality/flags/{flag_id}': 'tepat/quality/tests/test_api.py',
    'POST /api/v1/quality/flags/{flag_id}/dismiss': 'tepat/quality/tests/test_api.py',
    'POST /api/v1/quality/runs': 'tepat/quality/tests/test_api.py',
    'GET /api/v1/quality/runs/{run_id}': 'tepat/quality/tests/test_api.py',
    'POST /api/v1/quality/lists': 'tepat/quality/tests/test_api.py',
    'GET /api/v1/me': 'tepat/trail/tests/test_api.py',
}

# Routes without a matrix today (reported in docs/SECURITY.md); remove an entry when its matrix lands.
KNOWN_GAPS: set[str] = set()


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}"


def page_routes() -> dict[str, str]:
    """"page ns:name" -> path, for every URLconf route outside the JSON API (the schema lists those)."""
    return {f"page {name}": path for path, name in _walk(get_resolver().url_patterns)
            if not path.startswith("api/v1/")}


def api_routes() -> dict[str, str]:
    return {f"{method.upper()} {path}": path for path, operations in api.get_openapi_schema()["paths"].items()
            for method in operations}


def _collected() -> dict[str, str]:
    found: dict[str, str] = {}
    for module_path in sorted(ROOT.glob("tepat/**/tests/**/*.py")):
        if module_path.name == Path(__file__).name or "MATRIX_ROUTES" not in module_path.read_text(encoding="utf-8"):
            continue
        dotted = ".".join(module_path.relative_to(ROOT).with_suffix("").parts)
        for key in getattr(importlib.import_module(dotted), "MATRIX_ROUTES", ()):
            found[key] = str(module_path.relative_to(ROOT))
    return found


def _registered() -> dict[str, str]:
    return {**CASES, **_collected()}


def _mentions(module: str, key: str, path: str) -> bool:
    text = (ROOT / module).read_text(encoding="utf-8")
    if key.startswith("page "):
        name = key.removeprefix("page ")
        short = name.split(":")[-1]
        literal = "/" + re.split(r"[<^]", path, maxsplit=1)[0]
        needles = [f'"{name}"', f'"{short}"', f"'{short}'", name]
        return any(needle in text for needle in needles) or (literal != "/" and literal in text)
    parts = path.removeprefix("/api/v1").split("/", 2)
    rest = "/" + parts[2] if len(parts) > 2 else "/".join(parts)
    return all(part in text for part in re.split(r"\{[^}]+\}", rest) if part.strip("/"))


def test_every_route_has_an_authorization_matrix_case():
    routes = {**page_routes(), **api_routes()}

    missing = sorted(set(routes) - set(_registered()) - KNOWN_GAPS)

    assert not missing, (
        "Routes without an authorization matrix case (anonymous, wrong role, wrong region, right one); "
        f"register them as this module's docstring says: {missing}"
    )


def test_each_registration_points_at_a_test_that_names_the_route():
    routes = {**page_routes(), **api_routes()}
    wrong = [f"{key} -> {module}" for key, module in _registered().items()
             if key in routes and (not (ROOT / module).exists() or not _mentions(module, key, routes[key]))]

    assert not wrong, f"Registered matrix modules that do not exist or never mention their route: {wrong}"


def test_no_stale_registrations_or_gaps():
    routes = {**page_routes(), **api_routes()}
    registered = _registered()

    assert not sorted(set(registered) - set(routes)), "registered routes that no longer exist: remove them"
    assert not sorted(KNOWN_GAPS - set(routes)), "known gaps for routes that no longer exist: remove them"
    assert not sorted(KNOWN_GAPS & set(registered)), "known gaps that now have a case: remove them"


def test_the_walk_sees_both_pages_and_api_operations():
    assert "page registry:family_list" in page_routes()
    assert "GET /api/v1/audit/events" in api_routes()
    assert len(api_routes()) > 20 and len(page_routes()) > 20
