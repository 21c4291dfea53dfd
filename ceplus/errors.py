"""Plain French error pages that never depend on the database or the session."""

import logging

from django.contrib.auth.models import AnonymousUser
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

# The signup wizard's state in the session (``accounts.signup.state.SESSION_KEY``), named here
# because the kernel imports no app; a test keeps the two equal.
SIGNUP_WIZARD_SESSION_KEY = "signup_wizard"
SIGNUP_WIZARD_STEPS = frozenset(
    {"signup_account", "signup_address", "signup_beneficiaries", "signup_validation"}
)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from the database or a context processor.
    return HttpResponseServerError(loader.render_to_string("500.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent from a page that expired meanwhile.

    A person meets it with CONNEXION open in two tabs (logging in from one renews the form's
    token, the other's is then stale), or with a page sent after the cookies were cleared or the
    session ended. Django's own page speaks of CSRF; this one says the page expired, that nothing
    was saved, and the way on: the form again, the person's area when they are logged in, or the
    invitation email when the signup wizard lost its session. ``reason`` is for the log, which
    Django's middleware already writes.

    The session and the account are read with care: this page must answer even when the database
    does not, and renders nothing that would read them again.
    """
    user = _user_or_anonymous(request)
    match = getattr(request, "resolver_match", None)
    wizard_lost = (
        match is not None
        and match.url_name in SIGNUP_WIZARD_STEPS
        and not _session_value(request, SIGNUP_WIZARD_SESSION_KEY)
    )
    context = {
        "wizard_lost": wizard_lost,
        "reload_url": None if wizard_lost else _same_site_path(request.path),
        # The layout's ``user`` and ``messages`` would read the session and the database again:
        # the page shows the account read above, and queued messages wait for the next page.
        "user": user,
        "messages": [],
    }
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", context, request=request))


def _user_or_anonymous(request: HttpRequest):
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return user
    except Exception:  # the session or the database is unavailable: the error page must answer
        logger.warning("CSRF failure page: the account could not be read.", exc_info=True)
    return AnonymousUser()


def _session_value(request: HttpRequest, key: str):
    session = getattr(request, "session", None)
    if session is None:
        return None
    try:
        return session.get(key)
    except Exception:  # same: a session that cannot be read is, for the person, a lost one
        logger.warning("CSRF failure page: the session could not be read.", exc_info=True)
        return None


def _same_site_path(path: str) -> str | None:
    """``path`` if it is a link within the site (``//host/…`` would leave it), else None."""
    if path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=set()):
        return path
    return None
