"""The record of who changed what (``accounts.models.Event``): the one place it is written.

Every service whose change has no table of its own calls ``event_record`` in its transaction,
with the person who acted and, for a change of fields, each field before and after
(``field_changes``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import date_format

from accounts.models import Event, User


def display(value: Any) -> str:
    """A field's value as a person reads it in the history."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, (list, tuple, set)):
        return ", ".join(display(item) for item in value) or "—"
    if hasattr(value, "as_national"):  # a phone number
        return value.as_national
    return str(value)


def field_changes(
    model: type[models.Model], before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> list[dict[str, str]]:
    """``[{"field": label, "before": …, "after": …}]`` for each of ``fields`` whose value
    changed, labelled with the model's French field names."""
    changes = []
    for name in fields:
        old, new = display(before.get(name)), display(after.get(name))
        if old != new:
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # not a model field: a form's own
                label = name
            changes.append({"field": label, "before": old, "after": new})
    return changes


def event_record(
    *,
    kind: str,
    acting_user: User | None,
    member: User | None = None,
    structure=None,
    description: str = "",
    changes: list[dict[str, str]] | None = None,
) -> Event:
    """Record one change made by ``acting_user`` (``None``: the system, a command)."""
    return Event.objects.create(
        kind=kind,
        acting_user=acting_user if acting_user is not None and acting_user.pk else None,
        member=member,
        structure=structure if structure is not None else (member.structure if member is not None else None),
        description=description[:400],
        changes=changes or [],
    )
