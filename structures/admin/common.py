"""What the structures' admin pages share: labels, dates and short lists as managers read them,
and the read-only inlines."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ceplus.admin_base import ReadOnlyAdminMixin
from structures.models import Invitation


def local_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), "d/m/Y H:i")


def invitation_state_label(invitation: Invitation) -> str:
    """Sent (and when), used, expired or revoked."""
    state = invitation.state
    if state == Invitation.State.ACTIVE and invitation.sent_at:
        return str(_("Envoyée le %(date)s") % {"date": local_datetime(invitation.sent_at)})
    if state == Invitation.State.USED:
        return str(_("Utilisée le %(date)s") % {"date": local_datetime(invitation.used_at)})
    return str(Invitation.State(state).label)


# --- Read-only inlines of a member's page --------------------------------------------------------


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """What the member sent, shown as it is: nobody edits it from here."""

    extra = 0
    can_delete = False
    show_change_link = False
