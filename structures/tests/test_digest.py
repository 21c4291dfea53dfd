"""The daily digest: structures that chose one email a day get the registrations that came in
since the previous digest, once (`manage.py structures_daily`, run by a scheduler)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from ceplus.tests.factories import ManagerFactory, MemberFactory, PendingMemberFactory, StructureFactory
from structures.models import Structure


@pytest.fixture
def daily(db):
    structure = StructureFactory(name="CSE Quotidien", notification=Structure.Notification.DAILY)
    ManagerFactory(email="chef@quotidien.example", first_name="Nora", structures=[structure])
    ManagerFactory(email="adjoint@quotidien.example", structures=[structure])
    return structure


def run(capture):
    with capture(execute=True):
        call_command("structures_daily", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_managers_get_the_new_registrations_once(daily, django_capture_on_commit_callbacks, mailoutbox):
    PendingMemberFactory(structure=daily, last_name="Nouveau", first_name="Jean")
    PendingMemberFactory(structure=daily, last_name="Récent", first_name="Ana")
    MemberFactory(structure=daily, last_name="Déjà-validé")
    run(django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mailoutbox) == ["adjoint@quotidien.example", "chef@quotidien.example"]
    email = next(m for m in mailoutbox if m.to == ["chef@quotidien.example"])
    assert email.subject == "CSE Quotidien : 2 nouvelles inscriptions à valider"
    assert "Nouveau Jean" in email.body
    assert "Récent Ana" in email.body
    assert "Déjà-validé" not in email.body
    assert f"http://testserver/admin/structures/member/?structure={daily.pk}" in email.body

    mailoutbox.clear()
    run(django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.django_db
def test_only_registrations_since_the_previous_digest(daily, django_capture_on_commit_callbacks, mailoutbox):
    old = PendingMemberFactory(structure=daily, last_name="Ancien")
    old.date_joined = timezone.now() - datetime.timedelta(days=3)
    old.save()
    PendingMemberFactory(structure=daily, last_name="Frais")
    run(django_capture_on_commit_callbacks)
    body = mailoutbox[0].body
    assert "Frais" in body
    assert "Ancien" not in body
    assert "En tout, 2 inscriptions en attente" in body


@pytest.mark.django_db
def test_structures_that_want_each_registration_get_no_digest(
    structure_a, manager_a, member_a, django_capture_on_commit_callbacks, mailoutbox
):
    run(django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.django_db
def test_no_new_registration_no_email(daily, django_capture_on_commit_callbacks, mailoutbox):
    run(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    daily.refresh_from_db()
    assert daily.digest_sent_at is not None
