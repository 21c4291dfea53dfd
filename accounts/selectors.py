"""Read-only queries of the accounts app, shared by the signup wizard and the member area."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.models import JobTitle
from ceplus.text import fold

# A search is a few words: longer input is cut rather than refused.
MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 6
_WORD = re.compile(r"\w+")


def _words(query: str) -> tuple[str, list[str]]:
    folded = fold((query or "")[:MAX_QUERY_LENGTH])
    return folded, _WORD.findall(folded)[:MAX_QUERY_WORDS]


def job_title_search(query: str, *, limit: int = 20) -> list[JobTitle]:
    """Job titles offered to members whose name contains every word of ``query``, ignoring
    case and accents ("securite" finds "Agent / Agente de sécurité").

    The exact title comes first, then titles starting with the query, then the others, each
    group in alphabetical order.
    """
    folded, words = _words(query)
    if not words:
        return []
    titles: QuerySet[JobTitle] = JobTitle.objects.filter(is_active=True)
    for word in words:
        titles = titles.filter(search_name__contains=word)
    titles = titles.annotate(
        rank=Case(
            When(search_name=folded, then=Value(0)),
            When(search_name__startswith=folded, then=Value(1)),
            When(search_name__startswith=words[0], then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("rank", "name")
    return list(titles[:limit])


def job_title_exact(text: str) -> JobTitle | None:
    """The offered job title whose name is ``text``, ignoring case, accents and spacing."""
    folded = fold((text or "")[:200])
    if not folded:
        return None
    return JobTitle.objects.filter(is_active=True, search_name=folded).order_by("pk").first()
