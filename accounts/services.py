"""State changes of accounts: registration, passwords, and what members do with their data."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from ceplus.emails import queue_email


def password_reset_url(user: User) -> str:
    """An absolute link to allauth's "set a new password" page for ``user``.

    Same token as allauth's own reset flow: it works once, expires after
    ``PASSWORD_RESET_TIMEOUT`` and dies when the password or the email changes.
    """
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return f"{settings.SITE_URL}{path}"


def password_reset_send(
    *, user: User, template_prefix: str = "account/email/password_reset_key", acting_user: User | None = None
) -> None:
    """Email ``user`` a link to set a new password, as allauth's "J'ai oublié mon mot de passe"
    does. Staff trigger it from the admin; they never see nor set the password themselves."""
    queue_email(
        template_prefix,
        user.email,
        {"user": user, "password_reset_url": password_reset_url(user), "acting_user": acting_user},
    )
