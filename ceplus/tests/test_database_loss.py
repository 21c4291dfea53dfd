"""The database connection lost in the middle of a submission or a decision: no partial rows, a French error
page, and the next request works again by itself (connection health checks).

The requests go to the live server, whose request handling is the production one (the test
client switches off the per-request connection checks)."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Address, Consent, User
from accounts.tests.signup_helpers import CHILD, consents, ready_invitation, walk_to_validation
from beneficiaries.models import Beneficiary
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import ManagerFactory, PendingMemberFactory, StructureFactory
from ceplus.tests.live_http import Browser
from structures.models import MembershipDecision

pytestmark = pytest.mark.django_db(transaction=True)


def kill_own_connection():
    """What a database restart or a network cut does to the connection in use."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def row_counts():
    return [model.objects.count() for model in (User, Address, Beneficiary, Consent, MembershipDecision)]


def test_a_submission_cut_from_the_database_writes_nothing_and_the_site_recovers(client, live_server):
    # given a wizard filled in up to VALIDATION (through the test client, sessions are in the database)
    invitation = ready_invitation()
    walk_to_validation(client, invitation, beneficiaries=[CHILD])
    browser = Browser(live_server.url, {"sessionid": client.session.session_key})
    status, page = browser.request(reverse("signup_validation"))
    assert status == 200
    assert "Envoyer ma demande" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    before = row_counts()

    # when the connection dies after the user, address and beneficiaries are written
    original = Consent.objects.get_or_create

    def cut_then_write(*args, **kwargs):
        kill_own_connection()
        return original(*args, **kwargs)

    with mock.patch.object(Consent.objects, "get_or_create", side_effect=cut_then_write):
        status, page = browser.request(
            reverse("signup_validation"), {**consents(), "csrfmiddlewaretoken": token}
        )

    # then a French error page, no row written, and the next requests work again
    assert status == 500, re.sub(r"\s+", " ", page)[:3000]
    assert "Désolé, le service rencontre un problème" in page
    assert row_counts() == before
    assert browser.request("/healthz")[0] == 200
    status, page = browser.request(reverse("signup_validation"))
    assert status == 200


def test_a_decision_cut_from_the_database_changes_nothing_and_the_admin_recovers(client, live_server):
    # given a manager in the admin and a pending member of their structure
    structure = StructureFactory()
    manager = ManagerFactory(structures=[structure])
    member = PendingMemberFactory(structure=structure)
    client.force_login(manager)
    browser = Browser(live_server.url, {"sessionid": client.session.session_key})
    status, page = browser.request("/admin/structures/member/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    before = row_counts()

    # when the connection dies between the status change and its audit record
    original = MembershipDecision.objects.create

    def cut_then_write(*args, **kwargs):
        kill_own_connection()
        return original(*args, **kwargs)

    with mock.patch.object(MembershipDecision.objects, "create", side_effect=cut_then_write):
        status, page = browser.request(
            "/admin/structures/member/",
            {"action": "approve_selected", "_selected_action": [member.pk], "csrfmiddlewaretoken": token},
        )

    # then the French error page, the member still pending, no email, and the admin answers again
    assert status == 500
    assert "Désolé, le service rencontre un problème" in page
    member.refresh_from_db()
    assert member.status == User.Status.PENDING
    assert row_counts() == before
    assert not OutgoingEmail.objects.exists()
    assert browser.request("/admin/structures/member/")[0] == 200
