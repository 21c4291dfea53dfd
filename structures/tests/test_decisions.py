"""Each decision on a member is one service call: new status, one audit entry (who, when, from
which status to which, why) and one email to the member."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import User
from structures.models import MembershipDecision
from structures.services import (
    DecisionNotAllowed,
    member_approve,
    member_deactivate,
    member_reactivate,
    member_reject,
)


def decide(capture, service, **kwargs):
    with capture(execute=True):
        return service(**kwargs)


@pytest.mark.django_db
def test_approve_validates_records_and_emails_the_login_link(
    member_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    decision = decide(
        django_capture_on_commit_callbacks, member_approve, member=member_a, acting_user=manager_a
    )

    member_a.refresh_from_db()
    assert member_a.status == User.Status.APPROVED
    assert member_a.is_active
    assert member_a.status_changed_at is not None
    assert (decision.member, decision.acting_user, decision.structure) == (
        member_a,
        manager_a,
        member_a.structure,
    )
    assert (decision.from_status, decision.to_status) == (User.Status.PENDING, User.Status.APPROVED)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["lea.petit@example.org"]
    assert "validée" in email.subject
    assert "CSE Textiles de Sausheim" in email.subject
    assert "http://testserver/compte/login/" in email.body
    assert "http://testserver/compte/login/" in email.alternatives[0][0]


@pytest.mark.django_db
def test_reject_records_the_reason_and_emails_it(
    member_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    decide(
        django_capture_on_commit_callbacks,
        member_reject,
        member=member_a,
        acting_user=manager_a,
        reason="Vous ne faites pas partie du personnel de la structure.",
    )

    member_a.refresh_from_db()
    assert member_a.status == User.Status.REJECTED
    assert member_a.status_reason == "Vous ne faites pas partie du personnel de la structure."
    decision = MembershipDecision.objects.get(member=member_a)
    assert decision.reason == member_a.status_reason
    assert decision.to_status == User.Status.REJECTED
    assert len(mailoutbox) == 1
    assert "Vous ne faites pas partie du personnel de la structure." in mailoutbox[0].body
    assert "n'a pas été validée" in mailoutbox[0].subject


@pytest.mark.django_db
def test_a_refusal_needs_a_reason(member_a, manager_a, mailoutbox):
    with pytest.raises(DecisionNotAllowed):
        member_reject(member=member_a, acting_user=manager_a, reason="   ")
    member_a.refresh_from_db()
    assert member_a.status == User.Status.PENDING
    assert not MembershipDecision.objects.exists()


@pytest.mark.django_db
def test_deactivate_ends_access_and_reactivate_gives_it_back(
    member_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    decide(django_capture_on_commit_callbacks, member_approve, member=member_a, acting_user=manager_a)
    decide(
        django_capture_on_commit_callbacks,
        member_deactivate,
        member=member_a,
        acting_user=manager_a,
        reason="A quitté l'entreprise",
    )
    member_a.refresh_from_db()
    assert member_a.status == User.Status.DEACTIVATED
    assert not member_a.is_active
    assert "désactivé" in mailoutbox[-1].subject
    assert "A quitté l'entreprise" in mailoutbox[-1].body

    decide(django_capture_on_commit_callbacks, member_reactivate, member=member_a, acting_user=manager_a)
    member_a.refresh_from_db()
    assert member_a.status == User.Status.APPROVED
    assert member_a.is_active
    assert "rétabli" in mailoutbox[-1].subject
    history = list(MembershipDecision.objects.filter(member=member_a).order_by("created_at", "pk"))
    assert [(d.from_status, d.to_status) for d in history] == [
        ("pending", "approved"),
        ("approved", "deactivated"),
        ("deactivated", "approved"),
    ]
    assert len(mailoutbox) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "service", "kwargs"),
    [
        (User.Status.APPROVED, member_approve, {}),
        (User.Status.APPROVED, member_reject, {"reason": "Motif"}),
        (User.Status.PENDING, member_deactivate, {}),
        (User.Status.PENDING, member_reactivate, {}),
        (User.Status.REJECTED, member_deactivate, {}),
    ],
)
def test_a_decision_that_does_not_fit_the_status_changes_nothing(
    member_a, manager_a, status, service, kwargs, mailoutbox
):
    User.objects.filter(pk=member_a.pk).update(status=status)
    with pytest.raises(DecisionNotAllowed):
        service(member=member_a, acting_user=manager_a, **kwargs)
    member_a.refresh_from_db()
    assert member_a.status == status
    assert not MembershipDecision.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_refused_registration_may_be_approved_after_all(member_a, manager_a):
    member_reject(member=member_a, acting_user=manager_a, reason="Erreur de saisie")
    member_approve(member=member_a, acting_user=manager_a)
    member_a.refresh_from_db()
    assert member_a.status == User.Status.APPROVED
    assert member_a.status_reason == ""


@pytest.mark.django_db
def test_a_manager_cannot_decide_for_another_structure(member_b, manager_a, mailoutbox):
    with pytest.raises(PermissionDenied):
        member_approve(member=member_b, acting_user=manager_a)
    member_b.refresh_from_db()
    assert member_b.status == User.Status.PENDING
    assert not MembershipDecision.objects.exists()


@pytest.mark.django_db
def test_a_manager_does_not_validate_their_own_registration(structure_a, manager_a):
    User.objects.filter(pk=manager_a.pk).update(structure=structure_a, status=User.Status.PENDING)
    manager_a.refresh_from_db()
    with pytest.raises(DecisionNotAllowed):
        member_approve(member=manager_a, acting_user=manager_a)


@pytest.mark.django_db
def test_staff_decide_for_any_structure_and_commands_without_a_person(member_a, member_b, staff):
    member_approve(member=member_b, acting_user=staff)
    member_approve(member=member_a, acting_user=None)
    assert MembershipDecision.objects.get(member=member_b).acting_user == staff
    assert MembershipDecision.objects.get(member=member_a).acting_user is None


@pytest.mark.django_db
def test_a_failing_email_rolls_the_decision_back(member_a, manager_a, monkeypatch):
    """The decision, its audit entry and its email are one transaction."""

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr("structures.services.queue_email", broken)
    with pytest.raises(RuntimeError):
        member_approve(member=member_a, acting_user=manager_a)
    member_a.refresh_from_db()
    assert member_a.status == User.Status.PENDING
    assert not MembershipDecision.objects.exists()


@pytest.mark.django_db
def test_names_with_markup_are_escaped_in_the_html_email(
    structure_a, manager_a, django_capture_on_commit_callbacks, mailoutbox
):
    from ceplus.tests.factories import PendingMemberFactory

    member = PendingMemberFactory(structure=structure_a, first_name="<script>alert(1)</script>")
    decide(django_capture_on_commit_callbacks, member_approve, member=member, acting_user=manager_a)
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
