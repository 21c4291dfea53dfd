import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ceplus.models import LegalDocument

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ceplus/home.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the cache answer, 503 when one does not (for the load balancer).

    The cache holds the rate limits of CONNEXION, the reset and the signup: those pages fail
    without it, so a machine whose cache is unusable must leave the pool as well.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: database unreachable: %s", error)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    problem = _cache_problem()
    if problem is not None:
        logger.error("Health check: cache unreachable: %s", problem)
        return JsonResponse({"status": "error", "cache": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _cache_problem() -> str | None:
    """What stops the default cache from keeping a value, or None when it keeps one.

    A key of its own per check: concurrent checks (several balancers) never read each other's.
    """
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=30)
        kept = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:  # each backend fails its own way (DatabaseError, Redis errors...)
        return str(error) or type(error).__name__
    return None if kept else "the value written was not read back"


def _kind_or_404(kind: str) -> str:
    if kind not in LegalDocument.Kind.values:
        raise Http404
    return kind


@require_safe
def legal_document(request: HttpRequest, kind: str) -> HttpResponse:
    """The version of a legal document in force today."""
    document = LegalDocument.objects.current(_kind_or_404(kind))
    return render(
        request,
        "ceplus/legal_document.html",
        {"document": document, "kind_label": LegalDocument.Kind(kind).label, "is_current": True},
    )


@require_safe
def legal_document_version(request: HttpRequest, kind: str, version: int) -> HttpResponse:
    """One given version, as a member accepted it."""
    document = get_object_or_404(LegalDocument.objects.published(), kind=_kind_or_404(kind), version=version)
    current = LegalDocument.objects.current(kind)
    return render(
        request,
        "ceplus/legal_document.html",
        {
            "document": document,
            "kind_label": document.get_kind_display(),
            "is_current": current is not None and current.pk == document.pk,
            "current": current,
        },
    )
