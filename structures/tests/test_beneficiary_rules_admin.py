"""The structure's rules about beneficiaries on its admin page: staff set which links need a
proof, which documents count, the children's extended age limit and its proofs, with French
errors; the history names them in words; managers read them in plain French."""

import pytest

from accounts.models import Event
from ceplus.tests.factories import StructureFactory
from structures.models import Structure


def change_url(structure) -> str:
    return f"/admin/structures/structure/{structure.pk}/change/"


def rules_form(structure, **overrides) -> dict:
    """What staff post on a structure's page, with the rules of the demo's first structure."""
    data = {
        "name": structure.name,
        "kind": structure.kind,
        "allowed_beneficiary_kinds": ["spouse", "pacs", "child"],
        "proof_required_kinds": ["spouse", "pacs"],
        "accepted_proofs": ["livret_famille", "attestation_pacs"],
        "child_age_limit": "21",
        "child_extended_age_limit": "26",
        "child_extended_proofs": ["certificat_scolarite", "contrat_apprentissage"],
        "child_age_reference": "today",
        "notification": "each",
        "contact_email": "",
        "contact_phone": "",
        "contact_hours": "",
        "contact_message": "",
        "new_manager_email": "",
        "new_manager_first_name": "",
        "new_manager_last_name": "",
        "reminder_delay_days": "7",
    }
    data.update(overrides)
    return data


@pytest.fixture
def structure(db):
    return StructureFactory(name="CSE Textiles de Sausheim", allowed_beneficiary_kinds=["spouse", "child"])


