import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.core.middleware import ApplicationErrorMiddleware, RequestIdMiddleware
from tepat.core.request_context import get_request_id


def _run(headers: dict) -> tuple[HttpResponse, dict]:
    seen = {}

    def view(request):
        seen["context"] = get_request_id()
        seen["request"] = request.request_id
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/", headers=headers))
    return response, seen


def test_a_sane_incoming_request_id_is_kept():
    response, seen = _run({"X-Request-ID": "proxy-id-1234"})

    assert seen == {"context": "proxy-id-1234", "request": "proxy-id-1234"}
    assert response["X-Request-ID"] == "proxy-id-1234"
    assert get_request_id() is None  # reset after the request


@pytest.mark.parametrize("incoming", ["", "short", "has spaces in it", "x" * 65, "inject\nheader-1234",
                                      "trailing-newline\n", "<script>alert(1)</script>", "\u0661" * 10,
                                      "ünïcödé-1234", "a;b=c,d1234", "id\x00with-nul"])
def test_an_unusable_incoming_request_id_is_replaced(incoming):
    response, seen = _run({"X-Request-ID": incoming} if incoming else {})

    assert seen["context"] == seen["request"] == response["X-Request-ID"]
    assert seen["context"] != incoming
    assert len(seen["context"]) == 32
    assert get_request_id() is None


def test_application_errors_become_404_and_403_on_pages():
    middleware = ApplicationErrorMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/")

    with pytest.raises(Http404):
        middleware.process_exception(request, ObjectNotFound())
    with pytest.raises(PermissionDenied):
        middleware.process_exception(request, PermissionDeniedError())
    assert middleware.process_exception(request, ValidationFailed([])) is None
    assert middleware.process_exception(request, ValueError()) is None

