"""purge_personal_data erases, after the delays of the settings, registrations still pending,
rejected ones and deactivated members; never a validated member, a manager or staff."""

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import User
from beneficiaries.models import Beneficiary
from ceplus.tests.factories import (
    BeneficiaryFactory,
    ManagerFactory,
    MemberFactory,
    StaffFactory,
    StructureFactory,
)
from structures.models import MembershipDecision

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
START = datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def delays(settings):
    settings.PURGE_PENDING_AFTER_DAYS = 90
    settings.PURGE_REJECTED_AFTER_DAYS = 30
    settings.PURGE_DEACTIVATED_AFTER_DAYS = 365


def purge(**options) -> str:
    out = StringIO()
    call_command("purge_personal_data", stdout=out, **options)
    return out.getvalue()


def alive(*users) -> list[bool]:
    return [User.objects.filter(pk=user.pk).exists() for user in users]


@pytest.fixture
def accounts():
    """Accounts registered on START, each with a beneficiary; decisions also taken on START."""
    with time_machine.travel(START, tick=False):
        structure = StructureFactory()
        made = {
            "pending": MemberFactory(structure=structure, status=User.Status.PENDING),
            "rejected": MemberFactory(structure=structure, status=User.Status.REJECTED),
            "deactivated": MemberFactory(
                structure=structure, status=User.Status.DEACTIVATED, is_active=False
            ),
            "approved": MemberFactory(structure=structure),
            "manager": ManagerFactory(structures=[structure], status=User.Status.PENDING),
            "staff": StaffFactory(status=User.Status.PENDING),
        }
        for key in ("rejected", "deactivated"):
            made[key].status_changed_at = START
            made[key].save()
        for user in made.values():
            BeneficiaryFactory(member=user)
        MembershipDecision.objects.create(
            member=made["rejected"], structure=structure, from_status="pending", to_status="rejected"
        )
    return made


def test_nothing_goes_before_its_delay(accounts):
    with time_machine.travel(START + datetime.timedelta(days=29), tick=False):
        purge()
    assert all(alive(*accounts.values()))


def test_each_kind_goes_after_its_own_delay(accounts):
    a = accounts
    with time_machine.travel(START + datetime.timedelta(days=31), tick=False):
        output = purge()
    assert alive(a["rejected"], a["pending"], a["deactivated"]) == [False, True, True]
    assert "Refusé (après 30 jours) : 1 supprimé(s)" in output
    with time_machine.travel(START + datetime.timedelta(days=91), tick=False):
        purge()
    assert alive(a["pending"], a["deactivated"]) == [False, True]
    with time_machine.travel(START + datetime.timedelta(days=366), tick=False):
        purge()
    assert alive(a["deactivated"]) == [False]
    # never a validated member, a manager or staff, however old
    assert alive(a["approved"], a["manager"], a["staff"]) == [True, True, True]
    assert Beneficiary.objects.count() == 3
    # the decision stays, anonymised
    assert MembershipDecision.objects.get().member is None


def test_a_deactivation_counts_from_the_decision_not_the_registration(accounts):
    with time_machine.travel(START + datetime.timedelta(days=400), tick=False):
        late = MemberFactory(status=User.Status.DEACTIVATED, is_active=False)
        late.date_joined = START - datetime.timedelta(days=1000)
        late.status_changed_at = START + datetime.timedelta(days=300)
        late.save()
        purge()
    assert alive(late) == [True]


def test_a_dry_run_counts_and_erases_nothing(accounts):
    with time_machine.travel(START + datetime.timedelta(days=400), tick=False):
        output = purge(dry_run=True)
    assert "En attente de validation (après 90 jours) : 1 à supprimer" in output
    assert "Désactivé (après 365 jours) : 1 à supprimer" in output
    assert all(alive(*accounts.values()))


def read_setting(name: str, **environ: str) -> subprocess.CompletedProcess:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "ceplus.settings", "DEBUG": "1", **environ}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_delays_come_from_the_environment():
    assert read_setting("PURGE_PENDING_AFTER_DAYS").stdout.strip() == "90"
    assert read_setting("PURGE_REJECTED_AFTER_DAYS", PURGE_REJECTED_AFTER_DAYS="15").stdout.strip() == "15"
    refused = read_setting("PURGE_DEACTIVATED_AFTER_DAYS", PURGE_DEACTIVATED_AFTER_DAYS="un an")
    assert refused.returncode != 0
    assert "PURGE_DEACTIVATED_AFTER_DAYS" in refused.stderr
