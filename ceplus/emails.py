"""Every email of the product leaves through here.

``queue_email`` renders the ``<prefix>_subject.txt`` / ``_message.txt`` / ``_message.html``
templates, stores the message as an :class:`~ceplus.models.OutgoingEmail` in the caller's
transaction, and hands its delivery to a background task once that transaction commits: a
rolled-back change sends nothing, and a mail server that is down loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from ceplus.models import OutgoingEmail
from ceplus.text import clean_line

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    """``path`` as a link that works in an email, read outside any request (``SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def render_email(template_prefix: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of the email ``template_prefix``.

    When the context has a ``structure`` with a logo (its ``logo_path``), the layout gets the
    logo's absolute address as ``structure_logo_url``.
    """
    context = {
        "site_url": settings.SITE_URL,
        "operator": settings.OPERATOR,
        **context,
    }
    logo_path = getattr(context.get("structure"), "logo_path", "")
    if logo_path and "structure_logo_url" not in context:
        context["structure_logo_url"] = absolute_url(logo_path)
    # A subject is one line: CR/LF from a person's name must never reach a mail header.
    subject = clean_line(render_to_string(f"{template_prefix}_subject.txt", context))
    body = render_to_string(f"{template_prefix}_message.txt", context).strip() + "\n"
    try:
        html = render_to_string(f"{template_prefix}_message.html", context)
    except TemplateDoesNotExist:
        html = ""
    return subject, body, html


def queue_email(
    template_prefix: str, to: str, context: Mapping[str, Any], *, recipient: AbstractBaseUser | None = None
) -> OutgoingEmail:
    """Store the email ``template_prefix`` for ``to`` and deliver it after the current commit.

    ``recipient`` is the account the email is written for, when the caller knows it: that
    email is then part of the account's personal data (its export, its erasure) whatever
    address it went to. Without it, only an address the account proved it owns claims it.
    """
    subject, body, html = render_email(template_prefix, context)
    return queue_message(
        to=to, subject=subject, body=body, html=html, template=template_prefix, recipient=recipient
    )


def queue_message(
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    template: str = "",
    recipient: AbstractBaseUser | None = None,
) -> OutgoingEmail:
    """Store an already rendered message and deliver it after the current commit
    (``recipient``: as for ``queue_email``)."""
    email = OutgoingEmail.objects.create(
        to=to,
        recipient=recipient,
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=clean_line(subject)[:255],
        body=body,
        html=html,
        template=template,
    )
    schedule_delivery(email)
    return email


def schedule_delivery(email: OutgoingEmail) -> None:
    from ceplus.tasks import deliver_email

    transaction.on_commit(lambda: deliver_email.enqueue(email.pk), robust=True)
