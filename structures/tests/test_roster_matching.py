"""Each registration against its structure's staff list: the badge, the filter, the departures,
and what a structure lets the list decide (automatic validation, deactivation on the date)."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import MemberFactory, PendingMemberFactory, RosterEntryFactory
from structures.models import MembershipDecision, RosterImport
from structures.roster.decisions import departures_deactivate, pending_auto_approve, registration_auto_approve
from structures.roster.matching import Match, annotate_match, departures, member_match
from structures.roster.services import roster_replace

QUEUE = "/admin/structures/member/"


def match_of(member):
    return annotate_match(User.objects.filter(pk=member.pk)).get().roster_match


@pytest.fixture
def listed(structure_a):
    """A pending registration whose address is on structure A's list."""
    member = PendingMemberFactory(structure=structure_a, last_name="Lefèvre", first_name="Anaïs")
    RosterEntryFactory(structure=structure_a, email=member.email, last_name="LEFEVRE", first_name="anais")
    return member


@pytest.mark.django_db
def test_same_email_is_on_the_list(listed):
    assert match_of(listed) == Match.LISTED
    assert member_match(listed) == Match.LISTED


@pytest.mark.django_db
def test_same_name_without_accents_or_case_but_another_email(structure_a, listed):
    namesake = PendingMemberFactory(structure=structure_a, last_name="Lefevre", first_name="Anaïs")
    assert match_of(namesake) == Match.NAME_ONLY
    assert member_match(namesake) == Match.NAME_ONLY


@pytest.mark.django_db
def test_nobody_of_that_name_or_email_is_off_the_list(structure_a, listed):
    stranger = PendingMemberFactory(structure=structure_a, last_name="Inconnu")
    assert match_of(stranger) == Match.NOT_LISTED


@pytest.mark.django_db
def test_without_a_list_there_is_no_badge(member_a):
    assert match_of(member_a) is None
    assert member_match(member_a) is None


@pytest.mark.django_db
def test_another_structures_list_does_not_count(structure_b, member_a):
    RosterEntryFactory(structure=structure_b, email=member_a.email)
    assert match_of(member_a) is None


@pytest.mark.django_db
def test_a_line_gone_from_the_list_or_past_its_date_no_longer_matches(structure_a, listed):
    entry = structure_a.roster_entries.get()
    RosterEntryFactory(structure=structure_a, last_name="Autre")
    entry.end_date = timezone.localdate() - datetime.timedelta(days=1)
    entry.save()
    assert match_of(listed) == Match.NOT_LISTED
    entry.end_date = timezone.localdate()
    entry.save()
    # Their last day is still a day at work.
    assert match_of(listed) == Match.LISTED
    entry.removed_at = timezone.now()
    entry.save()
    assert match_of(listed) == Match.NOT_LISTED
    structure_a.roster_entries.update(removed_at=timezone.now())
    # Nobody on the list today: no badge at all.
    assert match_of(listed) is None


@pytest.mark.django_db
def test_the_queue_shows_the_badges_and_filters_on_them(client_a, structure_a, listed):
    namesake = PendingMemberFactory(structure=structure_a, last_name="Lefevre", first_name="Anais")
    stranger = PendingMemberFactory(structure=structure_a, last_name="Zorro")
    page = client_a.get(QUEUE).text
    assert '<span class="roster-badge roster-listed">Sur la liste du personnel</span>' in page
    assert "Nom sur la liste, email différent" in page
    assert "Hors liste" in page
    only_listed = client_a.get(QUEUE + "?liste=listed").text
    assert listed.email in only_listed
    assert namesake.email not in only_listed
    assert stranger.email not in only_listed
    assert stranger.email in client_a.get(QUEUE + "?liste=none").text
    assert client_a.get(QUEUE + "?liste=n%27importe").status_code == 200


@pytest.mark.django_db
def test_departures_are_the_validated_members_the_list_says_have_left(client_a, structure_a):
    today = timezone.localdate()
    left = MemberFactory(structure=structure_a, last_name="Partie")
    RosterEntryFactory(structure=structure_a, email=left.email, end_date=today - datetime.timedelta(days=3))
    gone = MemberFactory(structure=structure_a, last_name="Disparu")
    RosterEntryFactory(structure=structure_a, email=gone.email, removed_at=timezone.now())
    staying = MemberFactory(structure=structure_a, last_name="Reste")
    RosterEntryFactory(
        structure=structure_a, email=staying.email, end_date=today + datetime.timedelta(days=30)
    )
    never_listed = MemberFactory(structure=structure_a, last_name="Jamaislistee")
    page = client_a.get(QUEUE + "?liste=departs").text
    assert "<title>Départs à traiter" in page
    assert left.email in page
    assert gone.email in page
    assert staying.email not in page
    assert never_listed.email not in page
    # The bulk deactivation is offered on the list.
    assert "Désactiver l&#x27;accès des personnes sélectionnées" in page


@pytest.fixture
def auto_structure(structure_a, manager_a):
    structure_a.roster_auto_approve = True
    structure_a.save()
    upload = RosterImport.objects.create(structure=structure_a, uploaded_by=manager_a, file_name="liste.csv")
    return structure_a, upload


def verify(member):
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)


