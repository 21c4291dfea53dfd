"""Site-wide middleware of our own."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict

# How often, at most, an active session's expiry is pushed forward. Saving the session on every
# request would cost a database write per page view.
TOUCH_INTERVAL_SECONDS = 60

# The one character PostgreSQL's text cannot hold. (The URL brings no other: Django decodes a
# broken UTF-8 sequence to U+FFFD in the query string and keeps it percent-encoded in the path.)
NUL = "\x00"
REPLACEMENT = "\ufffd"


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


class NulCharactersMiddleware:
    """Nothing in the URL or the cookies that PostgreSQL cannot store reaches a query.

    PostgreSQL's text cannot hold a NUL character: a NUL in the job-title search, the admin's
    autocomplete ``term``, a list filter or an id made the query fail and the page answer 500.
    Cleaning here, once, covers every view, ours, allauth's and the admin's:

    - the query string's keys and values lose their NUL characters: ``request.GET`` is rebuilt
      (immutable, as Django makes it) and ``QUERY_STRING`` with it, so that the links and
      redirects built from ``get_full_path()`` say what the views read;
    - a cookie with a NUL is dropped, as if not sent: none of ours holds one, and the session
      cookie is looked up in the database (a quoted cookie value may spell a NUL ``\\000``);
    - a NUL in a part of the path that a view receives (a token, an id) reaches it as U+FFFD,
      the character a decoder puts for what it cannot read: each view answers as for any other
      unknown value (the forged invitation link, the admin's "n'existe pas"), and the database
      can hold it. A NUL in an unnamed part of a pattern answers the 404 page.

    The body is left alone: reading ``request.POST`` here would parse it before the views that
    choose their own upload handlers (files read in memory), and the forms' ``CharField`` already
    refuse a NUL (Django's ``ProhibitNullCharactersValidator``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()):
            encoding = request.GET.encoding
            pairs = [
                (key.replace(NUL, ""), value.replace(NUL, ""))
                for key, values in request.GET.lists()
                for value in values
            ]
            query_string = urlencode(pairs, encoding=encoding)
            request.META["QUERY_STRING"] = query_string
            request.GET = QueryDict(query_string, encoding=encoding)
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            request.COOKIES = {
                name: value for name, value in request.COOKIES.items() if NUL not in name and NUL not in value
            }
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if any(isinstance(value, str) and NUL in value for value in view_args):
            raise Http404
        # The handler calls the view with this very dict, after every middleware's process_view.
        for name, value in view_kwargs.items():
            if isinstance(value, str) and NUL in value:
                view_kwargs[name] = value.replace(NUL, REPLACEMENT)


class SignedInGateMiddleware:
    """A gate for signed-in people: a subclass says whom it stops (``stops``) and where it sends
    them (``redirect``), and which pages stay open (``open_prefixes``: URLs reversed once, at
    the first request, when the URL configuration is loaded)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_prefixes(self) -> tuple[str, ...]:
        raise NotImplementedError

    def stops(self, request: HttpRequest, user) -> bool:
        raise NotImplementedError

    def redirect(self, request: HttpRequest, user) -> HttpResponse | None:
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._open is None:
            self._open = self.open_prefixes()
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self._open)
            and self.stops(request, user)
        ):
            response = self.redirect(request, user)
            if response is not None:
                return response
        return self.get_response(request)
