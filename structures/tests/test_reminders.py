"""Keeping the queue moving: the registrations that wait longer than the structure's delay are
recalled to its managers, one email a day at most (`manage.py structures_daily`)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from ceplus.tests.factories import (
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    RosterEntryFactory,
    StructureFactory,
)
from structures.models import Structure
from structures.services import registrations_remind


@pytest.fixture
def structure(db):
    structure = StructureFactory(name="CSE Rappel", reminder_delay_days=7)
    ManagerFactory(email="chef@rappel.example", first_name="Nora", structures=[structure])
    return structure


def waiting(structure, days: int, **kwargs):
    return PendingMemberFactory(
        structure=structure, date_joined=timezone.now() - datetime.timedelta(days=days), **kwargs
    )


def daily(capture):
    with capture(execute=True):
        call_command("structures_daily", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_managers_are_reminded_of_what_waits_too_long(
    structure, django_capture_on_commit_callbacks, mailoutbox
):
    waiting(structure, 9, last_name="Ancienne", first_name="Rose")
    waiting(structure, 2, last_name="Recente")
    daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["chef@rappel.example"]
    assert email.subject == "CSE Rappel : 1 inscription attend depuis plus de 7 jours"
    assert "Ancienne Rose" in email.body
    assert "Recente" not in email.body
    assert f"/admin/structures/member/?structure={structure.pk}" in email.body


@pytest.mark.django_db
def test_one_reminder_a_day_at_most(structure, django_capture_on_commit_callbacks, mailoutbox):
    waiting(structure, 9)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert registrations_remind(structure=structure, now=now) == 1
        assert registrations_remind(structure=structure, now=now + datetime.timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert registrations_remind(structure=structure, now=now + datetime.timedelta(days=1)) == 1
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_nothing_is_sent_when_nothing_waits_too_long(
    structure, django_capture_on_commit_callbacks, mailoutbox
):
    waiting(structure, 6)
    daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_delay_is_the_structures(structure, django_capture_on_commit_callbacks, mailoutbox):
    structure.reminder_delay_days = 3
    structure.save()
    waiting(structure, 4)
    daily(django_capture_on_commit_callbacks)
    assert mailoutbox[0].subject == "CSE Rappel : 1 inscription attend depuis plus de 3 jours"


@pytest.mark.django_db
def test_a_digest_structure_gets_the_reminder_in_its_digest(
    structure, django_capture_on_commit_callbacks, mailoutbox
):
    structure.notification = Structure.Notification.DAILY
    structure.save()
    waiting(structure, 9, last_name="Ancienne")
    waiting(structure, 0, last_name="Nouvelle")
    daily(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert "nouvelle inscription à valider" in mailoutbox[0].subject
    assert "Attention : 1 inscription attend depuis plus de 7 jours." in mailoutbox[0].body


@pytest.mark.django_db
def test_a_digest_structure_without_new_registrations_still_gets_the_reminder(
    structure, django_capture_on_commit_callbacks, mailoutbox
):
    structure.notification = Structure.Notification.DAILY
    structure.save()
    waiting(structure, 9)
    daily(django_capture_on_commit_callbacks)
    assert [m.subject for m in mailoutbox] == ["CSE Rappel : 1 inscription attend depuis plus de 7 jours"]


@pytest.mark.django_db
def test_the_daily_run_deactivates_a_departure_the_day_after_its_date(
    structure, django_capture_on_commit_callbacks, mailoutbox
):
    structure.roster_auto_deactivate = True
    structure.save()
    member = MemberFactory(structure=structure)
    RosterEntryFactory(structure=structure, email=member.email, end_date=datetime.date(2027, 1, 15))
    with time_machine.travel(datetime.datetime(2027, 1, 15, 22, 0, tzinfo=datetime.UTC), tick=False):
        # 23:00 in Paris on the 15th: their last day.
        daily(django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    with time_machine.travel(datetime.datetime(2027, 1, 15, 23, 30, tzinfo=datetime.UTC), tick=False):
        # 00:30 on the 16th in Paris.
        daily(django_capture_on_commit_callbacks)
    member.refresh_from_db()
    assert (member.status, member.is_active) == (User.Status.DEACTIVATED, False)
    assert any(m.to == [member.email] for m in mailoutbox)
