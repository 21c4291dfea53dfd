"""The admin's home page (the "Tableau de bord"): the validation queue's summary and, per
structure, what waits and the activity of the last months (``structures.dashboard``)."""

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ceplus.text import days_in_words
from structures.admin.member_import import IMPORT_PERMISSIONS
from structures.dashboard import StructureActivity, dashboard
from structures.scoping import managed_structure_ids

register = template.Library()


def waiting_duration(since: datetime.datetime | None, *, now: datetime.datetime) -> str:
    """How long a registration made at ``since`` has waited, in words ("aujourd'hui", "hier",
    "12 jours"; "" without one), counted in days of the site's calendar."""
    if since is None:
        return ""
    zone = timezone.get_default_timezone()
    days = (timezone.localtime(now, zone).date() - timezone.localtime(since, zone).date()).days
    return days_in_words(days)


def waiting_words(since: datetime.datetime | None, *, pending: int, now: datetime.datetime) -> str:
    """Since when the oldest registration waits: "la plus ancienne attend depuis 12 jours",
    "elle attend depuis hier" when it is the only one, "" when none waits."""
    if since is None or not pending:
        return ""
    duration = waiting_duration(since, now=now)
    if pending == 1:
        return _("elle attend depuis %(duration)s") % {"duration": duration}
    return _("la plus ancienne attend depuis %(duration)s") % {"duration": duration}


def _structure(activity: StructureActivity, queue_url: str, now: datetime.datetime) -> dict:
    pk = activity.structure.pk
    return {
        "pk": pk,
        "name": activity.structure.name,
        "pending": activity.pending,
        "waiting": waiting_words(activity.oldest_waiting_since, pending=activity.pending, now=now),
        "waiting_duration": waiting_duration(activity.oldest_waiting_since, now=now),
        "months": activity.months,
        "chart_id": f"activite-{pk}",
        "queue_url": f"{queue_url}?structure={pk}",
        "members_url": f"{queue_url}?structure={pk}&status=all",
        "departures": activity.departures,
        "departures_url": f"{queue_url}?structure={pk}&liste=departs",
        "proofs": activity.proofs,
        "proofs_url": f"{reverse('admin:beneficiaries_proof_changelist')}?structure={pk}",
        "roster_url": reverse("admin:structures_structure_roster", args=[pk]),
        "invitations_url": reverse("admin:structures_structure_invitations", args=[pk]),
    }


@register.simple_tag(takes_context=True)
def validation_queue(context) -> dict | None:
    """How many registrations wait for the user (their structures' only, for a manager), the
    import's link for those who may import, and the dashboard: for a manager, each of their
    structures with its queue, its invitations and its chart; for staff, one chart of every
    structure and the structures where the most registrations wait."""
    request = context.get("request")
    if request is None or not request.user.has_perm("structures.view_member"):
        return None
    now = timezone.now()
    numbers = dashboard(managed_structure_ids(request), now=now)
    queue_url = reverse("admin:structures_member_changelist")
    return {
        "pending": numbers.pending,
        "queue_url": queue_url,
        "staff_wide": numbers.staff_wide,
        "structures": [_structure(activity, queue_url, now) for activity in numbers.structures],
        "months": numbers.months,
        "proofs": numbers.proofs,
        "proofs_url": reverse("admin:beneficiaries_proof_changelist"),
        # The import of the former site's members lives outside the ModelAdmins: link it here.
        "import_url": reverse("admin_member_import") if request.user.has_perms(IMPORT_PERMISSIONS) else "",
    }
