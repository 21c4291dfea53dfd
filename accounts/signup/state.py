"""The signup wizard's state, kept in the session between its four steps.

Only cleaned, JSON-serialisable data is stored, never a password: step 1 keeps a hash made
with ``make_password``, which becomes the account's password as it is. What a person typed on
a step they left with Précédent, valid or not, is kept as a draft and shown again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.services import AccountDetails, AddressDetails, BeneficiaryDetails
from structures.models import Invitation

SESSION_KEY = "signup_wizard"
# Set once a registration is sent: the confirmation page reads it, and the wizard's pages lead
# there instead of starting over when the browser's back button comes back to them.
SENT_KEY = "signup_sent"
VERSION = 1


@dataclass(frozen=True)
class Step:
    key: str
    url_name: str
    title: Any  # lazy text: the page title, in sentence case
    heading: Any  # the seed's capitals
    intro: Any


STEPS = (
    Step(
        "account",
        "signup_account",
        _("Créez votre compte"),
        _("CRÉEZ VOTRE COMPTE"),
        _("Votre entreprise / CSE devra valider votre inscription."),
    ),
    Step(
        "address",
        "signup_address",
        _("Votre adresse de livraison"),
        _("VOTRE ADRESSE DE LIVRAISON"),
        _("Complétez votre adresse pour recevoir vos billets."),
    ),
    Step(
        "beneficiaries",
        "signup_beneficiaries",
        _("Ajout de bénéficiaires"),
        _("AJOUT DE BÉNÉFICIAIRES"),
        _("Les bénéficiaires sont les membres de votre famille."),
    ),
    Step(
        "validation",
        "signup_validation",
        _("Validation"),
        _("VALIDATION"),
        _("Vérifiez vos réponses, puis acceptez les CGU, les CGV et le règlement."),
    ),
)
STEP_KEYS = tuple(step.key for step in STEPS)
DATA_STEPS = STEP_KEYS[:3]


def step_by_key(key: str) -> Step:
    return STEPS[STEP_KEYS.index(key)]


class WizardStateInvalid(Exception):
    """The stored state cannot make a registration (written by an older version, or tampered)."""


class SignupWizard:
    """Read and write the wizard's state in ``request.session``."""

    def __init__(self, request: HttpRequest):
        self.session = request.session
        self.state = self._load(self.session.get(SESSION_KEY))

    @staticmethod
    def _load(raw: Any) -> dict:
        if (
            isinstance(raw, dict)
            and raw.get("version") == VERSION
            and isinstance(raw.get("invitation"), int)
            and isinstance(raw.get("data"), dict)
            and isinstance(raw.get("drafts"), dict)
            and isinstance(raw.get("password_hash"), str)
        ):
            return raw
        return {}

    @classmethod
    def start(cls, request: HttpRequest, invitation: Invitation) -> SignupWizard:
        """Begin with ``invitation``; a wizard already under way with it goes on where it was."""
        wizard = cls(request)
        if wizard.state.get("invitation") != invitation.pk:
            wizard.state = {
                "version": VERSION,
                "invitation": invitation.pk,
                "data": {},
                "drafts": {},
                "password_hash": "",
            }
            wizard.save()
        request.session.pop(SENT_KEY, None)
        return wizard

    @property
    def is_empty(self) -> bool:
        return not self.state

    @property
    def invitation_id(self) -> int | None:
        return self.state.get("invitation")

    def invitation(self) -> Invitation | None:
        if self.invitation_id is None:
            return None
        return Invitation.objects.select_related("structure").filter(pk=self.invitation_id).first()

    def save(self) -> None:
        self.session[SESSION_KEY] = self.state
        self.session.modified = True

    def clear(self) -> None:
        self.state = {}
        self.session.pop(SESSION_KEY, None)

    # Steps' data ---------------------------------------------------------------------------

    @property
    def password_hash(self) -> str:
        return self.state.get("password_hash", "")

    @password_hash.setter
    def password_hash(self, value: str) -> None:
        self.state["password_hash"] = value

    def data(self, key: str) -> Any:
        return self.state.get("data", {}).get(key)

    def draft(self, key: str) -> Any:
        return self.state.get("drafts", {}).get(key)

    def complete(self, key: str, value: Any) -> None:
        """``key`` passed its checks: keep its cleaned data, forget its draft."""
        self.state["data"][key] = value
        self.state["drafts"].pop(key, None)

    def keep_draft(self, key: str, value: Any) -> None:
        """What was typed on ``key``, not checked: shown again, and the step is to be done again."""
        self.state["drafts"][key] = value
        self.state["data"].pop(key, None)

    def is_complete(self, key: str) -> bool:
        if key == "account" and not self.password_hash:
            return False
        return self.data(key) is not None

    def first_incomplete(self, before: str) -> Step | None:
        """The first step before ``before`` still to be done, if any."""
        for key in STEP_KEYS[: STEP_KEYS.index(before)]:
            if not self.is_complete(key):
                return step_by_key(key)
        return None

    # The registration ----------------------------------------------------------------------

    def account_details(self) -> AccountDetails:
        account = self.data("account") or {}
        try:
            return AccountDetails(
                last_name=str(account["last_name"]),
                first_name=str(account["first_name"]),
                job_title_id=int(account["job_title_id"]),
                email=str(account["email"]),
                phone=str(account["phone"]),
                password_hash=self.password_hash,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WizardStateInvalid from error

    def address_details(self) -> AddressDetails:
        address = self.data("address") or {}
        try:
            return AddressDetails(
                line1=str(address["line1"]),
                line2=str(address.get("line2", "")),
                postal_code=str(address["postal_code"]),
                city=str(address["city"]),
                country=str(address["country"]),
            )
        except (KeyError, TypeError) as error:
            raise WizardStateInvalid from error

    def beneficiary_details(self) -> list[BeneficiaryDetails]:
        rows = self.data("beneficiaries")
        try:
            return [
                BeneficiaryDetails(
                    relationship=str(row["relationship"]),
                    last_name=str(row["last_name"]),
                    first_name=str(row["first_name"]),
                    birth_date=datetime.date.fromisoformat(row["birth_date"]),
                )
                for row in rows
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise WizardStateInvalid from error