@pytest.mark.django_db
def test_a_proven_listed_address_is_validated_by_the_list(
    auto_structure, manager_a, django_capture_on_commit_callbacks
):
    structure, upload = auto_structure
    member = PendingMemberFactory(structure=structure)
    RosterEntryFactory(structure=structure, email=member.email, roster_import=upload)
    verify(member)
    with django_capture_on_commit_callbacks(execute=True):
        decision = registration_auto_approve(member=member)
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    assert decision.acting_user == manager_a
    assert "liste du personnel importée le" in decision.reason
    assert MembershipDecision.objects.filter(member=member, to_status=User.Status.APPROVED).count() == 1
    assert OutgoingEmail.objects.filter(
        recipient=member, template="structures/email/member_approved"
    ).exists()


@pytest.mark.django_db
def test_an_unproven_address_waits_for_its_confirmation(auto_structure):
    structure, upload = auto_structure
    member = PendingMemberFactory(structure=structure)
    RosterEntryFactory(structure=structure, email=member.email, roster_import=upload)
    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    assert registration_auto_approve(member=member) is None
    member.refresh_from_db()
    assert member.status == User.Status.PENDING
    # allauth's confirmation proves it: the list then validates it.
    address = EmailAddress.objects.get(user=member)
    from allauth.account.signals import email_confirmed

    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED


@pytest.mark.django_db
def test_nothing_is_validated_when_the_structure_did_not_choose_it(structure_a):
    member = PendingMemberFactory(structure=structure_a)
    RosterEntryFactory(structure=structure_a, email=member.email)
    verify(member)
    assert registration_auto_approve(member=member) is None
    assert pending_auto_approve(structure=structure_a) == 0
    member.refresh_from_db()
    assert member.status == User.Status.PENDING


@pytest.mark.django_db
def test_a_name_match_is_never_validated_automatically(auto_structure):
    structure, upload = auto_structure
    member = PendingMemberFactory(structure=structure, last_name="Durand", first_name="Alix")
    RosterEntryFactory(structure=structure, roster_import=upload)  # same name, another email
    verify(member)
    assert registration_auto_approve(member=member) is None


@pytest.mark.django_db
def test_the_pending_ones_on_the_list_are_validated_together(auto_structure):
    structure, upload = auto_structure
    members = PendingMemberFactory.create_batch(3, structure=structure)
    for member in members[:2]:
        RosterEntryFactory(structure=structure, email=member.email, roster_import=upload)
        verify(member)
    verify(members[2])
    assert pending_auto_approve(structure=structure) == 2
    assert User.objects.filter(structure=structure, status=User.Status.APPROVED).count() == 2


@pytest.mark.django_db
def test_departures_are_deactivated_the_day_after_their_date_when_chosen(structure_a):
    today = datetime.date(2026, 12, 1)
    left = MemberFactory(structure=structure_a)
    RosterEntryFactory(structure=structure_a, email=left.email, end_date=datetime.date(2026, 11, 30))
    last_day = MemberFactory(structure=structure_a)
    RosterEntryFactory(structure=structure_a, email=last_day.email, end_date=today)
    gone = MemberFactory(structure=structure_a)
    RosterEntryFactory(structure=structure_a, email=gone.email, removed_at=timezone.now())
    assert departures_deactivate(structure=structure_a, today=today) == 0  # not chosen
    structure_a.roster_auto_deactivate = True
    structure_a.save()
    assert departures_deactivate(structure=structure_a, today=today) == 1
    left.refresh_from_db()
    assert (left.status, left.is_active) == (User.Status.DEACTIVATED, False)
    decision = MembershipDecision.objects.get(member=left, to_status=User.Status.DEACTIVATED)
    assert decision.acting_user is None
    assert "30 novembre 2026" in decision.reason
    # Still at work on their date; gone without a date: left to the managers.
    for member in (last_day, gone):
        member.refresh_from_db()
        assert member.status == User.Status.APPROVED
    assert departures_deactivate(structure=structure_a, today=today) == 0


@pytest.mark.django_db
def test_a_line_that_could_not_be_read_never_makes_a_departure(structure_a, manager_a):
    member = MemberFactory(structure=structure_a, email="reste@example.org")
    structure_a.roster_auto_deactivate = True
    structure_a.save()
    first = "nom;prénom;email\nReste;Anne;reste@example.org\nAutre;Paul;paul@example.org\n"
    roster_replace(structure=structure_a, content=first.encode(), file_name="a.csv", acting_user=manager_a)
    # Her line is unreadable in the next export (no address), and she is absent otherwise.
    second = "nom;prénom;email\nAutre;Paul;paul@example.org\nReste;Anne;pas une adresse\n"
    report = roster_replace(
        structure=structure_a, content=second.encode(), file_name="b.csv", acting_user=manager_a
    )
    assert report.rejected
    assert report.kept_absent == 1
    assert not departures(User.objects.filter(pk=member.pk)).exists()
    assert departures_deactivate(structure=structure_a) == 0
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    # Once the file is right and she is really gone, she is proposed (no date: never automatic).
    roster_replace(
        structure=structure_a,
        content=b"nom;prenom;email\nAutre;Paul;paul@example.org\n",
        file_name="c.csv",
        acting_user=manager_a,
    )
    assert departures(User.objects.filter(pk=member.pk)).exists()
    assert departures_deactivate(structure=structure_a) == 0
