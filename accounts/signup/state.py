"""The signup wizard's state, kept in the session between its four steps, and its schema.

What each step keeps is one dataclass (``AccountDetails``, ``AddressDetails``, a list of
``BeneficiaryDetails``): the step's form makes it, the session stores its fields, and the
registration receives it. A new field is a field of the dataclass and of the form.

Only cleaned, JSON-serialisable data is stored, never a password: step 1 keeps a hash made
with ``make_password``, which becomes the account's password as it is. What a person typed on
a step they left with Précédent, valid or not, is kept as a draft and shown again.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from beneficiaries.services import BeneficiaryDetails
from structures.models import Invitation


@dataclass(frozen=True)
class AccountDetails:
    """Step 1 of the wizard, cleaned. ``job_title`` is the title's name, as the last step
    shows it; a fonction not in the list ("Autre") has no ``job_title_id`` and is
    ``job_title_other`` as typed. ``password_hash`` is kept apart from the step's data
    (``make_password``)."""

    last_name: str
    first_name: str
    job_title_id: int | None
    email: str
    phone: str
    job_title: str = ""
    job_title_other: str = ""
    password_hash: str = ""


@dataclass(frozen=True)
class AddressDetails:
    """Step 2 of the wizard, cleaned."""

    line1: str
    postal_code: str
    city: str
    country: str = "France"
    line2: str = ""


# What each step keeps, and whether it is a list of them.
SCHEMA: dict[str, tuple[type, bool]] = {
    "account": (AccountDetails, False),
    "address": (AddressDetails, False),
    "beneficiaries": (BeneficiaryDetails, True),
}
# Kept apart from the step's data, never in a draft.
NOT_STORED = {"password_hash"}


def to_session(details) -> Any:
    """A step's details as the session stores them (JSON): dates as ISO text."""
    if isinstance(details, list):
        return [to_session(item) for item in details]
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in dataclasses.asdict(details).items()
        if name not in NOT_STORED
    }


def from_session(cls: type, data: Any, **extra):
    """The step's details back from the session, each field converted to its declared type;
    ``WizardStateInvalid`` when the stored data does not fit the schema."""
    if not isinstance(data, dict):
        raise WizardStateInvalid
    hints = typing.get_type_hints(cls)
    values = {}
    try:
        for field in dataclasses.fields(cls):
            if field.name in extra:
                continue
            if field.name not in data:
                if field.default is dataclasses.MISSING:
                    raise WizardStateInvalid
                continue
            kind, value = hints[field.name], data[field.name]
            if kind is datetime.date:
                values[field.name] = datetime.date.fromisoformat(value)
            elif kind is int:
                values[field.name] = int(value)
            elif kind == int | None:
                values[field.name] = None if value is None else int(value)
            else:
                values[field.name] = str(value)
    except (TypeError, ValueError) as error:
        raise WizardStateInvalid from error
    return cls(**values, **extra)


def beneficiary_key(beneficiary: BeneficiaryDetails) -> str:
    """A beneficiary of the wizard as the proofs sent for it know it: the same person typed the
    same way, whatever its place in the list."""
    return "|".join(
        [
            beneficiary.relationship,
            beneficiary.last_name,
            beneficiary.first_name,
            beneficiary.birth_date.isoformat(),
        ]
    )


SESSION_KEY = "signup_wizard"
# Set once a registration is sent: the confirmation page reads it, and the wizard's pages lead
# there instead of starting over when the browser's back button comes back to them.
SENT_KEY = "signup_sent"
VERSION = 1


@dataclass(frozen=True)
class Step:
    key: str
    url_name: str
    # Lazy text, in sentence case: the page's heading and title, and the step list's item. The
    # seed writes the headings in capitals; screen readers spell out capitals, so none here.
    title: Any
    intro: Any


STEPS = (
    Step(
        "account",
        "signup_account",
        _("Créez votre compte"),
        _("Votre entreprise / CSE devra valider votre inscription."),
    ),
    Step(
        "address",
        "signup_address",
        _("Votre adresse de livraison"),
        _("Complétez votre adresse pour recevoir vos billets."),
    ),
    Step(
        "beneficiaries",
        "signup_beneficiaries",
        _("Ajout de bénéficiaires"),
        _("Les bénéficiaires sont les membres de votre famille."),
    ),
    Step(
        "validation",
        "signup_validation",
        _("Validation"),
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

    # Proofs sent at step 3 (drafts of ``beneficiaries.ProofDraft``, by beneficiary) ----------

    def proof_tokens(self) -> dict[str, str]:
        raw = self.state.get("proofs")
        if not isinstance(raw, dict):
            return {}
        return {key: value for key, value in raw.items() if isinstance(key, str) and isinstance(value, str)}

    def keep_proof(self, beneficiary: BeneficiaryDetails, token: str) -> None:
        self.state["proofs"] = {**self.proof_tokens(), beneficiary_key(beneficiary): token}

    def proof_token(self, beneficiary: BeneficiaryDetails) -> str | None:
        return self.proof_tokens().get(beneficiary_key(beneficiary))

    # The registration ----------------------------------------------------------------------

    def details(self, key: str):
        """The cleaned details of step ``key``, as the schema says (``WizardStateInvalid`` when
        the stored state does not fit it)."""
        cls, many = SCHEMA[key]
        data = self.data(key)
        if many:
            if not isinstance(data, list):
                raise WizardStateInvalid
            return [from_session(cls, row) for row in data]
        if key == "account":
            return from_session(cls, data, password_hash=self.password_hash)
        return from_session(cls, data)
