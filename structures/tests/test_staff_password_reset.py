"""Staff (and managers, for their members) send allauth's password reset email from the admin;
nobody ever sees or sets a password there."""

import re

import pytest
from django.test import Client

from ceplus.tests.factories import MemberFactory


@pytest.mark.django_db
def test_staff_send_a_reset_link_from_the_member_page(
    client, staff, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/structures/member/{member_a.pk}/reinitialiser-mot-de-passe/", follow=True
        )
    assert "Lien de réinitialisation du mot de passe envoyé à lea.petit@example.org." in response.text
    assert [m.to for m in mailoutbox] == [["lea.petit@example.org"]]
    link = re.search(r"http://testserver(/compte/password/reset/key/\S+)", mailoutbox[0].body).group(1)
    assert Client().get(link, follow=True).status_code == 200


@pytest.mark.django_db
def test_a_reset_for_a_managers_account_from_the_users_admin(
    client, staff, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(staff)
    page = client.get(f"/admin/accounts/user/{manager_a.pk}/change/").text
    assert "Envoyer un lien de réinitialisation du mot de passe" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/accounts/user/{manager_a.pk}/reinitialiser-mot-de-passe/")
    assert [m.to for m in mailoutbox] == [[manager_a.email]]


@pytest.mark.django_db
def test_the_bulk_action_sends_one_email_each_and_skips_deactivated_accounts(
    client_a, structure_a, django_capture_on_commit_callbacks, mailoutbox
):
    active = MemberFactory(structure=structure_a)
    gone = MemberFactory(structure=structure_a, is_active=False, status="deactivated")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/admin/structures/member/?status=all",
            {"action": "send_password_reset", "_selected_action": [active.pk, gone.pk]},
            follow=True,
        )
    assert [m.to for m in mailoutbox] == [[active.email]]
    assert "Aucun lien pour les comptes désactivés" in response.text


@pytest.mark.django_db
def test_reset_is_post_only(client, staff, member_a, mailoutbox):
    client.force_login(staff)
    assert (
        client.get(f"/admin/structures/member/{member_a.pk}/reinitialiser-mot-de-passe/").status_code == 405
    )
    assert mailoutbox == []


@pytest.mark.django_db
@pytest.mark.real_hashers
def test_no_password_is_shown_or_settable_in_the_admin(client, staff, manager_a, member_a):
    client.force_login(staff)
    for url in (
        f"/admin/accounts/user/{manager_a.pk}/change/",
        f"/admin/structures/member/{member_a.pk}/change/",
        "/admin/accounts/user/",
        "/admin/structures/member/?status=all",
    ):
        page = client.get(url).text
        assert "argon2" not in page
        assert 'name="password' not in page
        assert 'type="password"' not in page.split('id="content"')[1]
    response = client.get(f"/admin/accounts/user/{manager_a.pk}/password/", follow=True)
    assert 'type="password"' not in response.text.split('id="content"')[1]
    before = manager_a.password
    client.post(
        f"/admin/accounts/user/{manager_a.pk}/password/",
        {"password1": "Pirate-2026!", "password2": "Pirate-2026!"},
    )
    manager_a.refresh_from_db()
    assert manager_a.password == before


@pytest.mark.django_db
def test_the_email_outbox_never_shows_a_reset_link_to_staff(
    client, staff, member_a, django_capture_on_commit_callbacks
):
    from ceplus.models import OutgoingEmail

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/structures/member/{member_a.pk}/reinitialiser-mot-de-passe/")
    email = OutgoingEmail.objects.get(to=member_a.email)
    page = client.get(f"/admin/ceplus/outgoingemail/{email.pk}/change/").text
    assert "/compte/password/reset/key/" not in page
