"""Every account email (allauth's and ours) is French, names the operator, has a text and an
HTML version, and renders from allauth's context as well as from ``queue_email``'s."""

import pytest
from allauth.account.adapter import get_adapter
from django.utils import timezone

from ceplus.emails import render_email
from ceplus.models import OutgoingEmail
from ceplus.tests import factories

LINK = "http://testserver/compte/lien/"
PREFIXES = {
    "account/email/password_reset_key": {"password_reset_url": LINK},
    "account/email/password_reset": {},
    "account/email/password_changed": {},
    "account/email/password_set": {},
    "account/email/email_changed": {"from_email": "ancienne@example.org", "to_email": "nouvelle@example.org"},
    "account/email/email_confirm": {},
    "account/email/email_deleted": {"deleted_email": "ancienne@example.org"},
    "account/email/email_confirmation": {"activate_url": LINK},
    "account/email/email_confirmation_signup": {"activate_url": LINK},
    "account/email/account_already_exists": {"password_reset_url": LINK, "email": "marie@example.org"},
    "account/email/unknown_account": {"email": "personne@example.org"},
    "account/email/activation": {"password_reset_url": LINK, "link_hours": 3, "login_url": LINK},
}
ENGLISH = ("Hello", "Thank you", "You are receiving", "Your password", "has been", "If you", "Click")


@pytest.mark.parametrize(("prefix", "extra"), PREFIXES.items())
@pytest.mark.django_db
def test_account_email_renders_in_french_from_queue_email(prefix, extra):
    member = factories.MemberFactory(first_name="Marie", structure__name="CSE Textiles")
    context = {"user": member, "email": member.email, "timestamp": timezone.now(), **extra}
    subject, body, html = render_email(prefix, context)
    assert subject.endswith("CE+ Services") or "CE+ Services" in subject
    assert "\n" not in subject
    assert body.startswith("Bonjour Marie,")
    assert "L'équipe CE+ Services" in body
    assert "accueil@ceplusservices.fr" in body
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="fr"' in html
    for word in ENGLISH:
        assert word not in body, (prefix, word)
    if "url" in " ".join(extra):
        assert LINK in body
        assert f'href="{LINK}"' in html


@pytest.mark.django_db
def test_allauth_emails_go_through_the_outbox_with_the_same_layout(rf):
    """allauth's own sending path (the adapter) gives the templates ``operator`` and
    ``site_url`` too, and stores the message in the outbox."""
    member = factories.MemberFactory(first_name="Marie")
    adapter = get_adapter(rf.get("/"))
    adapter.send_mail("account/email/password_changed", member.email, {"user": member})
    email = OutgoingEmail.objects.get()
    assert email.subject == "Votre mot de passe a été modifié – CE+ Services"
    assert email.body.startswith("Bonjour Marie,")
    assert "http://testserver/compte/password/reset/" in email.body
    assert "CE+ Services – Zone Actipolis" in email.body
    assert "<!DOCTYPE html>" in email.html


@pytest.mark.django_db
def test_a_name_with_markup_is_escaped_in_the_html_version():
    member = factories.MemberFactory(first_name="<b>Marie</b>")
    _subject, _body, html = render_email("account/email/password_changed", {"user": member})
    assert "<b>Marie</b>" not in html
    assert "&lt;b&gt;Marie&lt;/b&gt;" in html
