"""Staff tools: create a structure with its rules and managers; the manager gets an email with a
link to set their password, then works in the admin with the managers' group."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from ceplus.tests.factories import TOTP_SECRET, ManagerFactory
from structures.models import Invitation, Structure
from structures.permissions import MANAGER_GROUP_NAME, MANAGER_PERMISSIONS

ADD = "/admin/structures/structure/add/"


def structure_data(**overrides):
    data = {
        "name": "Mairie de Sausheim",
        "kind": "employer",
        "allowed_beneficiary_kinds": ["spouse", "pacs", "child"],
        "child_age_limit": "20",
        "child_age_reference": "january_1",
        "notification": "daily",
        "new_manager_email": "",
        "new_manager_first_name": "",
        "new_manager_last_name": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_staff_create_a_structure_with_its_rules_and_a_manager(
    client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ADD,
            structure_data(
                new_manager_email="Secretaire@Mairie.example",
                new_manager_first_name="Julie",
                new_manager_last_name="Weber",
            ),
        )
    assert response.status_code == 302, response.text[:2000]
    structure = Structure.objects.get(name="Mairie de Sausheim")
    assert structure.allowed_beneficiary_kinds == ["spouse", "pacs", "child"]
    assert (structure.child_age_limit, structure.child_age_reference) == (20, "january_1")
    assert structure.notification == Structure.Notification.DAILY
    assert structure.invitations.filter(kind=Invitation.Kind.SHARED, revoked_at__isnull=True).exists()

    manager = User.objects.get(email="secretaire@mairie.example")
    assert list(structure.managers.all()) == [manager]
    assert manager.is_staff
    assert not manager.is_superuser
    assert not manager.has_usable_password()
    assert manager.groups.filter(name=MANAGER_GROUP_NAME).exists()
    assert [m.to for m in mailoutbox] == [["secretaire@mairie.example"]]
    email = mailoutbox[0]
    assert "gestionnaire de Mairie de Sausheim" in email.subject
    assert "http://testserver/admin/" in email.body


@pytest.mark.django_db
def test_the_new_manager_sets_a_password_and_reaches_the_queue(
    client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            ADD,
            structure_data(
                new_manager_email="julie@mairie.example",
                new_manager_first_name="Julie",
                new_manager_last_name="W",
            ),
        )
    link = re.search(r"http://testserver(/compte/password/reset/key/\S+)", mailoutbox[0].body).group(1)
    browser = Client()
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    response = browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "Un mot de passe solide 2026", "password2": "Un mot de passe solide 2026"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="julie@mairie.example").check_password("Un mot de passe solide 2026")
    admin = Client()
    admin.post(
        "/compte/login/?next=/admin/structures/member/",
        {"login": "julie@mairie.example", "password": "Un mot de passe solide 2026"},
    )
    # Her first visit asks for a second factor before the queue.
    response = admin.get("/admin/structures/member/")
    assert (response.status_code, response["Location"]) == (302, "/compte/2fa/")
    TOTP.activate(User.objects.get(email="julie@mairie.example"), TOTP_SECRET)
    assert admin.get("/admin/structures/member/").status_code == 200


@pytest.mark.django_db
def test_a_new_manager_without_a_name_is_asked_for_it(client, staff):
    client.force_login(staff)
    response = client.post(ADD, structure_data(new_manager_email="inconnu@mairie.example"))
    assert response.status_code == 200
    assert "Saisissez le prénom du nouveau gestionnaire." in response.text
    assert not Structure.objects.filter(name="Mairie de Sausheim").exists()


@pytest.mark.django_db
def test_an_existing_account_becomes_manager_without_a_new_password(
    client, staff, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    existing = ManagerFactory(email="multi@example.org")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/structures/structure/{structure_a.pk}/change/",
            structure_data(name=structure_a.name, new_manager_email="MULTI@example.org"),
        )
    assert structure_a.managers.filter(pk=existing.pk).exists()
    existing.refresh_from_db()
    assert existing.has_usable_password()
    assert "/compte/password/reset/key/" not in mailoutbox[0].body


@pytest.mark.django_db
def test_unticking_a_manager_removes_them(client, staff, structure_a, manager_a):
    client.force_login(staff)
    client.post(
        f"/admin/structures/structure/{structure_a.pk}/change/",
        structure_data(name=structure_a.name, managers_kept=[]),
    )
    assert not structure_a.managers.exists()
    manager_a.refresh_from_db()
    assert not manager_a.is_staff
    assert not manager_a.groups.exists()


@pytest.mark.django_db
def test_rules_are_validated(client, staff):
    client.force_login(staff)
    response = client.post(ADD, structure_data(child_age_limit="99"))
    assert "Saisissez un âge entre 1 et 30 ans, ou laissez vide." in response.text


@pytest.mark.django_db
def test_managers_see_their_structure_read_only_but_its_staff_list_settings(client_a, structure_a):
    page = client_a.get(f"/admin/structures/structure/{structure_a.pk}/change/").text
    assert "Lien et invitations" in page
    assert 'name="name"' not in page
    assert 'name="reminder_delay_days"' in page
    # Managers save the staff list's settings from the page; nothing else of what they post.
    response = client_a.post(f"/admin/structures/structure/{structure_a.pk}/change/", structure_data())
    assert response.status_code == 302
    structure_a.refresh_from_db()
    assert structure_a.name == "CSE Textiles de Sausheim"


@pytest.mark.django_db
def test_the_managers_group_has_exactly_the_permissions_they_need():
    group = Group.objects.get(name=MANAGER_GROUP_NAME)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert granted <= set(MANAGER_PERMISSIONS)
    assert {
        "structures.view_member",
        "structures.decide_member",
        "structures.add_invitation",
        "beneficiaries.view_beneficiary",
    } <= granted
    for forbidden in (
        "accounts.view_user",
        "auth.view_group",
        "structures.change_structure",
        "structures.delete_member",
    ):
        assert forbidden not in granted