@pytest.mark.django_db
def test_staff_set_the_proof_rules_and_the_history_names_them_in_words(client, staff, structure):
    client.force_login(staff)
    page = client.get(change_url(structure)).text
    for name in (
        "proof_required_kinds",
        "accepted_proofs",
        "child_extended_age_limit",
        "child_extended_proofs",
    ):
        assert f'name="{name}"' in page
    # The extended-age documents are not offered as proofs of a link.
    assert 'name="accepted_proofs" value="certificat_scolarite"' not in page

    response = client.post(change_url(structure), rules_form(structure))

    assert response.status_code == 302, response.text[:3000]
    structure.refresh_from_db()
    assert structure.proof_required_kinds == ["spouse", "pacs"]
    assert structure.accepted_proofs == ["livret_famille", "attestation_pacs"]
    assert (structure.child_age_limit, structure.child_extended_age_limit) == (21, 26)
    assert structure.child_extended_proofs == ["certificat_scolarite", "contrat_apprentissage"]
    event = Event.objects.get(kind=Event.Kind.STRUCTURE_CHANGED, structure=structure)
    assert event.acting_user == staff
    changes = {change["field"]: (change["before"], change["after"]) for change in event.changes}
    assert changes["justificatif demandé pour"] == ("—", "Époux·se, Partenaire de PACS")
    assert changes["justificatifs acceptés"] == ("—", "Livret de famille, Attestation de PACS")
    assert changes["justificatifs de la prolongation"] == (
        "—",
        "Certificat de scolarité, Contrat d'apprentissage",
    )
    assert changes["âge limite prolongé, avec un justificatif"] == ("—", "26")
    assert changes["bénéficiaires acceptés"][1] == "Époux·se, Partenaire de PACS, Enfant à charge"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"child_extended_age_limit": "20"},
            "child_extended_age_limit",
            "Saisissez un âge limite prolongé supérieur à l&#x27;âge limite des enfants (21 ans), ou laissez vide.",
        ),
        (
            {"child_extended_age_limit": "31"},
            "child_extended_age_limit",
            "Saisissez un âge limite prolongé de 30 ans au plus, ou laissez vide.",
        ),
        (
            {"child_extended_proofs": []},
            "child_extended_proofs",
            "Cochez au moins un justificatif de la prolongation (certificat de scolarité, contrat "
            "d&#x27;apprentissage), ou laissez l&#x27;âge limite prolongé vide.",
        ),
        (
            {"child_age_limit": "", "child_extended_age_limit": "25"},
            "child_extended_age_limit",
            "Les enfants n&#x27;ont pas d&#x27;âge limite : saisissez d&#x27;abord l&#x27;âge limite des enfants",
        ),
        (
            {"accepted_proofs": ["attestation_pacs"]},
            "accepted_proofs",
            "Pour demander un justificatif du lien « Époux·se », cochez au moins un document qui le "
            "prouve : Livret de famille.",
        ),
        (
            {"proof_required_kinds": ["concubin"]},
            "proof_required_kinds",
            "« Concubin·e » n&#x27;est pas un bénéficiaire accepté",
        ),
        (
            {"child_extended_age_limit": ""},
            "child_extended_age_limit",
            "Saisissez l&#x27;âge limite prolongé, ou décochez les justificatifs de la prolongation.",
        ),
    ],
)
def test_inconsistent_rules_are_refused_in_french(client, staff, structure, overrides, field, message):
    client.force_login(staff)
    before = Structure.objects.filter(pk=structure.pk).values().get()

    response = client.post(change_url(structure), rules_form(structure, **overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert message in response.text
    assert Structure.objects.filter(pk=structure.pk).values().get() == before
    assert not Event.objects.filter(kind=Event.Kind.STRUCTURE_CHANGED).exists()


@pytest.mark.django_db
def test_no_extension_and_no_proof_asked_is_fine(client, staff, structure):
    client.force_login(staff)
    response = client.post(
        change_url(structure),
        rules_form(
            structure,
            proof_required_kinds=[],
            accepted_proofs=[],
            child_extended_age_limit="",
            child_extended_proofs=[],
        ),
    )
    assert response.status_code == 302, response.text[:3000]
    structure.refresh_from_db()
    assert (structure.child_extended_age_limit, structure.proof_required_kinds) == (None, [])


@pytest.mark.django_db
def test_managers_read_the_rules_in_plain_french_and_cannot_change_them(client, structure_a, manager_a):
    Structure.objects.filter(pk=structure_a.pk).update(
        allowed_beneficiary_kinds=["spouse", "pacs", "child"],
        proof_required_kinds=["spouse", "pacs"],
        accepted_proofs=["livret_famille", "attestation_pacs"],
        child_age_limit=21,
        child_extended_age_limit=26,
        child_extended_proofs=["certificat_scolarite", "contrat_apprentissage"],
    )
    client.force_login(manager_a)
    page = client.get(change_url(structure_a)).text
    assert "Époux·se : Livret de famille" in page
    assert "Partenaire de PACS : Attestation de PACS" in page
    assert "Moins de 21 ans." in page
    assert (
        "Jusqu&#x27;à moins de 26 ans avec, chaque année, l&#x27;un de ces justificatifs : "
        "certificat de scolarité, contrat d&#x27;apprentissage." in page
    )
    for name in (
        "proof_required_kinds",
        "accepted_proofs",
        "child_extended_age_limit",
        "child_extended_proofs",
    ):
        assert f'name="{name}"' not in page

    # A forged post changes nothing of the rules.
    client.post(
        change_url(structure_a),
        {
            "reminder_delay_days": "7",
            "proof_required_kinds": [],
            "accepted_proofs": [],
            "child_extended_age_limit": "30",
            "child_extended_proofs": [],
        },
    )
    structure_a.refresh_from_db()
    assert structure_a.proof_required_kinds == ["spouse", "pacs"]
    assert structure_a.child_extended_age_limit == 26
    assert structure_a.child_extended_proofs == ["certificat_scolarite", "contrat_apprentissage"]


@pytest.mark.django_db
def test_managers_read_that_nothing_is_asked(client, structure_a, manager_a):
    client.force_login(manager_a)
    page = client.get(change_url(structure_a)).text
    assert "Aucun : les bénéficiaires sont déclarés sans justificatif." in page
    assert "Pas de prolongation au-delà de l&#x27;âge limite." in page
