"""Plain French error pages that never depend on the database or the session."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from the database or a context processor.
    return HttpResponseServerError(loader.render_to_string("500.html"))
