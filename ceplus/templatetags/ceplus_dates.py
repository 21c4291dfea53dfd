"""Dates as a French reader writes them: ``{{ value|date_fr }}`` gives "1er décembre 2026",
``{{ value|date_fr:"heure" }}`` "1er décembre 2026 à 9 h 05".

French whatever language is active: emails are rendered by a background task, outside any
request, and the product speaks French only."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@register.filter
def date_fr(value: datetime.date | datetime.datetime | None, precision: str = "") -> str:
    """The day ("1er" for the first of the month), the month's name and the year; with
    ``"heure"``, the time too. A datetime is read in France's time (``TIME_ZONE``)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[value.month - 1]} {value.year}"
    if precision == "heure" and isinstance(value, datetime.datetime):
        text += f" à {value.hour} h {value.minute:02d}"
    return text
