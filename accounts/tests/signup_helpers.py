"""Shared steps of the signup wizard's tests: walk the wizard through the HTTP client."""

from __future__ import annotations

import datetime
import html

from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import JobTitle
from accounts.signup.state import AccountDetails, AddressDetails
from beneficiaries.services import BeneficiaryDetails
from ceplus.tests import factories

PASSWORD = "Une phrase de passe bien longue"

ACCOUNT = {
    "last_name": "Martin",
    "first_name": "Marie",
    "job_title": "Comptable",
    "email": "marie.martin@example.org",
    "phone": "06 12 34 56 78",
    "password1": PASSWORD,
    "password2": PASSWORD,
    "nav": "next",
}

ADDRESS = {
    "line1": "12 rue des Vosges",
    "line2": "",
    "postal_code": "68100",
    "city": "Mulhouse",
    "country": "France",
    "nav": "next",
}


def beneficiary_rows(*rows: dict, prefix: str = "beneficiaires", nav: str = "next") -> dict:
    """The POST of step 3 with ``rows`` (each a dict of the row's fields)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "15",
        "nav": nav,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


CHILD = {"relationship": "child", "last_name": "Martin", "first_name": "Léa", "birth_date": "14/03/2016"}
SPOUSE = {"relationship": "spouse", "last_name": "Martin", "first_name": "Paul", "birth_date": "1985-06-01"}


def consents() -> dict:
    return {"consent_cgu": "on", "consent_cgv": "on", "consent_reglement": "on"}


def start(client, invitation) -> None:
    response = client.get(reverse("signup_start", args=[invitation.token]))
    assert response.status_code == 200


def walk_to_validation(client, invitation, *, account=None, address=None, beneficiaries=()) -> None:
    """Go through steps 1 to 3 with valid data (or the given one)."""
    start(client, invitation)
    response = client.post(reverse("signup_account"), account or ACCOUNT)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("signup_address"), address or ADDRESS)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(reverse("signup_beneficiaries"), beneficiary_rows(*beneficiaries))
    assert response.status_code == 302, response.content.decode()[:3000]


def submit(client, **extra):
    return client.post(reverse("signup_validation"), {**consents(), **extra})


def ready_invitation(**kwargs):
    """A structure's shared link, with its documents published."""
    factories.publish_consent_documents()
    # Transactional tests empty the tables, the job titles of the data migration included.
    JobTitle.objects.get_or_create(name=ACCOUNT["job_title"])
    return factories.InvitationFactory(**kwargs)


def text(response) -> str:
    """The page's HTML with entities decoded: messages say "qu'un", the HTML "qu&#x27;un"."""
    return html.unescape(response.content.decode())


def registration_details(invitation) -> dict:
    """The arguments of ``registration_submit`` as the wizard passes them, with two beneficiaries."""
    documents = factories.publish_consent_documents()
    job_title, _ = JobTitle.objects.get_or_create(name=ACCOUNT["job_title"])
    return {
        "invitation": invitation,
        "account": AccountDetails(
            last_name="Martin",
            first_name="Marie",
            job_title_id=job_title.pk,
            email=ACCOUNT["email"],
            phone="+33612345678",
            password_hash=make_password(PASSWORD),
        ),
        "address": AddressDetails(line1="12 rue des Vosges", postal_code="68100", city="Mulhouse"),
        "beneficiaries": [
            BeneficiaryDetails(
                relationship="child",
                last_name="Martin",
                first_name="Léa",
                birth_date=datetime.date(2016, 3, 14),
            ),
            BeneficiaryDetails(
                relationship="spouse",
                last_name="Martin",
                first_name="Paul",
                birth_date=datetime.date(1985, 6, 1),
            ),
        ],
        "consents": list(documents.values()),
        "ip_address": "203.0.113.7",
    }
