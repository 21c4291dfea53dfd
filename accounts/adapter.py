"""How allauth behaves in this product (see ACCOUNT_ADAPTER)."""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.stagekit import clear_login
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User, normalize_email
from ceplus.emails import queue_message

# Set at a person's first sign-in, read once by the espace adhérent's home.
WELCOME_SESSION_KEY = "first_sign_in"


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages, in the product's French (its catalogue says "e-mail", "jeton"…).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("Ce compte est désactivé."),
        "email_password_mismatch": _("L'adresse email ou le mot de passe est incorrect."),
        "enter_current_password": _("Votre mot de passe actuel est incorrect."),
        "incorrect_password": _("Le mot de passe est incorrect."),
        "invalid_password_reset": _("Ce lien de réinitialisation n'est plus valable."),
        "too_many_login_attempts": _(
            "Trop de tentatives de connexion échouées : patientez quelques minutes avant de réessayer, "
            "ou réinitialisez votre mot de passe."
        ),
        "rate_limited": _("Vous avez fait trop de demandes : patientez quelques minutes avant de réessayer."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """allauth's own signup stays closed: members join through their structure's
        invitation and the signup wizard (``accounts.views``)."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails leave through the product's outbox, like every other one.

        The templates get what ``ceplus.emails.queue_email`` gives ours (``site_url``,
        ``operator``) next to allauth's own context (``user``, ``password_reset_url``…). The
        context's ``user``, when there is one, is the account the email is written for
        (``OutgoingEmail.recipient``).
        """
        context = {"site_url": settings.SITE_URL, "operator": settings.OPERATOR, "email": email, **context}
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        user = context.get("user")
        queue_message(
            to=email,
            subject=message.subject,
            body=message.body,
            html=html,
            template=template_prefix,
            recipient=user if isinstance(user, AbstractBaseUser) and user.pk is not None else None,
        )

    def clean_email(self, email: str) -> str:
        """Every address allauth's forms take (password reset, email change) in the one form
        the accounts hold (``normalize_email``): a look-alike such as "ｅxample.org", which
        mail servers deliver to example.org, is that address and not another one."""
        email = normalize_email(super().clean_email(email))
        # The domain's ASCII form may be longer than what was typed and checked.
        if len(email) > User.email.field.max_length:
            raise forms.ValidationError(
                _("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr."), code="invalid"
            )
        return email

    def send_password_reset_mail(self, user, email: str, context: dict[str, Any]) -> None:
        """The link goes to the address stored on the account, never to the one typed, which may
        be a look-alike that only compares equal once lowercased (CVE-2019-19844)."""
        self.send_mail("account/email/password_reset_key", user.email, context)

    def send_notification_mail(self, template_prefix: str, user, context=None, email=None) -> None:
        """Security notices ("votre mot de passe a été modifié"…) greet the member by name."""
        super().send_notification_mail(template_prefix, user, {"user": user, **(context or {})}, email)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        """Failed logins count per account only. allauth prefixes the key with the request's
        host: a client could then multiply its tries by varying the Host header among the
        allowed names, and servers reached under different names would each keep their own
        count."""
        return credentials.get("email", credentials.get("username", "")).lower()

    def login(self, request: HttpRequest, user) -> None:
        """A person's very first sign-in is remembered for the session: the espace adhérent then
        opens on a welcome that says what to do next (``WELCOME_SESSION_KEY``)."""
        first = user.last_login is None
        super().login(request, user)
        if first:
            request.session[WELCOME_SESSION_KEY] = True

    def pre_login(self, request: HttpRequest, user, **kwargs):
        """A member whose structure has not validated the account (or refused it) does not log
        in: they are told why. Only the right password gets this far, so a wrong one never
        reveals a status."""
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if user.is_member and user.status in (user.Status.PENDING, user.Status.REJECTED):
            clear_login(request)
            return render(request, "account/login_blocked.html", {"member": user}, status=403)
        return None

    def respond_user_inactive(self, request: HttpRequest, user):
        """A former member who signs in (the right password only gets this far) reads that their
        structure deactivated the account, with its contact, like the pending and refused ones;
        on the way to a service partenaire too."""
        if getattr(user, "is_member", False):
            clear_login(request)
            return render(request, "account/account_inactive.html", {"member": user}, status=403)
        return super().respond_user_inactive(request, user)

    def set_password(self, user, password: str) -> None:
        """Set the password; a member still awaiting validation (who may reset a password) is
        told on the next page that they can log in only once their structure validates them."""
        super().set_password(user, password)
        request = getattr(self, "request", None)
        if request is not None and user.is_member and user.status == user.Status.PENDING:
            messages.info(
                request,
                gettext(
                    "Votre inscription attend encore la validation de %(structure)s : vous pourrez "
                    "vous connecter dès qu'elle sera validée. Vous recevrez alors un email."
                )
                % {"structure": user.structure},
            )

    def add_message(self, request, level, message_template=None, message_context=None, **kwargs) -> None:
        # The page after a reset already says "Votre mot de passe a été modifié" as its heading.
        if (
            message_template == "account/messages/password_changed.txt"
            and getattr(request.resolver_match, "url_name", "") == "account_reset_password_from_key"
        ):
            return
        super().add_message(request, level, message_template, message_context, **kwargs)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        """After changing a password, a member goes back to their area."""
        if request.user.is_authenticated and request.user.is_approved_member:
            return reverse("member_home")
        return super().get_password_change_redirect_url(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After CONNEXION (without a ``next``): members to their area, managers and staff to
        the admin."""
        user = request.user
        if user.is_authenticated and user.is_approved_member:
            return reverse("member_home")
        if user.is_authenticated and user.is_staff:
            return reverse("admin:index")
        return super().get_login_redirect_url(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as allauth sees it (the same as its rate limits), if it is one: it
    is kept with a consent."""
    try:
        ip = get_adapter(request).get_client_ip(request)
        return str(ipaddress.ip_address(ip))
    except (PermissionDenied, ValueError):
        return None
