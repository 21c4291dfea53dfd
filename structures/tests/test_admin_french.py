"""The admin pages of the queue, the structures and the accounts speak French only: texts,
buttons, column titles, filters and text alternatives."""

import re
from html.parser import HTMLParser

import pytest

from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    InvitationFactory,
    LegalDocumentFactory,
    MemberFactory,
)
from structures.services import member_reject

ENGLISH = re.compile(
    r"\b(Select|Add|Change|Delete|Search|Filter|True|False|None|Save|History|Home|Yes|No|Show|Hide|"
    r"Task|Results?|Users?|Email address|Password|Staff|Active|Date joined|View|Go)\b"
)


class Visible(HTMLParser):
    """The text a person reads or hears: text nodes and the attributes screen readers say."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "template"):
            self.skip += 1
        attrs = dict(attrs)
        for name in ("alt", "title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "template") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def english_in(html: str) -> list[str]:
    parser = Visible()
    parser.feed(html)
    return sorted({match.group(0) for part in parser.parts for match in ENGLISH.finditer(part)})


@pytest.fixture
def filled(structure_a, manager_a, member_a):
    refused = MemberFactory(structure=structure_a, status="pending")
    member_reject(member=refused, acting_user=manager_a, reason="Motif")
    AddressFactory(user=member_a)
    BeneficiaryFactory(member=member_a)
    InvitationFactory(structure=structure_a, kind="personal", email="invite@example.org")
    LegalDocumentFactory()
    return member_a


def pages(member, structure, manager):
    return [
        "/admin/",
        "/admin/structures/member/",
        "/admin/structures/member/?status=all",
        f"/admin/structures/member/{member.pk}/change/",
        f"/admin/structures/member/{member.pk}/decision/refuser/",
        f"/admin/structures/member/{member.pk}/history/",
        "/admin/structures/structure/",
        f"/admin/structures/structure/{structure.pk}/change/",
        f"/admin/structures/structure/{structure.pk}/invitations/",
        "/admin/structures/invitation/",
        "/admin/structures/membershipdecision/",
        "/admin/beneficiaries/beneficiary/",
        "/admin/accounts/consent/",
        "/admin/accounts/address/",
    ]


@pytest.mark.django_db
def test_a_managers_admin_is_in_french(client_a, filled, structure_a, manager_a):
    for url in pages(filled, structure_a, manager_a):
        response = client_a.get(url)
        assert response.status_code == 200, url
        assert english_in(response.text) == [], url


@pytest.mark.django_db
def test_the_staff_admin_is_in_french(client, staff, filled, structure_a, manager_a):
    client.force_login(staff)
    for url in [
        *pages(filled, structure_a, manager_a),
        "/admin/structures/structure/add/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{manager_a.pk}/change/",
        "/admin/accounts/jobtitle/",
        "/admin/ceplus/legaldocument/",
        "/admin/ceplus/outgoingemail/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_in(response.text) == [], url


@pytest.mark.django_db
def test_a_decision_reads_as_statuses_in_words(structure_a, manager_a, member_a):
    """ "En attente de validation → Refusé", never "pending → rejected"."""
    decision = member_reject(member=member_a, acting_user=manager_a, reason="Motif")
    assert str(decision) == "En attente de validation → Refusé"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/admin/structures/membershipdecision/", "Décisions"),
        ("/admin/structures/invitation/", "Invitations"),
        ("/admin/accounts/event/", "Historique des modifications"),
        ("/admin/beneficiaries/beneficiarychange/", "Modifications de bénéficiaires"),
    ],
)
def test_lists_are_titled_by_what_they_list(client, staff, path, title):
    client.force_login(staff)
    page = client.get(path).content.decode()
    assert f"<h1>{title}</h1>" in page
    assert "Sélectionnez" not in page


@pytest.mark.django_db
def test_the_admin_login_offers_allauths_password_reset(
    client, manager_a, mailoutbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    # The admin's login is CONNEXION, with its "mot de passe oublié".
    page = client.get("/admin/login/", follow=True).text
    reset = reverse("account_reset_password")
    assert f'href="{reset}"' in page
    assert "Forgotten" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset, {"email": manager_a.email})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[manager_a.email]]


@pytest.mark.django_db
def test_a_managers_structure_page_is_titled_as_a_record(client_a, structure_a):
    page = client_a.get(f"/admin/structures/structure/{structure_a.pk}/change/").text
    assert "<title>CSE Textiles de Sausheim | Fiche de la structure" in page
    assert "Modification de structure" not in page
