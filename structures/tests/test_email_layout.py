"""Every email of the product has one look and says what is true: each template of the tree has
a subject, a text and an HTML version, the HTML in the one layout and the text with the one
footer; "demande reçue" offers no log-in (the member cannot log in yet); the first address
confirmation does not talk of an address replaced; dates read "1er décembre 2026"; the refusal,
pending and deactivation emails give the structure's contact, only what is set."""

import datetime
import html as html_module
import re

import pytest
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import timezone

from ceplus.emails import render_email
from ceplus.tests import factories
from structures.tests.email_helpers import email_context, email_prefixes

pytestmark = pytest.mark.django_db

LAYOUT_MARKER = 'data-layout="ceplus-email"'
FOOTER = "CE+ Services – Zone Actipolis 1 - 24 A Route Départementale 201 - 68390 SAUSHEIM"


def text(value: str) -> str:
    """What a person reads of some HTML: no tags, entities decoded."""
    return html_module.unescape(re.sub(r"<[^>]+>", "", value))


def test_the_tree_has_the_emails_we_know():
    prefixes = email_prefixes()
    for expected in (
        "account/email/password_reset_key",
        "accounts/email/registration_received",
        "structures/email/invitation",
        "structures/email/registrations_digest",
        "structures/email/new_registration",
        "mfa/email/totp_activated",
        "mfa/email/webauthn_removed",
        "beneficiaries/email/campaign_announce",
        "beneficiaries/email/campaign_reminder",
        "beneficiaries/email/age_limit",
    ):
        assert expected in prefixes


@pytest.mark.parametrize("prefix", email_prefixes())
def test_every_email_has_a_subject_a_text_and_an_html_version(prefix):
    for suffix in ("_subject.txt", "_message.txt", "_message.html"):
        get_template(prefix + suffix)


@pytest.mark.parametrize("prefix", email_prefixes())
def test_every_email_renders_in_the_one_layout(prefix):
    subject, body, html = render_email(prefix, email_context())
    assert subject.strip()
    assert "\n" not in subject
    assert html.startswith("<!DOCTYPE html>")
    assert html.count(LAYOUT_MARKER) == 1, prefix
    assert 'lang="fr"' in html
    # The operator's identity closes every email, in both versions.
    assert FOOTER in text(html)
    assert FOOTER in body, prefix
    assert body.count(FOOTER) == 1
    assert "SIRET 398 899 559 00049" in text(html)


@pytest.mark.parametrize(
    "prefix",
    [
        "structures/email/invitation",
        "structures/email/member_approved",
        "structures/email/member_rejected",
        "accounts/email/registration_received",
        "structures/email/registrations_digest",
        "structures/email/new_registration",
        "beneficiaries/email/campaign_announce",
        "beneficiaries/email/campaign_reminder",
        "beneficiaries/email/age_limit",
    ],
)
def test_a_structures_email_names_it_at_the_top(prefix):
    _subject, _body, html = render_email(prefix, email_context())
    header = html.split('data-part="header"')[1].split("</td>")[0]
    assert "CSE Textiles de Sausheim" in text(header)
    assert "CE+ Services" in header


def test_demande_recue_offers_no_log_in():
    """The member cannot log in before their structure validates them."""
    _subject, body, html = render_email("accounts/email/registration_received", email_context())
    for version in (body, html):
        assert "/compte/login/" not in version
        assert "CONNEXION" not in version
    assert "doit maintenant la valider" in body


def test_the_first_confirmation_does_not_talk_of_an_old_address():
    context = email_context()
    _subject, body, html = render_email("account/email/email_confirmation_signup", context)
    for version in (body, html):
        assert "remplacera" not in version
        assert "ancienne" not in version
    assert context["activate_url"] in body
    # It speaks of what the person just did: a registration, still to be validated.
    assert "inscription" in body
    assert "CSE Textiles de Sausheim" in body


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2026, 12, 1), "1er décembre 2026"),
        (datetime.date(2026, 2, 14), "14 février 2026"),
        (datetime.date(2027, 8, 31), "31 août 2027"),
        # 23:30 UTC is already the next day in France.
        (datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC), "1er décembre 2026"),
        (None, ""),
    ],
)
def test_date_fr_writes_the_date_in_french(value, expected):
    rendered = Template("{% load ceplus_dates %}{{ value|date_fr }}").render(Context({"value": value}))
    assert rendered == expected


def test_date_fr_with_the_time():
    value = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 5))
    rendered = Template('{% load ceplus_dates %}{{ value|date_fr:"heure" }}').render(
        Context({"value": value})
    )
    assert rendered == "1er décembre 2026 à 9 h 05"


@pytest.mark.parametrize(
    "prefix",
    [
        "structures/email/invitation",
        "structures/email/registrations_digest",
        "account/email/password_changed",
        "beneficiaries/email/campaign_announce",
        "beneficiaries/email/campaign_reminder",
        "beneficiaries/email/age_limit",
    ],
)
def test_emails_write_their_dates_in_french(prefix):
    _subject, body, html = render_email(prefix, email_context())
    assert "1er décembre 2026" in body
    assert "1er décembre 2026" in text(html)
    assert "01/12/2026" not in body


CONTACT_EMAILS = [
    "beneficiaries/email/campaign_announce",
    "beneficiaries/email/campaign_reminder",
    "beneficiaries/email/age_limit",
    "structures/email/member_rejected",
    "structures/email/member_deactivated",
    "accounts/email/registration_received",
]


@pytest.mark.parametrize("prefix", CONTACT_EMAILS)
def test_the_structures_contact_is_in_the_emails_that_need_it(prefix):
    structure = factories.StructureFactory(
        name="CSE Textiles de Sausheim",
        contact_email="cse@textiles.example",
        contact_phone="03 89 00 00 00",
        contact_hours="du lundi au vendredi, de 9 h à 12 h",
    )
    _subject, body, html = render_email(prefix, email_context(structure))
    for version in (body, text(html)):
        assert "Une question ? Contactez CSE Textiles de Sausheim" in version
        assert "cse@textiles.example" in version
        assert "03 89 00 00 00" in version
        assert "du lundi au vendredi, de 9 h à 12 h" in version
    assert 'href="mailto:cse@textiles.example"' in html
    assert 'href="tel:0389000000"' in html


@pytest.mark.parametrize("prefix", CONTACT_EMAILS)
def test_only_the_contact_that_is_set_is_shown(prefix):
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim", contact_phone="03 89 00 00 00")
    _subject, body, html = render_email(prefix, email_context(structure))
    assert "Une question ? Contactez CSE Textiles de Sausheim" in body
    assert "03 89 00 00 00" in body
    assert "Email" not in body.split("Une question ?")[1].split("--")[0]
    assert "mailto:" not in html.split("Une question ?")[1].split('data-part="footer"')[0]
    assert "Horaires" not in body


@pytest.mark.parametrize("prefix", CONTACT_EMAILS)
def test_no_contact_set_no_contact_block(prefix):
    _subject, body, html = render_email(prefix, email_context())
    assert "Une question ?" not in body
    assert "Une question ?" not in html
