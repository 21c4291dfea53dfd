"""The isolation matrix: structure A's manager against every admin page and action, aimed at
structure B's objects. Another structure's object behaves as a missing one; lists, searches,
filters, exports, autocomplete and bulk actions never show or touch it."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from ceplus.models import LegalDocument
from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    InvitationFactory,
    LegalDocumentFactory,
    PendingMemberFactory,
)
from structures.models import Invitation, MembershipDecision
from structures.services import member_reject

MISSING = 999_999


@pytest.fixture
def world_b(structure_b, member_b, manager_b):
    """Everything structure B has: a member with address, beneficiary, consent, decision and
    the invitations."""
    from accounts.models import Consent

    AddressFactory(user=member_b, city="Colmar")
    BeneficiaryFactory(member=member_b, first_name="Zoé", last_name="Klein")
    Consent.objects.create(user=member_b, document=LegalDocumentFactory(kind=LegalDocument.Kind.CGU))
    rejected = PendingMemberFactory(structure=structure_b, last_name="Refusé")
    decision = member_reject(member=rejected, acting_user=manager_b, reason="Secret de B")
    shared = InvitationFactory(structure=structure_b)
    personal = InvitationFactory(
        structure=structure_b, kind=Invitation.Kind.PERSONAL, email="invite.b@example.org"
    )
    return {
        "member": member_b,
        "beneficiary": member_b.beneficiaries.get(),
        "address": member_b.address,
        "consent": member_b.consents.get(),
        "decision": decision,
        "shared": shared,
        "personal": personal,
        "structure": structure_b,
    }


def assert_missing(response, client, url_for_missing):
    """Same answer as for an object that does not exist: a redirect with "n'existe pas"."""
    missing = client.get(url_for_missing)
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == missing["Location"]
    page = client.get(response["Location"]).text
    assert "existe pas" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("member", "/admin/structures/member/{}/change/"),
        ("member", "/admin/structures/member/{}/history/"),
        ("member", "/admin/structures/member/{}/decision/valider/"),
        ("member", "/admin/structures/member/{}/decision/refuser/"),
        ("beneficiary", "/admin/beneficiaries/beneficiary/{}/change/"),
        ("address", "/admin/accounts/address/{}/change/"),
        ("consent", "/admin/accounts/consent/{}/change/"),
        ("decision", "/admin/structures/membershipdecision/{}/change/"),
        ("personal", "/admin/structures/invitation/{}/change/"),
        ("structure", "/admin/structures/structure/{}/change/"),
        ("structure", "/admin/structures/structure/{}/history/"),
        ("structure", "/admin/structures/structure/{}/invitations/"),
    ],
)
def test_another_structures_object_by_url_is_missing(client_a, manager_a, world_b, key, path):
    response = client_a.get(path.format(world_b[key].pk))
    assert_missing(response, client_a, path.format(MISSING))


@pytest.mark.django_db
def test_a_user_link_to_another_structures_member_is_missing_too(client_a, world_b):
    response = client_a.get(f"/admin/accounts/user/{world_b['member'].pk}/change/", follow=True)
    assert "existe pas" in response.text
    assert "Klein" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/structures/member/",
        "/admin/structures/member/?status=all",
        "/admin/structures/member/?status=all&q=Klei",
        "/admin/structures/member/?status=all&structure={structure}",
        "/admin/structures/member/?_popup=1&_to_field=id&status=all",
        "/admin/beneficiaries/beneficiary/",
        "/admin/beneficiaries/beneficiary/?q=Zo",
        "/admin/accounts/address/",
        "/admin/accounts/consent/",
        "/admin/structures/membershipdecision/",
        "/admin/structures/membershipdecision/?q=Secre",
        "/admin/structures/invitation/",
        "/admin/structures/invitation/?q=invite.b",
        "/admin/structures/structure/",
        "/admin/structures/structure/?q=Boulang",
    ],
)
def test_lists_searches_and_filters_show_nothing_of_another_structure(client_a, member_a, world_b, path):
    response = client_a.get(path.format(structure=world_b["structure"].pk))
    assert response.status_code == 200
    for secret in ("Klein", "Zoé", "Colmar", "Secret de B", "invite.b@example.org", "Boulangeries"):
        assert secret not in response.text


@pytest.mark.django_db
def test_the_structure_filter_offers_only_the_managers_structures(client_a, manager_a, world_b):
    from ceplus.tests.factories import StructureFactory
    from structures.services import manager_add

    other = StructureFactory(name="CSE Filature du Rhin")
    manager_add(structure=other, user=manager_a)
    page = client_a.get("/admin/structures/member/").text
    assert "CSE Filature du Rhin" in page
    assert "Boulangeries" not in page


@pytest.mark.django_db
def test_exports_contain_only_the_managers_members(client_a, member_a, world_b):
    for response in (
        client_a.get("/admin/structures/member/export/?status=all"),
        client_a.post(
            "/admin/structures/member/?status=all",
            {"action": "export_selected", "_selected_action": [member_a.pk, world_b["member"].pk]},
        ),
    ):
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "Petit" in content
        assert "Klein" not in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "action",
    [
        "approve_selected",
        "reject_selected",
        "deactivate_selected",
        "reactivate_selected",
        "send_password_reset",
    ],
)
def test_bulk_actions_ignore_another_structures_ids(client_a, member_a, world_b, action, mailoutbox):
    member_b = world_b["member"]
    User.objects.filter(pk=member_b.pk).update(status=User.Status.PENDING)
    client_a.post(
        "/admin/structures/member/?status=all",
        {
            "action": action,
            "_selected_action": [member_b.pk],
            "post": "yes",
            "reason_choice": "other",
            "reason_text": "Motif",
            "reason": "",
        },
    )
    member_b.refresh_from_db()
    assert member_b.status == User.Status.PENDING
    assert member_b.is_active
    assert not MembershipDecision.objects.filter(member=member_b).exists()
    assert [m for m in mailoutbox if member_b.email in m.to] == []


@pytest.mark.django_db
def test_single_decisions_and_resets_cannot_reach_another_structure(client_a, world_b, mailoutbox):
    member_b = world_b["member"]
    client_a.post(f"/admin/structures/member/{member_b.pk}/decision/valider/")
    client_a.post(
        f"/admin/structures/member/{member_b.pk}/decision/refuser/",
        {"reason_choice": "other", "reason_text": "x"},
    )
    client_a.post(f"/admin/structures/member/{member_b.pk}/reinitialiser-mot-de-passe/")
    member_b.refresh_from_db()
    assert member_b.status == User.Status.PENDING
    assert mailoutbox == []


@pytest.mark.django_db
def test_invitation_tools_cannot_reach_another_structure(client_a, world_b, mailoutbox):
    structure_b = world_b["structure"]
    shared = world_b["shared"]
    for operation in ("regenerate", "revoke", "create"):
        client_a.post(
            f"/admin/structures/structure/{structure_b.pk}/invitations/lien/", {"operation": operation}
        )
    client_a.post(
        f"/admin/structures/structure/{structure_b.pk}/invitations/envoyer/",
        {"addresses": "nouveau@example.org", "validity": "30"},
    )
    client_a.post(
        "/admin/structures/invitation/",
        {"action": "resend_selected", "_selected_action": [world_b["personal"].pk]},
    )
    client_a.post(
        "/admin/structures/invitation/",
        {"action": "revoke_selected", "_selected_action": [world_b["personal"].pk, shared.pk]},
    )
    shared.refresh_from_db()
    world_b["personal"].refresh_from_db()
    assert shared.revoked_at is None
    assert world_b["personal"].revoked_at is None
    assert structure_b.invitations.count() == 2
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/structures/structure/add/",
        "/admin/account/emailaddress/",
        "/admin/ceplus/outgoingemail/",
        "/admin/ceplus/legaldocument/",
    ],
)
def test_managers_cannot_open_groups_other_accounts_or_site_settings(client_a, path):
    assert client_a.get(path).status_code == 403


@pytest.mark.django_db
def test_managers_cannot_open_a_group_or_a_staff_account(client_a, staff, manager_b):
    group = Group.objects.get(name="Gestionnaires de structure")
    assert client_a.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    for user in (staff, manager_b):
        response = client_a.get(f"/admin/accounts/user/{user.pk}/change/", follow=True)
        assert user.email not in response.text
        assert "existe pas" in response.text


@pytest.mark.django_db
def test_the_users_list_leads_managers_to_their_members(client_a, staff):
    response = client_a.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/structures/member/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("beneficiary", "member"),
        ("invitation", "created_by"),
        ("membershipdecision", "member"),
        ("member", "job_title"),
        ("invitation", "structure"),
    ],
)
def test_autocomplete_never_lists_other_users(client_a, world_b, model, field):
    app = "beneficiaries" if model == "beneficiary" else "structures"
    response = client_a.get(
        "/admin/autocomplete/", {"app_label": app, "model_name": model, "field_name": field, "term": "Klein"}
    )
    assert response.status_code == 403 or "Klein" not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "structure__managers__email=rh@boulangeries.example",
        "structure__name__startswith=Boul",
        pytest.param("password__startswith=argon2", marks=pytest.mark.real_hashers),
        "email__startswith=paul",
        "groups__name=Gestionnaires de structure",
        "beneficiaries__first_name=Zoé",
        "invitation__token__startswith=a",
    ],
)
def test_query_string_lookups_across_relations_are_refused_whatever_the_value(client_a, world_b, query):
    """Refused with the same redirect whether the guess is right or wrong: no oracle."""
    key, _value = query.split("=")
    right = client_a.get(f"/admin/structures/member/?status=all&{query}")
    wrong = client_a.get(f"/admin/structures/member/?status=all&{key}=zzz-wrong")
    assert right.status_code == wrong.status_code == 302
    assert right["Location"] == wrong["Location"] == "/admin/structures/member/"
    assert client_a.get(f"/admin/structures/member/export/?{query}").status_code == 302


@pytest.mark.django_db
def test_a_manager_cannot_move_a_member_or_grant_rights_by_posting_extra_fields(
    client_a, member_a, structure_b
):
    group = Group.objects.get(name="Gestionnaires de structure")
    response = client_a.post(
        f"/admin/structures/member/{member_a.pk}/change/",
        {
            **member_form_data(client_a, member_a),
            "last_name": "Petit-Martin",
            "structure": structure_b.pk,
            "status": User.Status.APPROVED,
            "is_staff": "on",
            "is_superuser": "on",
            "is_active": "",
            "groups": [group.pk],
            "email": "pirate@example.org",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    member_a.refresh_from_db()
    assert member_a.last_name == "Petit-Martin"
    assert member_a.structure_id != structure_b.pk
    assert member_a.status == User.Status.PENDING
    assert not member_a.is_staff
    assert not member_a.is_superuser
    assert member_a.is_active
    assert not member_a.groups.exists()
    assert member_a.email == "lea.petit@example.org"


def member_form_data(client, member) -> dict:
    """The fields of the member's identity page, as a browser sends them."""
    from html.parser import HTMLParser

    page = client.get(f"/admin/structures/member/{member.pk}/change/?identite=1").text

    class Inputs(HTMLParser):
        data: dict = {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
                self.data[attrs["name"]] = attrs.get("value", "")

    parser = Inputs()
    parser.data = {}
    parser.feed(page)
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


@pytest.mark.django_db
def test_the_admin_home_counts_only_the_managers_pending_registrations(client_a, member_a, world_b):
    page = client_a.get("/admin/").text
    assert "1 inscription attend votre validation" in page
    assert "Boulangeries" not in page


@pytest.mark.django_db
def test_structure_autocomplete_lists_only_the_managers_structures(client_a, structure_a, world_b):
    response = client_a.get(
        "/admin/autocomplete/",
        {"app_label": "structures", "model_name": "invitation", "field_name": "structure", "term": ""},
    )
    assert response.status_code == 200
    names = [result["text"] for result in response.json()["results"]]
    assert names == ["CSE Textiles de Sausheim"]
