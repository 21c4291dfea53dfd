"""Forms of the structures' admin pages: they clean and normalise, the services write."""

from __future__ import annotations

import csv
import datetime
import io
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User, normalize_email
from beneficiaries.models import EXTENDED_AGE_PROOFS, PROOFS_FOR_RELATIONSHIP, ProofKind, Relationship
from ceplus.csv_files import CsvFileError, decode_text
from structures.models import Structure, StructureLogo
from structures.services import STRUCTURE_FIELDS

# --- Decisions -----------------------------------------------------------------------------------

OTHER_REASON = "other"
# The usual reasons for refusing a registration, as the member reads them in the email.
USUAL_REJECTION_REASONS = [
    ("not_staff", _("Vous ne faites pas partie du personnel de la structure.")),
    ("not_eligible", _("Votre contrat ne vous ouvre pas droit aux prestations de la structure.")),
    ("unknown_identity", _("Nous n'avons pas pu vous identifier avec les informations saisies.")),
    ("duplicate", _("Vous avez déjà un compte : connectez-vous avec celui-ci.")),
]


class RejectionForm(forms.Form):
    """The reason of a refusal: one of the usual ones, or typed."""

    reason_choice = forms.ChoiceField(
        label=_("Motif du refus"),
        choices=[*USUAL_REJECTION_REASONS, (OTHER_REASON, _("Autre motif (à préciser ci-dessous)"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un motif de refus.")},
    )
    reason_text = forms.CharField(
        label=_("Précisions (facultatif, sauf pour « Autre motif »)"),
        help_text=_("La personne lira ce texte dans l'email qui lui annonce le refus."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        max_length=1000,
    )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("reason_choice")
        text = " ".join((cleaned.get("reason_text") or "").split())
        if choice == OTHER_REASON and not text:
            self.add_error("reason_text", _("Saisissez le motif du refus."))
        elif choice:
            label = str(dict(USUAL_REJECTION_REASONS).get(choice, ""))
            cleaned["reason"] = " ".join(part for part in (label, text) if part)
        return cleaned


class DeactivationForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        help_text=_("Par exemple : a quitté l'entreprise. La personne lira ce texte dans l'email."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        max_length=1000,
    )

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())


# --- Invitations ---------------------------------------------------------------------------------

MAX_CSV_BYTES = 1_000_000
MAX_ADDRESSES = 1000
MAX_LINES = 5000
_LIST_SEPARATORS = re.compile(r"[;,]")
_BRACKETED = re.compile(r"<([^<>]*)>")


def _valid_email(value: str) -> str | None:
    value = normalize_email(value.strip().strip("\"'"))
    if not value or len(value) > 254:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def parse_pasted_addresses(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Addresses from a pasted list: one or several per line, separated by commas, semicolons
    or spaces; "Nom Prénom <adresse>" as email programs copy them is understood. Returns the
    valid addresses and the invalid pieces with their line numbers."""
    valid: list[str] = []
    invalid: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines()[:MAX_LINES], start=1):
        for chunk in _LIST_SEPARATORS.split(line):
            bracketed = _BRACKETED.findall(chunk)
            for piece in bracketed or chunk.split():
                email = _valid_email(piece)
                if email:
                    valid.append(email)
                else:
                    invalid.append((number, piece.strip()[:100]))
    return valid, invalid


def parse_csv_addresses(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Addresses from a CSV file: on each line, the first cell holding an "@". A first line
    without one is a header; any other line without a valid address is reported."""
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    valid: list[str] = []
    invalid: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number = 0
    while number < MAX_LINES:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # A malformed line (an unclosed quote swallowing the file, a huge cell): say where.
            invalid.append((number, str(_("ligne illisible, la suite du fichier est ignorée"))))
            break
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        candidate = next((cell for cell in cells if "@" in cell), None)
        if candidate is None:
            if number != 1:
                invalid.append((number, " ".join(cells)[:100]))
            continue
        match = _BRACKETED.search(candidate)
        email = _valid_email(match.group(1) if match else candidate)
        if email:
            valid.append(email)
        else:
            invalid.append((number, candidate[:100]))
    return valid, invalid


class PersonalInvitationsForm(forms.Form):
    """Addresses to invite, pasted or in a CSV file (read in memory, never saved)."""

    VALIDITY_CHOICES = [("7", _("7 jours")), ("30", _("30 jours")), ("90", _("90 jours"))]

    addresses = forms.CharField(
        label=_("Adresses email"),
        help_text=_(
            "Collez les adresses, une par ligne ou séparées par des virgules ou des points-virgules."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60, "autocomplete": "off", "spellcheck": "false"}),
        required=False,
        max_length=200_000,
    )
    csv_file = forms.FileField(
        label=_("Ou un fichier CSV"),
        help_text=_(
            "Une adresse par ligne, dans n'importe quelle colonne ; une ligne d'en-tête est "
            "acceptée. 1 Mo au plus."
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    validity = forms.ChoiceField(label=_("Validité des invitations"), choices=VALIDITY_CHOICES, initial="30")

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if self.upload_too_large:
            raise ValidationError(_("Le fichier dépasse 1 Mo : découpez-le en plusieurs fichiers."))
        if not upload:
            return None
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError(_("Le fichier dépasse 1 Mo : découpez-le en plusieurs fichiers."))
        data = upload.read()
        if b"\x00" in data:
            raise ValidationError(_("Ce fichier n'est pas un fichier CSV : enregistrez-le au format CSV."))
        try:
            return decode_text(data)
        except CsvFileError as error:
            raise ValidationError(str(error)) from error

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        pasted_valid, pasted_invalid = parse_pasted_addresses(cleaned.get("addresses") or "")
        csv_valid, csv_invalid = parse_csv_addresses(cleaned.get("csv_file") or "")
        if not (cleaned.get("addresses") or "").strip() and not cleaned.get("csv_file"):
            raise ValidationError(_("Collez au moins une adresse email ou choisissez un fichier CSV."))
        emails = pasted_valid + csv_valid
        if not emails:
            raise ValidationError(_("Aucune adresse email valide n'a été trouvée : vérifiez la liste."))
        if len(set(emails)) > MAX_ADDRESSES:
            raise ValidationError(
                _("Envoyez au plus %(max)d invitations à la fois : découpez la liste.")
                % {"max": MAX_ADDRESSES}
            )
        cleaned["emails"] = emails
        cleaned["invalid_lines"] = [
            *((_("liste collée"), number, text) for number, text in pasted_invalid),
            *((_("fichier"), number, text) for number, text in csv_invalid),
        ]
        cleaned["expires_at"] = timezone.now() + datetime.timedelta(days=int(cleaned["validity"]))
        return cleaned


class SharedLinkExpiryForm(forms.Form):
    expires_on = forms.DateField(
        label=_("Le lien expire après le"),
        help_text=_("Laissez vide pour un lien sans date d'expiration. Exemple : 31/12/2026."),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date, par exemple 31/12/2026.")},
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise ValidationError(_("Choisissez aujourd'hui ou une date future."))
        return day

    @property
    def expires_at(self) -> datetime.datetime | None:
        """The link works until the end of the chosen day, in France's time."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        )


# --- Structures (staff) --------------------------------------------------------------------------


class StructureAdminForm(forms.ModelForm):
    """A structure, its rules about beneficiaries, and its managers (staff only)."""

    allowed_beneficiary_kinds = forms.MultipleChoiceField(
        label=_("Bénéficiaires acceptés"),
        choices=Relationship.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Les liens de parenté que la structure accepte comme bénéficiaires."),
    )
    proof_required_kinds = forms.MultipleChoiceField(
        label=_("Justificatif demandé pour"),
        choices=Relationship.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Les liens de parenté dont la structure demande la preuve ; ne demandez que ce dont "
            "les prestations ont besoin."
        ),
    )
    accepted_proofs = forms.MultipleChoiceField(
        label=_("Justificatifs acceptés"),
        choices=[(value, label) for value, label in ProofKind.choices if value not in EXTENDED_AGE_PROOFS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Les documents que la structure accepte comme preuve du lien de parenté."),
    )
    child_extended_proofs = forms.MultipleChoiceField(
        label=_("Justificatifs de la prolongation"),
        choices=[(value, label) for value, label in ProofKind.choices if value in EXTENDED_AGE_PROOFS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Les documents, envoyés chaque année, qui gardent un enfant bénéficiaire au-delà de l'âge limite."
        ),
    )
    managers_kept = forms.ModelMultipleChoiceField(
        label=_("Gestionnaires"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Décochez une personne pour lui retirer la gestion de cette structure."),
    )
    new_manager_email = forms.EmailField(
        label=pgettext_lazy("libellé", "Email du nouveau gestionnaire"),
        required=False,
        help_text=_(
            "La personne reçoit un email avec un lien pour choisir son mot de passe (ou, si elle a "
            "déjà un compte, pour se connecter)."
        ),
    )
    new_manager_first_name = forms.CharField(
        label=_("Prénom du nouveau gestionnaire"), required=False, max_length=150
    )
    new_manager_last_name = forms.CharField(
        label=_("Nom du nouveau gestionnaire"), required=False, max_length=150
    )
    logo = forms.FileField(
        label=_("Nouveau logo"),
        required=False,
        help_text=_(
            "Une image PNG ou JPEG de 200 Ko au plus, d'environ 100 pixels de haut : elle figure "
            "sur la page d'invitation et dans les emails de la structure."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    logo_remove = forms.BooleanField(label=_("Retirer le logo"), required=False)

    # Set by the admin when the request was too big for the upload handler (the file is then
    # dropped before the form sees it): the form says so instead of saving without the logo.
    upload_too_large = False

    class Meta:
        model = Structure
        # What staff set is what the services record.
        fields = list(STRUCTURE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["managers_kept"].queryset = self.instance.managers.order_by("last_name", "first_name")
            self.fields["managers_kept"].initial = list(self.instance.managers.values_list("pk", flat=True))
        else:
            del self.fields["managers_kept"]

    def clean_allowed_beneficiary_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data["allowed_beneficiary_kinds"])
        # Stored in the usual order, whatever the order of the boxes ticked.
        return [value for value in Relationship.values if value in chosen]

    def clean_proof_required_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data["proof_required_kinds"])
        return [value for value in Relationship.values if value in chosen]

    def clean_accepted_proofs(self) -> list[str]:
        chosen = set(self.cleaned_data["accepted_proofs"])
        return [value for value in ProofKind.values if value in chosen]

    def clean_child_extended_proofs(self) -> list[str]:
        chosen = set(self.cleaned_data["child_extended_proofs"])
        return [value for value in EXTENDED_AGE_PROOFS if value in chosen]

    def clean_child_age_limit(self):
        limit = self.cleaned_data.get("child_age_limit")
        if limit is not None and not 1 <= limit <= 30:
            raise ValidationError(_("Saisissez un âge entre 1 et 30 ans, ou laissez vide."))
        return limit

    def _clean_proof_rules(self, cleaned: dict) -> None:
        """Each link asked a proof has a document that can prove it, among those accepted and
        among the links the structure accepts at all."""
        allowed = cleaned.get("allowed_beneficiary_kinds")
        accepted = set(cleaned.get("accepted_proofs") or [])
        labels = dict(Relationship.choices)
        documents = dict(ProofKind.choices)
        for relationship in cleaned.get("proof_required_kinds") or []:
            if allowed is not None and relationship not in allowed:
                self.add_error(
                    "proof_required_kinds",
                    _(
                        "« %(link)s » n'est pas un bénéficiaire accepté : cochez-le dans « Bénéficiaires "
                        "acceptés », ou ne demandez pas de justificatif pour ce lien."
                    )
                    % {"link": labels[relationship]},
                )
                continue
            proving = PROOFS_FOR_RELATIONSHIP.get(relationship, ())
            if not accepted & set(proving):
                self.add_error(
                    "accepted_proofs",
                    _(
                        "Pour demander un justificatif du lien « %(link)s », cochez au moins un "
                        "document qui le prouve : %(documents)s."
                    )
                    % {
                        "link": labels[relationship],
                        "documents": ", ".join(str(documents[k]) for k in proving),
                    },
                )

    def _clean_extended_age(self, cleaned: dict) -> None:
        """The extended limit goes beyond the base one, up to 30, with a document to prove it."""
        extended = cleaned.get("child_extended_age_limit")
        proofs = cleaned.get("child_extended_proofs") or []
        if extended is None:
            if proofs and "child_extended_age_limit" not in self.errors:
                self.add_error(
                    "child_extended_age_limit",
                    _("Saisissez l'âge limite prolongé, ou décochez les justificatifs de la prolongation."),
                )
            return
        base = cleaned.get("child_age_limit")
        if extended > 30:
            self.add_error(
                "child_extended_age_limit",
                _("Saisissez un âge limite prolongé de 30 ans au plus, ou laissez vide."),
            )
        elif base is None:
            if "child_age_limit" not in self.errors:
                self.add_error(
                    "child_extended_age_limit",
                    _(
                        "Les enfants n'ont pas d'âge limite : saisissez d'abord l'âge limite des "
                        "enfants, ou laissez la prolongation vide."
                    ),
                )
        elif extended <= base:
            self.add_error(
                "child_extended_age_limit",
                _(
                    "Saisissez un âge limite prolongé supérieur à l'âge limite des enfants "
                    "(%(base)d ans), ou laissez vide."
                )
                % {"base": base},
            )
        if not proofs:
            self.add_error(
                "child_extended_proofs",
                _(
                    "Cochez au moins un justificatif de la prolongation (certificat de scolarité, "
                    "contrat d'apprentissage), ou laissez l'âge limite prolongé vide."
                ),
            )

    def clean_contact_email(self) -> str:
        return normalize_email(self.cleaned_data["contact_email"])

    def clean_contact_phone(self) -> str:
        return " ".join(self.cleaned_data["contact_phone"].split())

    def clean_contact_hours(self) -> str:
        return " ".join(self.cleaned_data["contact_hours"].split())

    def clean_logo(self) -> StructureLogo | None:
        """The uploaded logo as an unsaved ``StructureLogo`` (the services store it), its type
        read from its content."""
        upload = self.cleaned_data.get("logo")
        too_large = _(
            "Le logo dépasse 200 Ko : enregistrez-le plus petit (environ 100 pixels de haut suffisent)."
        )
        if self.upload_too_large:
            raise ValidationError(too_large)
        if not upload:
            return None
        if upload.size > StructureLogo.MAX_BYTES:
            raise ValidationError(too_large)
        content = upload.read()
        content_type = StructureLogo.sniff(content)
        if content_type is None:
            raise ValidationError(
                _(
                    "Ce fichier n'est pas une image PNG ou JPEG : enregistrez le logo dans l'un de ces formats."
                )
            )
        return StructureLogo(content=content, content_type=content_type)

    def clean_new_manager_first_name(self) -> str:
        return " ".join(self.cleaned_data["new_manager_first_name"].split())

    def clean_new_manager_last_name(self) -> str:
        return " ".join(self.cleaned_data["new_manager_last_name"].split())

    def clean(self):
        cleaned = super().clean()
        self._clean_proof_rules(cleaned)
        self._clean_extended_age(cleaned)
        email = cleaned.get("new_manager_email")
        if email:
            email = cleaned["new_manager_email"] = normalize_email(email)
            exists = User.objects.alias(email_lower=Lower("email")).filter(email_lower=email).exists()
            if not exists:
                if not cleaned.get("new_manager_first_name"):
                    self.add_error(
                        "new_manager_first_name", _("Saisissez le prénom du nouveau gestionnaire.")
                    )
                if not cleaned.get("new_manager_last_name"):
                    self.add_error("new_manager_last_name", _("Saisissez le nom du nouveau gestionnaire."))
        return cleaned
