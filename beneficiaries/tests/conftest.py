"""A structure that asks proofs the way the demo's first one does."""

import pytest

from beneficiaries.models import ProofKind, Relationship
from ceplus.tests.factories import StructureFactory


@pytest.fixture
def proof_structure(db):
    """Spouse or PACS partner with a livret de famille or an attestation de PACS; children under
    21, and under 26 with a certificat de scolarité or a contrat d'apprentissage."""
    return StructureFactory(
        name="CSE Textiles",
        proof_required_kinds=[Relationship.SPOUSE, Relationship.PACS],
        accepted_proofs=[ProofKind.LIVRET_FAMILLE, ProofKind.ATTESTATION_PACS],
        child_age_limit=21,
        child_extended_age_limit=26,
        child_extended_proofs=[ProofKind.CERTIFICAT_SCOLARITE, ProofKind.CONTRAT_APPRENTISSAGE],
    )
