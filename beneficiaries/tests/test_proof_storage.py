"""A proof's file: encrypted in the database, read again after a key rotation, deleted by the
daily purge when nobody checked it, gone with the member's erasure; its outcome in the export."""

import datetime
import io

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.management import call_command

from accounts.privacy import member_erase, member_export
from beneficiaries.models import Proof, ProofFile
from beneficiaries.services import proof_decide, proof_file_content, proofs_purge
from ceplus.crypto import UnreadableFile, encrypt
from ceplus.tests.factories import PDF_BYTES, ProofFactory

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 10, 1, 9, tzinfo=datetime.UTC)


def test_the_stored_bytes_are_not_the_plain_file():
    proof = ProofFactory()
    stored = bytes(ProofFile.objects.get(proof=proof).encrypted)
    assert PDF_BYTES not in stored
    assert b"%PDF" not in stored
    assert proof_file_content(proof) == (PDF_BYTES, "application/pdf")


def test_a_key_rotation_still_reads_the_files_of_the_old_key(settings):
    old_key, new_key = settings.FILE_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    proof = ProofFactory()  # encrypted with the old key
    settings.FILE_ENCRYPTION_KEYS = [new_key, old_key]
    assert proof_file_content(proof)[0] == PDF_BYTES
    # New files take the new key: without the old one, only they can be read.
    newer = ProofFactory()
    settings.FILE_ENCRYPTION_KEYS = [new_key]
    assert proof_file_content(newer)[0] == PDF_BYTES
    with pytest.raises(UnreadableFile):
        proof_file_content(proof)


def test_a_file_of_another_key_is_unreadable_not_a_crash(settings):
    proof = ProofFactory()
    ProofFile.objects.filter(proof=proof).update(encrypted=Fernet(Fernet.generate_key()).encrypt(b"x"))
    with pytest.raises(UnreadableFile):
        proof_file_content(proof)
    assert encrypt(b"x") != encrypt(b"x")  # a random IV each time


def test_the_daily_purge_deletes_a_file_nobody_checked_after_the_delay(settings):
    settings.PURGE_UNCHECKED_PROOFS_AFTER_DAYS = 60
    proof = ProofFactory(sent_at=SENT)
    decided = ProofFactory(sent_at=SENT)
    proof_decide(proof=decided, accepted=True, acting_user=None)
    with time_machine.travel(SENT + datetime.timedelta(days=59, hours=23)):
        assert proofs_purge() == 0
    assert ProofFile.objects.filter(proof=proof).exists()
    with time_machine.travel(SENT + datetime.timedelta(days=60, minutes=1)):
        call_command("purge_personal_data", stdout=io.StringIO())
    proof.refresh_from_db()
    assert proof.status == Proof.Status.EXPIRED
    assert not ProofFile.objects.exists()
    decided.refresh_from_db()
    assert decided.status == Proof.Status.ACCEPTED


def test_the_erasure_takes_the_proofs_and_their_files():
    proof = ProofFactory()
    member = proof.beneficiary.member
    member_erase(member=member, acting_user=member)
    assert not Proof.objects.exists()
    assert not ProofFile.objects.exists()


def test_the_export_lists_what_was_sent_and_decided_never_the_file():
    proof = ProofFactory()
    proof_decide(proof=proof, accepted=False, reason="unreadable", details="floue", acting_user=None)
    (beneficiary,) = member_export(member=proof.beneficiary.member)["beneficiaires"]
    (sent,) = beneficiary["justificatifs"]
    assert sent["document"] == "Livret de famille"
    assert sent["etat"] == "Refusé"
    assert sent["motif_du_refus"] == "Le document est illisible (floue)"
