"""What the admin's home (the "Tableau de bord") shows: per structure, the registrations that
wait and the activity of the last twelve months.

Selectors only: they read, never write. Every function takes the structures to count as
``structures.scoping.visible_structure_ids`` (or ``managed_structure_ids``) gives them — a
list of ids, ``None`` for every structure (staff) — and ``now``, so that the caller decides
the scope and the tests decide the date.

The number of queries does not depend on the number of structures or months: one query per
series, grouped by structure and month (months cut in the site's time zone, Europe/Paris).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import User
from beneficiaries.models import Proof
from structures.models import Invitation, MembershipDecision, Structure
from structures.roster.matching import departures
from structures.scoping import scope_by_structure

MONTHS = 12
# Staff see the structures where the most registrations wait, not one panel per structure.
TOP_STRUCTURES = 20


@dataclass(frozen=True)
class MonthActivity:
    """What happened in one month (``month`` is its first day, in the site's time zone)."""

    month: datetime.date
    invitations: int = 0
    registrations: int = 0
    validations: int = 0

    @property
    def total(self) -> int:
        return self.invitations + self.registrations + self.validations


@dataclass(frozen=True)
class StructureActivity:
    """One structure: its registrations waiting, since when the oldest waits, its months
    (oldest first; empty in the staff's table, which has no chart per structure), and how
    many validated members its staff list says have left (``structures.roster.matching``)."""

    structure: Structure
    pending: int
    oldest_waiting_since: datetime.datetime | None
    months: list[MonthActivity] = field(default_factory=list)
    departures: int = 0
    proofs: int = 0


@dataclass(frozen=True)
class Dashboard:
    """The home page's numbers for one person.

    ``structures``: for a manager, each structure they manage (by name), with its months; for
    staff (``staff_wide``), the ``TOP_STRUCTURES`` structures where the most registrations wait,
    without months. ``months``: every structure in scope together. ``pending`` and
    ``oldest_waiting_since``: every structure in scope too.
    """

    staff_wide: bool
    structures: list[StructureActivity]
    months: list[MonthActivity]
    pending: int
    oldest_waiting_since: datetime.datetime | None
    proofs: int = 0


def last_months(now: datetime.datetime, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the ``count`` months up to ``now``'s (included), oldest first, as the
    site's calendar has them (a 31 December 23:30 UTC is already January in Paris)."""
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    index = today.year * 12 + today.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _month_start(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(month.year, month.month, 1), timezone.get_default_timezone())


def _counts(
    queryset: QuerySet, date_field: str, months: list[datetime.date], per_structure: bool
) -> dict[tuple[int | None, datetime.date], int]:
    """``{(structure id or None, month): count}`` of ``queryset``'s rows whose ``date_field``
    falls in ``months``: one query, grouped by month (and structure)."""
    zone = timezone.get_default_timezone()
    following = months[-1].replace(day=28) + datetime.timedelta(days=4)
    start, end = _month_start(months[0]), _month_start(following.replace(day=1))
    keys = ["structure_id", "month"] if per_structure else ["month"]
    rows = (
        queryset.filter(**{f"{date_field}__gte": start, f"{date_field}__lt": end})
        .annotate(month=TruncMonth(date_field, tzinfo=zone))
        .order_by()
        .values(*keys)
        .annotate(count=Count("*"))
    )
    return {
        (row.get("structure_id"), timezone.localtime(row["month"], zone).date()): row["count"] for row in rows
    }


def monthly_activity(
    structure_ids: list[int] | None,
    *,
    now: datetime.datetime,
    per_structure: bool = True,
    count: int = MONTHS,
) -> dict[int | None, list[MonthActivity]]:
    """The last ``count`` months of the structures of ``structure_ids`` (``None``: all), oldest
    first: personal invitations sent, members registered, registrations validated (decisions
    to "approved"). Keyed by structure id, or under ``None`` for all of them together when not
    ``per_structure``. A structure without any activity has no key. Three queries.

    An invitation sent again counts in the month of its last sending (``sent_at``)."""
    months = last_months(now, count)
    series = {
        "invitations": _counts(
            scope_by_structure(Invitation.objects.filter(kind=Invitation.Kind.PERSONAL), structure_ids),
            "sent_at",
            months,
            per_structure,
        ),
        "registrations": _counts(
            scope_by_structure(User.objects.filter(structure__isnull=False), structure_ids),
            "date_joined",
            months,
            per_structure,
        ),
        "validations": _counts(
            scope_by_structure(
                MembershipDecision.objects.filter(to_status=User.Status.APPROVED), structure_ids
            ),
            "created_at",
            months,
            per_structure,
        ),
    }
    keys = {key for counts in series.values() for key, _month in counts}
    return {
        key: [
            MonthActivity(month, **{name: counts.get((key, month), 0) for name, counts in series.items()})
            for month in months
        ]
        for key in keys
    }


def empty_months(now: datetime.datetime, count: int = MONTHS) -> list[MonthActivity]:
    return [MonthActivity(month) for month in last_months(now, count)]


def _added(months: list[list[MonthActivity]], now: datetime.datetime) -> list[MonthActivity]:
    """The month-by-month sum of several structures' months."""
    total = empty_months(now)
    for series in months:
        total = [
            MonthActivity(
                a.month,
                a.invitations + b.invitations,
                a.registrations + b.registrations,
                a.validations + b.validations,
            )
            for a, b in zip(total, series, strict=True)
        ]
    return total


WAITING = Q(members__status=User.Status.PENDING)


def managed_structures_activity(
    structure_ids: list[int], *, now: datetime.datetime
) -> list[StructureActivity]:
    """Each structure of ``structure_ids`` by name, with its waiting registrations, its months,
    its departures to deal with and its proofs to check. Six queries, whatever the number of
    structures."""
    structures = (
        scope_by_structure(Structure.objects.all(), structure_ids, "pk")
        .annotate(
            pending=Count("members", filter=WAITING), oldest=Min("members__date_joined", filter=WAITING)
        )
        .order_by("name")
    )
    activity = monthly_activity(structure_ids, now=now)
    leaving = dict(
        departures(User.objects.filter(structure__in=structure_ids), timezone.localdate(now))
        .order_by()
        .values_list("structure_id")
        .annotate(count=Count("*"))
    )
    proofs = dict(
        Proof.objects.filter(status=Proof.Status.PENDING, beneficiary__member__structure__in=structure_ids)
        .order_by()
        .values_list("beneficiary__member__structure_id")
        .annotate(count=Count("*"))
    )
    return [
        StructureActivity(
            structure=structure,
            pending=structure.pending,
            oldest_waiting_since=structure.oldest,
            months=activity.get(structure.pk) or empty_months(now),
            departures=leaving.get(structure.pk, 0),
            proofs=proofs.get(structure.pk, 0),
        )
        for structure in structures
    ]


def busiest_structures(limit: int = TOP_STRUCTURES) -> list[StructureActivity]:
    """The ``limit`` structures where the most registrations wait (the longest wait first
    among equals), without their months. One query."""
    # Filtering on the members before counting them counts the pending ones only, through the
    # queue's index, and leaves out the structures where nobody waits.
    structures = (
        Structure.objects.filter(members__status=User.Status.PENDING)
        .annotate(pending=Count("members"), oldest=Min("members__date_joined"))
        .order_by("-pending", "oldest", "name")[:limit]
    )
    return [StructureActivity(s, s.pending, s.oldest) for s in structures]


def dashboard(structure_ids: list[int] | None, *, now: datetime.datetime | None = None) -> Dashboard:
    """The home page's numbers for the structures of ``structure_ids`` (``None``: all of them,
    for staff). Six queries for a manager, six for staff, whatever the number of structures."""
    now = now or timezone.now()
    if structure_ids is not None:
        structures = managed_structures_activity(structure_ids, now=now)
        waiting = [s.oldest_waiting_since for s in structures if s.oldest_waiting_since]
        return Dashboard(
            staff_wide=False,
            structures=structures,
            months=_added([s.months for s in structures], now),
            pending=sum(s.pending for s in structures),
            oldest_waiting_since=min(waiting, default=None),
            proofs=sum(s.proofs for s in structures),
        )
    totals = User.objects.filter(structure__isnull=False, status=User.Status.PENDING).aggregate(
        pending=Count("*"), oldest=Min("date_joined")
    )
    return Dashboard(
        staff_wide=True,
        structures=busiest_structures(),
        months=monthly_activity(None, now=now, per_structure=False).get(None) or empty_months(now),
        pending=totals["pending"],
        oldest_waiting_since=totals["oldest"],
        proofs=Proof.objects.filter(status=Proof.Status.PENDING).count(),
    )
