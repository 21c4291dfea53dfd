"""How allauth behaves in this product (see ACCOUNT_ADAPTER)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.http import HttpRequest
from django.shortcuts import render

from ceplus.emails import queue_message


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """allauth's own signup stays closed: members join through their structure's
        invitation and the signup wizard (``accounts.views``)."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails leave through the product's outbox, like every other one."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_message(
            to=email, subject=message.subject, body=message.body, html=html, template=template_prefix
        )

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
