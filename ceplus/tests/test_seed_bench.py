"""`manage.py seed_bench`: the benchmark's data, at a small scale (`--members 50`)."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import Address, Consent, User
from beneficiaries.models import PARTNER_RELATIONSHIPS, Beneficiary
from ceplus.management.commands import seed_bench
from ceplus.models import LegalDocument
from ceplus.tests import factories
from ceplus.text import name_key
from structures.models import Invitation, RosterEntry, Structure

pytestmark = pytest.mark.django_db


def seed(*args: str) -> dict:
    out = io.StringIO()
    call_command("seed_bench", *args, stdout=out)
    return dict(line.split(": ", 1) for line in out.getvalue().splitlines())


def test_seeds_members_with_one_in_twenty_pending_by_default():
    """50 members, 2 of them pending; each has an address and a confirmed primary email."""
    output = seed("--members", "50", "--batch-size", "7")
    members = User.objects.filter(structure__isnull=False)
    assert members.count() == 50
    assert members.filter(status=User.Status.PENDING).count() == 2
    assert output["members"] == "50"
    assert output["pending"] == "2"
    assert Address.objects.filter(user__in=members).count() == 50
    assert EmailAddress.objects.filter(user__in=members, verified=True, primary=True).count() == 50
    assert all(EmailAddress.objects.filter(user=member, email=member.email).exists() for member in members)


def test_members_accepted_the_documents_in_force_when_they_joined():
    """Each member has accepted the current CGU, CGV and règlement, published before they joined."""
    seed("--members", "20")
    current = LegalDocument.objects.current_set(LegalDocument.CONSENT_KINDS)
    assert len(current) == 3
    for member in User.objects.filter(structure__isnull=False):
        consents = Consent.objects.filter(user=member)
        assert {consent.document_id for consent in consents} == {doc.pk for doc in current.values()}
        assert all(doc.published_at <= member.date_joined for doc in current.values())


def test_pending_count_is_an_option():
    """--pending sets how many members wait for validation."""
    seed("--members", "40", "--pending", "15")
    assert User.objects.filter(structure__isnull=False, status=User.Status.PENDING).count() == 15


def test_members_are_spread_over_structures_with_a_shared_link_each():
    """Five structures, the first one the biggest, each with its live shared invitation; every
    member signed up through their structure's link."""
    seed("--members", "200")
    structures = Structure.objects.annotate(size=Count("members")).order_by("-size")
    assert structures.count() == 5
    assert all(structure.size > 0 for structure in structures)
    assert structures[0].name == seed_bench.STRUCTURES[0][0]
    for structure in structures:
        assert structure.invitations.usable().filter(kind=Invitation.Kind.SHARED).count() == 1
    for member in User.objects.filter(structure__isnull=False).select_related("invitation"):
        assert member.invitation.structure_id == member.structure_id


def test_beneficiaries_follow_the_household_rules():
    """Beneficiaries are seeded, with their count printed, and no member has two partners."""
    output = seed("--members", "200")
    assert int(output["beneficiaries"]) == Beneficiary.objects.count() > 0
    partners = (
        Beneficiary.objects.filter(relationship__in=PARTNER_RELATIONSHIPS)
        .values("member")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not partners.exists()


@pytest.mark.real_hashers
def test_every_account_shares_one_password_hash_made_by_the_configured_hasher():
    """The password is hashed once (Argon2, the configured hasher) and reused for every row."""
    seed("--members", "30")
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    assert hashes.pop().startswith("argon2$")
    assert User.objects.get(email=seed_bench.MEMBER_EMAIL).check_password(seed_bench.PASSWORD)


def test_manager_of_the_biggest_structure_and_approved_member_log_in(client):
    """The printed accounts work: the member reaches the member area, the manager manages the
    biggest structure, and the printed invitation path opens the wizard's landing page."""
    output = seed("--members", "30")
    manager_email, password = output["manager"].split(" / ")
    member_email = output["member"].split(" / ")[0]

    manager = User.objects.get(email=manager_email)
    biggest = Structure.objects.annotate(size=Count("members")).order_by("-size").first()
    assert manager.is_staff
    assert list(manager.managed_structures.all()) == [biggest]

    member = User.objects.get(email=member_email)
    assert member.is_approved_member
    assert member.structure == biggest
    response = client.post("/compte/login/", {"login": member_email, "password": password})
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200

    assert client.get(output["invite_path"]).status_code == 200


def test_refuses_a_database_that_already_has_accounts():
    """It fills an empty database only: with an account in it, it stops and writes nothing."""
    factories.MemberFactory()
    with pytest.raises(CommandError, match="base vide"):
        call_command("seed_bench", "--members", "10", stdout=io.StringIO())
    assert User.objects.count() == 1
    assert Structure.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [["--members", "0"], ["--members", "10", "--pending", "10"], ["--members", "10", "--batch-size", "0"]],
)
def test_refuses_impossible_counts(args):
    """Counts that cannot be met stop the command with a message, before any write."""
    with pytest.raises(CommandError):
        call_command("seed_bench", *args, stdout=io.StringIO())
    assert not User.objects.exists()


def test_members_carry_their_name_key_and_most_are_on_their_staff_list():
    """bulk_create skips ``User.save``: the name key the queue's roster match reads is set by hand."""
    seed("--members", "200")
    members = User.objects.filter(structure__isnull=False)
    assert all(member.name_key == name_key(member.last_name, member.first_name) for member in members)
    entries = RosterEntry.objects.all()
    assert 100 < entries.count() < 200
    assert all(entry.name_key == name_key(entry.last_name, entry.first_name) for entry in entries)
    on_list = members.filter(email__in=entries.values("email")).exclude(structure__isnull=True)
    assert on_list.count() > 100
