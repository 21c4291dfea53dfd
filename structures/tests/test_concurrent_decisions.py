"""Two managers deciding on the same member at the same moment: one decision wins, with one
audit entry and one email (a row lock; real threads on PostgreSQL)."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection

from accounts.models import User
from ceplus import emails
from ceplus.models import OutgoingEmail
from ceplus.tests.factories import ManagerFactory, PendingMemberFactory, StructureFactory
from structures.models import MembershipDecision
from structures.services import DecisionNotAllowed, member_approve, member_reject

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(*calls):
    """Start every call at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "decided"
        except DecisionNotAllowed:
            outcomes[index] = "refused"
        except Exception as error:  # reported by the assertion below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_emails(monkeypatch):
    """Hold each decision's transaction open a moment after its status check, so that without
    a lock both managers would read "pending" before either commits."""
    queue_email = emails.queue_email

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return queue_email(*args, **kwargs)

    monkeypatch.setattr("structures.services.queue_email", slow)


def test_two_approvals_at_once_make_one_decision(slow_emails):
    structure = StructureFactory()
    first, second = ManagerFactory(structures=[structure]), ManagerFactory(structures=[structure])
    member = PendingMemberFactory(structure=structure)
    mail.outbox = []

    outcomes = run_at_once(
        lambda: member_approve(member=User.objects.get(pk=member.pk), acting_user=first),
        lambda: member_approve(member=User.objects.get(pk=member.pk), acting_user=second),
    )

    assert sorted(outcomes) == ["decided", "refused"]
    assert MembershipDecision.objects.filter(member=member).count() == 1
    assert OutgoingEmail.objects.filter(to=member.email).count() == 1
    assert len(mail.outbox) == 1
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED


def test_approve_and_reject_at_once_leave_one_final_status(slow_emails):
    structure = StructureFactory()
    first, second = ManagerFactory(structures=[structure]), ManagerFactory(structures=[structure])
    member = PendingMemberFactory(structure=structure)
    mail.outbox = []

    outcomes = run_at_once(
        lambda: member_approve(member=User.objects.get(pk=member.pk), acting_user=first),
        lambda: member_reject(member=User.objects.get(pk=member.pk), acting_user=second, reason="Inconnu"),
    )

    assert sorted(outcomes) == ["decided", "refused"]
    decision = MembershipDecision.objects.get(member=member)
    member.refresh_from_db()
    assert member.status == decision.to_status
    assert len(mail.outbox) == 1
