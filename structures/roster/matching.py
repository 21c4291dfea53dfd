"""Who of a structure's members is on its staff list: the badge of the validation queue, its
filter, and the departures to deal with.

Everything here is a query expression or a queryset, so that the queue filters and sorts on it
in the database and a page of 50 members costs the same whatever the size of the list: each
member is looked up by the roster's indexes ((structure, email) and (structure, name key)).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from structures.models import RosterEntry


class Match(models.TextChoices):
    """How a member compares with their structure's staff list."""

    LISTED = "listed", _("Sur la liste du personnel")
    NAME_ONLY = "name", _("Nom sur la liste, email différent")
    NOT_LISTED = "none", _("Hors liste")


def current_entries(today: datetime.date | None = None):
    """The people on the lists today: on the latest upload, and not past their date de sortie
    (the last day they work there)."""
    today = today or timezone.localdate()
    return RosterEntry.objects.filter(removed_at__isnull=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def _state(entries, value: str, **lookups) -> Subquery:
    """``value`` when the member has a line of ``entries`` matching ``lookups``, else NULL: a
    correlated LIMIT 1 rather than EXISTS, so that PostgreSQL reads each row of a page through the
    index instead of hashing the whole list for each page."""
    matching = entries.filter(**lookups).order_by().annotate(state=Value(value, output_field=CharField()))
    return Subquery(matching.values("state")[:1], output_field=CharField())


def annotate_match(queryset, today: datetime.date | None = None):
    """``queryset`` of members with ``roster_match``: a ``Match`` value, or ``None`` when the
    member's structure has no staff list today. One COALESCE of three lookups by index, which
    PostgreSQL evaluates in order and stops at the first that answers."""
    entries = current_entries(today)
    structure = OuterRef("structure_id")
    return queryset.annotate(
        roster_match=Coalesce(
            _state(entries, Match.LISTED, structure=structure, email=OuterRef("email")),
            _state(entries, Match.NAME_ONLY, structure=structure, name_key=OuterRef("name_key")),
            _state(entries, Match.NOT_LISTED, structure=structure),
            output_field=CharField(),
        )
    )


def match_filter(value: str, today: datetime.date | None = None) -> Q:
    """The members whose ``Match`` is ``value``, as a condition of a ``User`` queryset.

    EXISTS here, not the display's LIMIT 1 lookups: a filter reads every member of the
    structure, and PostgreSQL answers EXISTS for all of them at once with one hashed semi-join
    of the list (the LIMIT 1 lookups, once per member, are right for the 50 rows of a page)."""
    entries = current_entries(today)
    structure = OuterRef("structure_id")
    by_email = Exists(entries.filter(structure=structure, email=OuterRef("email")))
    by_name = Exists(entries.filter(structure=structure, name_key=OuterRef("name_key")))
    if value == Match.LISTED:
        return Q(by_email)
    if value == Match.NAME_ONLY:
        return ~Q(by_email) & Q(by_name)
    return ~Q(by_email) & ~Q(by_name) & Q(Exists(entries.filter(structure=structure)))


def member_match(member: User, today: datetime.date | None = None) -> str | None:
    """The ``Match`` of one member (their page), or ``None`` without a staff list."""
    entries = current_entries(today).filter(structure_id=member.structure_id)
    if entries.filter(email=member.email).exists():
        return Match.LISTED
    if entries.filter(name_key=member.name_key).exists():
        return Match.NAME_ONLY
    if entries.exists():
        return Match.NOT_LISTED
    return None


def match_label(value: str | None) -> str:
    return str(Match(value).label) if value in Match.values else ""


def departures(queryset, today: datetime.date | None = None):
    """The validated members of ``queryset`` whose line on their structure's staff list says
    they left: past their date de sortie, or gone from the latest upload. A member who was never
    on the list is not a departure (they may have been validated by hand)."""
    today = today or timezone.localdate()
    left = RosterEntry.objects.filter(structure=OuterRef("structure_id"), email=OuterRef("email")).filter(
        Q(removed_at__isnull=False) | Q(end_date__lt=today)
    )
    # EXISTS, for the same reason as ``match_filter``: every validated member is read.
    return queryset.filter(Exists(left), status=User.Status.APPROVED, structure__isnull=False)


def dated_departures(queryset, today: datetime.date | None = None):
    """The departures whose date de sortie has passed (the ones a structure may have deactivated
    automatically), with the entry's date as ``roster_end_date``."""
    today = today or timezone.localdate()
    ended = RosterEntry.objects.filter(
        structure=OuterRef("structure_id"), email=OuterRef("email"), end_date__lt=today
    )
    return (
        queryset.filter(status=User.Status.APPROVED, structure__isnull=False)
        .annotate(roster_end_date=Subquery(ended.order_by().values("end_date")[:1]))
        .filter(roster_end_date__isnull=False)
    )
