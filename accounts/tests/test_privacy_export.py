"""Mes données personnelles: a JSON file with everything the product holds about the member."""

import datetime
import json

import pytest
from django.urls import reverse

from accounts.models import Consent, JobTitle, User
from accounts.privacy import member_export
from beneficiaries.services import beneficiary_add
from ceplus.emails import queue_email
from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    MemberFactory,
    publish_consent_documents,
)
from structures.models import MembershipDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    member = MemberFactory(
        email="marie@example.org",
        first_name="Marie",
        last_name="Martin",
        job_title=JobTitle.objects.get(name="Comptable"),
    )
    AddressFactory(user=member, line1="3 rue du Rhin", postal_code="68390", city="Sausheim")
    beneficiary_add(
        member=member,
        relationship="child",
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2016, 3, 14),
        acting_user=member,
    )
    for document in publish_consent_documents().values():
        Consent.objects.create(user=member, document=document, ip_address="203.0.113.7")
    MembershipDecision.objects.create(
        member=member,
        structure=member.structure,
        from_status=User.Status.PENDING,
        to_status=User.Status.APPROVED,
        reason="Salariée confirmée",
    )
    queue_email(
        "account/email/email_changed",
        member.email,
        {"from_email": "a@b.fr", "to_email": "c@d.fr"},
        recipient=member,
    )
    return member


def test_the_file_is_a_json_download(client, member):
    client.force_login(member)
    response = client.get(reverse("member_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ceplus-mes-donnees-')
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profil"]["email"] == "marie@example.org"


def test_the_export_holds_every_kind_of_data(member):
    data = member_export(member=member)
    assert data["profil"] == {
        **data["profil"],
        "nom": "Martin",
        "prenom": "Marie",
        "fonction": "Comptable",
        "telephone": "+33612345678",
        "structure": member.structure.name,
        "statut": "Validé",
    }
    assert data["adresse_de_livraison"]["adresse"] == "3 rue du Rhin"
    assert data["adresse_de_livraison"]["code_postal"] == "68390"
    assert data["beneficiaires"] == [
        {
            **data["beneficiaires"][0],
            "lien": "Enfant à charge",
            "prenom": "Léa",
            "date_de_naissance": "2016-03-14",
        }
    ]
    assert data["historique_des_beneficiaires"][0]["action"] == "Ajout"
    assert {consent["document"] for consent in data["consentements"]} == {
        "Conditions générales d'utilisation (CGU)",
        "Conditions générales de vente (CGV)",
        "Règlement de CE+ Services",
    }
    assert data["consentements"][0]["adresse_ip"] == "203.0.113.7"
    assert data["decisions"] == [
        {**data["decisions"][0], "ancien_statut": "En attente de validation", "nouveau_statut": "Validé"}
    ]
    assert data["decisions"][0]["motif"] == "Salariée confirmée"
    assert [email["destinataire"] for email in data["emails_envoyes"]] == ["marie@example.org"]


def test_the_export_holds_nothing_of_another_member(member):
    other = MemberFactory(email="autre@example.org", structure=member.structure)
    BeneficiaryFactory(member=other, first_name="Quentin")
    AddressFactory(user=other, city="Colmar")
    text = json.dumps(member_export(member=member), ensure_ascii=False)
    assert "autre@example.org" not in text
    assert "Quentin" not in text
    assert "Colmar" not in text


@pytest.mark.real_hashers
def test_the_export_never_holds_the_password(member):
    text = json.dumps(member_export(member=member), ensure_ascii=False)
    assert "argon2" not in text
    assert member.password not in text


def test_the_export_holds_the_family_confirmed_in_a_yearly_update(member):
    import datetime

    from beneficiaries.services import campaign_save, family_confirm

    campaign = campaign_save(
        structure=member.structure,
        starts_on=datetime.date(2026, 11, 1),
        deadline=datetime.date(2026, 12, 31),
        acting_user=None,
    )
    family_confirm(member=member, campaign=campaign, acting_user=member)
    (confirmation,) = member_export(member=member)["mises_a_jour_annuelles"]
    assert confirmation["campagne"] == f"Mise à jour 2026 de {member.structure.name}"
    assert confirmation["famille_confirmee_le"]
