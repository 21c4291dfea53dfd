"""The yearly update's emails, sent by `manage.py structures_daily`: "Mettez à jour vos
bénéficiaires" on the start date to each validated member with beneficiaries, once; one
reminder 7 days before the deadline to those who have not confirmed, once."""

import datetime

import pytest

from beneficiaries.models import Campaign, FamilyConfirmation
from beneficiaries.tests.daily_helpers import at, daily
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, PendingMemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    structure = StructureFactory(name="CSE Textiles", contact_email="cse@textiles.example")
    with at(datetime.date(2026, 12, 1)):
        asked = MemberFactory(structure=structure, email="marie@example.org", first_name="Marie")
        BeneficiaryFactory(member=asked)
        confirms = MemberFactory(structure=structure, email="jean@example.org", first_name="Jean")
        BeneficiaryFactory(member=confirms)
        MemberFactory(structure=structure, email="sans.famille@example.org")
        BeneficiaryFactory(member=PendingMemberFactory(structure=structure, email="attente@example.org"))
        BeneficiaryFactory(member=MemberFactory(email="ailleurs@example.org"))  # another structure
    campaign = Campaign.objects.create(
        structure=structure, starts_on=datetime.date(2027, 1, 5), deadline=datetime.date(2027, 1, 31)
    )
    return {"structure": structure, "campaign": campaign, "confirms": confirms}


def test_the_campaign_is_announced_once_on_its_start_date(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with at(datetime.date(2027, 1, 4)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []

    with at(datetime.date(2027, 1, 5)):
        output = daily(django_capture_on_commit_callbacks)
        daily(django_capture_on_commit_callbacks)
    with at(datetime.date(2027, 1, 6)):
        daily(django_capture_on_commit_callbacks)

    assert sorted(email.to[0] for email in mailoutbox) == ["jean@example.org", "marie@example.org"]
    email = next(email for email in mailoutbox if email.to == ["marie@example.org"])
    assert email.subject == "Mettez à jour vos bénéficiaires – CSE Textiles"
    assert "Bonjour Marie," in email.body
    assert "Avant le 31 janvier 2027" in email.body
    assert "http://testserver/espace/beneficiaires/mise-a-jour/" in email.body
    assert "cse@textiles.example" in email.body
    html = email.alternatives[0][0]
    assert "CSE Textiles" in html
    assert "/espace/beneficiaires/mise-a-jour/" in html
    world["campaign"].refresh_from_db()
    assert world["campaign"].announced_at is not None
    assert "CSE Textiles : mise à jour annuelle annoncée à 2 ouvrant(s)-droit, rappelée à 0" in output
    assert "Familles : 2 annonce(s) de la mise à jour annuelle, 0 rappel(s)" in output


def test_one_reminder_seven_days_before_the_deadline_to_those_who_have_not_confirmed(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with at(datetime.date(2027, 1, 5)):
        daily(django_capture_on_commit_callbacks)
        FamilyConfirmation.objects.create(campaign=world["campaign"], member=world["confirms"])
    mailoutbox.clear()

    with at(datetime.date(2027, 1, 23)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []

    with at(datetime.date(2027, 1, 24)):
        output = daily(django_capture_on_commit_callbacks)
    with at(datetime.date(2027, 1, 25)):
        daily(django_capture_on_commit_callbacks)

    assert [email.to for email in mailoutbox] == [["marie@example.org"]]
    assert (
        mailoutbox[0].subject
        == "Rappel : mettez à jour vos bénéficiaires avant le 31 janvier 2027 – CSE Textiles"
    )
    assert "http://testserver/espace/beneficiaires/mise-a-jour/" in mailoutbox[0].body
    assert "rappelée à 1" in output
    world["campaign"].refresh_from_db()
    assert world["campaign"].reminded_at is not None


def test_a_campaign_created_after_its_deadline_is_never_announced(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    structure = StructureFactory()
    BeneficiaryFactory(member=MemberFactory(structure=structure))
    Campaign.objects.create(
        structure=structure, starts_on=datetime.date(2026, 1, 5), deadline=datetime.date(2026, 1, 31)
    )
    with at(datetime.date(2026, 3, 1)):
        daily(django_capture_on_commit_callbacks)
    assert mailoutbox == []
