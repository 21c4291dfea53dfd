"""Site-wide middleware of our own."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# How often, at most, an active session's expiry is pushed forward. Saving the session on every
# request would cost a database write per page view.
TOUCH_INTERVAL_SECONDS = 60


class IdleSessionMiddleware:
    """A logged-in session ends after ``SESSION_COOKIE_AGE`` seconds of inactivity.

    Django fixes a session's expiry when the session is saved; this pushes it forward while the
    person is active (at most once a minute), so only idleness ends it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and "_auth_user_id" in session:
            now = int(time.time())
            last = session.get("_touched", 0)
            if not isinstance(last, int) or now - last >= TOUCH_INTERVAL_SECONDS:
                session["_touched"] = now
                session.set_expiry(settings.SESSION_COOKIE_AGE)
        return response
