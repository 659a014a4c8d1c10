import time

from django.conf import settings
from django.contrib.auth import logout

SESSION_STARTED_KEY = "tepat_session_started"


class AbsoluteSessionExpiryMiddleware:
    """Idle expiry comes from SESSION_COOKIE_AGE; this ends any session older than the absolute limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = int(time.time())
            elif time.time() - started > settings.TEPAT_SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)
