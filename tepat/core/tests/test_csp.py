"""Content-Security-Policy (django-csp, config/django/base.py): every page is served with it, and no
template holds what it would block (inline script or style without the request's nonce, style=""
attributes, on*= handlers, javascript: links, htmx's hx-on). A template added with any of these fails
here, before a browser test would find a dead button."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "tepat").glob("**/templates/**/*.html"))
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=\"\{\{ request\.csp_nonce \}\}\")[^>]*>", re.I)
_INLINE_STYLE = re.compile(r"<style\b(?![^>]*\bnonce=\"\{\{ request\.csp_nonce \}\}\")[^>]*>", re.I)
_FORBIDDEN = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "hx-on attribute": re.compile(r"\shx-on", re.I),
    "inline script without nonce": _INLINE_SCRIPT,
    "inline style without nonce": _INLINE_STYLE,
}


def test_templates_were_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_holds_what_the_policy_blocks(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{name}: {match.group(0).strip()!r}" for name, rule in _FORBIDDEN.items()
             for match in rule.finditer(text)]
    assert not found, f"{template.name}: {found}"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_policy_without_unsafe_inline_or_eval(client, db):
    response = client.get("/akun/masuk/")

    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'self'" in policy[directive]
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(policy[directive]), directive


def test_an_inline_block_gets_the_nonce_of_its_response(db, dinsos_operator):
    from conftest import client_for

    response = client_for(dinsos_operator).get("/pemutakhiran/")

    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in _policy(response)["style-src"]
    assert nonce != re.search(r'<style nonce="([^"]+)">', client_for(dinsos_operator).get("/pemutakhiran/")
                              .content.decode()).group(1)  # a fresh one per response


def test_the_api_docs_use_local_files_under_the_same_policy(client, db):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # swagger-ui from static files, not a CDN. Only the page's references are checked: the whole page
    # also holds a random CSRF token (data-csrf-token), which spells "cdn" about once in 700 responses
    # (the cause of this test's old, seemingly order-dependent failures).
    text = response.content.decode()
    references = re.findall(r'\b(?:src|href)="([^"]*)"', text)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references), references
    assert all(ref.startswith(settings.STATIC_URL) for ref in references), references
    assert "cdn" not in " ".join(references).lower()
