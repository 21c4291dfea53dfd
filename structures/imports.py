"""The import of a structure's members from the former site's CSV file.

The former site's members keep their account: staff import them into their structure (the
``import_members`` command or the admin's upload page, both calling :func:`members_import`),
then send them the activation email (``accounts.services.activation_email_send``), whose link
lets them choose a password. Until then they have no usable password: the seed's "Une fois la
création de votre compte réalisée, vous devez réinitialiser le mot de passe".

This module reads and checks the file; every write goes through the services that own it: the
member life cycle (``structures.services.member_import``), the account and the address
(``accounts.services``), the beneficiaries (``beneficiaries.services``, which record each
change for the managers).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import to_python as parse_phone

from accounts.models import JobTitle, User, normalize_email
from accounts.services import address_save, profile_update
from beneficiaries.models import Beneficiary, Relationship
from beneficiaries.rules import Candidate, check_beneficiary, check_household
from beneficiaries.services import beneficiary_add, beneficiary_update
from ceplus.csv_files import (
    EXTRA_CELLS,
    MAX_BYTES,
    PERSON_COLUMNS,
    CsvFileError,
    has_extra_cells,
    match_columns,
    parse_date,
    read_csv,
)
from ceplus.csv_files import cell as csv_cell
from ceplus.text import fold
from structures.models import Structure
from structures.services import member_import

# The upload page's limit too (``structures.admin.member_import``).
MAX_FILE_BYTES = MAX_BYTES

# Column headers, compared as ``ceplus.csv_files.header_key`` reads them (no accents, case…).
COLUMNS = {
    **PERSON_COLUMNS,
    "telephone": "phone",
    "tel": "phone",
    "numero de telephone": "phone",
    "fonction": "job_title",
    "adresse": "line1",
    "complement": "line2",
    "complement d'adresse": "line2",
    "code postal": "postal_code",
    "cp": "postal_code",
    "ville": "city",
    "beneficiaires": "beneficiaries",
}
REQUIRED_COLUMNS = {"last_name": "nom", "first_name": "prénom", "email": "email"}
NO_MEMBERS = gettext_lazy("Le fichier ne contient aucun membre sous sa ligne d'en-tête.")

# The words of the "bénéficiaires" column, compared without accents or case.
RELATIONSHIP_WORDS = {
    "enfant": Relationship.CHILD,
    "conjoint": Relationship.CONJOINT,
    "conjointe": Relationship.CONJOINT,
    "epoux": Relationship.SPOUSE,
    "epouse": Relationship.SPOUSE,
    "pacs": Relationship.PACS,
    "partenaire": Relationship.PACS,
    "concubin": Relationship.CONCUBIN,
    "concubine": Relationship.CONCUBIN,
}
BENEFICIARY_SEPARATOR = "|"
BENEFICIARY_FIELD_SEPARATOR = ":"
POSTAL_CODE = re.compile(r"^\d{5}$")
# "12 rue des Vosges, 68100 Mulhouse" or "12 rue des Vosges 68100 Mulhouse" in one cell.
ONE_CELL_ADDRESS = re.compile(r"^(?P<line1>.+?)[\s,]+(?P<postal_code>\d{5})\s+(?P<city>\D.*)$")

FORMAT_HELP = gettext_lazy(
    "Fichier CSV en UTF-8 (avec ou sans BOM), séparé par des points-virgules ou des virgules, "
    "avec une ligne d'en-tête. Colonnes : nom, prénom, email (obligatoires), téléphone, fonction, "
    "adresse (ou adresse, complément, code postal, ville), bénéficiaires. "
    "Bénéficiaires : lien:nom:prénom:date de naissance, séparés par « | », par exemple "
    "« enfant:Martin:Léa:14/03/2016|conjoint:Martin:Paul:02/05/1985 ». Liens : enfant, conjoint, "
    "époux, épouse, pacs, concubin, concubine."
)


# The file as a whole cannot be read (encoding, headers, size): nothing is imported.
ImportFileError = CsvFileError


@dataclass
class ImportLine:
    """One line of the file and what became of it."""

    number: int
    email: str = ""
    name: str = ""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    structure: Structure
    dry_run: bool = False
    created: list[ImportLine] = field(default_factory=list)
    updated: list[ImportLine] = field(default_factory=list)
    rejected: list[ImportLine] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return len(self.created) + len(self.updated) + len(self.rejected)


@dataclass
class _BeneficiaryData:
    relationship: str
    last_name: str
    first_name: str
    birth_date: datetime.date

    @property
    def identity(self) -> tuple[str, str, datetime.date]:
        return fold(self.first_name), fold(self.last_name), self.birth_date


@dataclass
class _MemberData:
    email: str
    last_name: str
    first_name: str
    phone: str = ""
    job_title: JobTitle | None = None
    address: dict | None = None
    beneficiaries: list[_BeneficiaryData] = field(default_factory=list)


def members_import(
    *,
    structure: Structure,
    content: bytes,
    acting_user: User | None = None,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> ImportReport:
    """Create or update the members of ``structure`` listed in the CSV ``content``.

    One transaction for the file: every good line is imported and every bad line is rejected
    with its reasons in French (a bad line never stops the others); a file that cannot be read
    at all raises :class:`ImportFileError` and writes nothing; ``dry_run`` reports without
    writing. Members are matched by email (in lowercase), so running the same file again
    updates and never duplicates. New members are approved (the decision is recorded), have no
    usable password, and choose one through the activation email or "J'ai oublié mon mot de
    passe". An empty cell never erases what an existing member has; beneficiaries already known
    (same first name, last name and birth date) are updated, others added, none removed.
    """
    today = today or timezone.localdate()
    table = read_csv(content, max_bytes=MAX_FILE_BYTES, no_rows=NO_MEMBERS)
    header, rows = table.header, table.rows
    columns, ignored = match_columns(header, COLUMNS, REQUIRED_COLUMNS)
    report = ImportReport(structure=structure, dry_run=dry_run, ignored_columns=ignored)
    job_titles = _job_titles()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, values in rows:
            line = ImportLine(number=number)
            data = _parse(values, columns, len(header), job_titles, line)
            if data is not None and data.email and data.email in seen:
                line.reasons.append(
                    _("l'adresse %(email)s figure déjà à la ligne %(line)d")
                    % {"email": data.email, "line": seen[data.email]}
                )
            if data is not None and data.email:
                seen.setdefault(data.email, number)
            existing = None
            if data is not None and not line.reasons:
                existing = User.objects.filter(email=data.email).select_related("structure").first()
                _check_account(existing, structure, line)
            if data is not None and not line.reasons:
                _check_beneficiaries(data, existing, structure, today, line)
            if data is None or line.reasons:
                report.rejected.append(line)
                continue
            try:
                with transaction.atomic():
                    if existing is None:
                        _create(data, structure, acting_user)
                        report.created.append(line)
                    else:
                        if not _update(existing, data, acting_user):
                            line.notes.append(_("aucun changement"))
                        report.updated.append(line)
            except (DatabaseError, ValidationError):
                # A concurrent import or signup took the address meanwhile: this line only.
                line.reasons.append(_("enregistrement impossible (compte modifié au même moment ?)"))
                report.rejected.append(line)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _job_titles() -> dict[str, JobTitle]:
    """The reference list by folded name, each "Chef / Cheffe comptable" also under "chef
    comptable" and "cheffe comptable": the former site stored one form or the other."""
    titles: dict[str, JobTitle] = {}
    # Active titles win over retired ones of the same spelling; full names over variants.
    reference = list(JobTitle.objects.order_by("is_active"))
    for title in reference:
        for variant in _title_variants(title.search_name):
            titles[variant] = title
    for title in reference:
        titles[title.search_name] = title
    return titles


def _title_variants(name: str) -> list[str]:
    left, slash, right = name.partition(" / ")
    if not slash:
        return []
    _first, _space, rest = right.partition(" ")
    masculine = f"{left} {rest}" if rest and " " not in left else left
    return [masculine.strip(), right.strip()]


def _parse(
    values: list[str],
    columns: dict[str, int],
    width: int,
    job_titles: dict[str, JobTitle],
    line: ImportLine,
) -> _MemberData | None:
    """The member of one line, or ``None`` when it is unreadable; reasons go to ``line``."""
    if has_extra_cells(values, width):
        line.reasons.append(str(EXTRA_CELLS))
        return None

    cell = partial(csv_cell, values, columns)

    email = normalize_email(cell("email"))
    last_name, first_name = cell("last_name"), cell("first_name")
    line.email = email
    line.name = f"{first_name} {last_name}".strip()
    if not email:
        line.reasons.append(_("email manquant"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            line.reasons.append(_("email invalide : « %(value)s »") % {"value": email})
    for value, label in ((last_name, _("nom")), (first_name, _("prénom"))):
        if not value:
            line.reasons.append(_("%(field)s manquant") % {"field": label})
        elif len(value) > 150:
            line.reasons.append(_("%(field)s trop long (150 caractères au plus)") % {"field": label})

    phone = ""
    if raw_phone := cell("phone"):
        number = parse_phone(raw_phone, region=settings.PHONENUMBER_DEFAULT_REGION)
        if number and number.is_valid():
            phone = number.as_e164
        else:
            line.reasons.append(
                _("téléphone invalide : « %(value)s » (exemple : 06 12 34 56 78)") % {"value": raw_phone}
            )

    job_title = None
    if raw_title := cell("job_title"):
        job_title = job_titles.get(fold(raw_title))
        if job_title is None:
            line.notes.append(
                _("fonction « %(value)s » absente de la liste : laissée vide, le membre la choisira")
                % {"value": raw_title}
            )

    address = _parse_address(cell, columns, line)
    beneficiaries = _parse_beneficiaries(cell("beneficiaries"), line)
    return _MemberData(
        email=email,
        last_name=last_name,
        first_name=first_name,
        phone=phone,
        job_title=job_title,
        address=address,
        beneficiaries=beneficiaries,
    )


def _parse_address(cell, columns: dict[str, int], line: ImportLine) -> dict | None:
    line1, line2, postal_code, city = cell("line1"), cell("line2"), cell("postal_code"), cell("city")
    if "postal_code" not in columns and "city" not in columns and line1:
        match = ONE_CELL_ADDRESS.match(line1)
        if match is None:
            line.reasons.append(
                _(
                    "adresse illisible : « %(value)s » (écrivez « 12 rue des Vosges, 68100 Mulhouse » ou "
                    "utilisez les colonnes code postal et ville)"
                )
                % {"value": line1}
            )
            return None
        line1, postal_code, city = (match["line1"].strip(" ,"), match["postal_code"], match["city"].strip())
    if not any((line1, line2, postal_code, city)):
        return None
    missing = [
        label
        for value, label in (
            (line1, _("l'adresse")),
            (postal_code, _("le code postal")),
            (city, _("la ville")),
        )
        if not value
    ]
    if missing:
        line.reasons.append(_("adresse incomplète : il manque %(missing)s") % {"missing": ", ".join(missing)})
        return None
    postal_code = postal_code.replace(" ", "")
    if not POSTAL_CODE.match(postal_code):
        line.reasons.append(
            _("code postal invalide : « %(value)s » (5 chiffres, par exemple 68100)") % {"value": postal_code}
        )
        return None
    if len(line1) > 200 or len(line2) > 200 or len(city) > 100:
        line.reasons.append(_("adresse trop longue"))
        return None
    return {"line1": line1, "line2": line2, "postal_code": postal_code, "city": city}


def _parse_beneficiaries(value: str, line: ImportLine) -> list[_BeneficiaryData]:
    beneficiaries = []
    parts = [part.strip() for part in value.split(BENEFICIARY_SEPARATOR)] if value else []
    for position, part in enumerate((part for part in parts if part), start=1):
        fields = [piece.strip() for piece in part.split(BENEFICIARY_FIELD_SEPARATOR)]
        if len(fields) != 4 or not all(fields):
            line.reasons.append(
                _("bénéficiaire %(n)d « %(value)s » : format attendu lien:nom:prénom:jj/mm/aaaa")
                % {"n": position, "value": part}
            )
            continue
        word, last_name, first_name, raw_date = fields
        relationship = RELATIONSHIP_WORDS.get(fold(word))
        if relationship is None:
            line.reasons.append(
                _(
                    "bénéficiaire %(n)d : lien « %(value)s » inconnu (enfant, conjoint, époux, épouse, "
                    "pacs, concubin, concubine)"
                )
                % {"n": position, "value": word}
            )
        birth_date = parse_date(raw_date)
        if birth_date is None:
            line.reasons.append(
                _("bénéficiaire %(n)d : date de naissance invalide « %(value)s » (jj/mm/aaaa)")
                % {"n": position, "value": raw_date}
            )
        if len(last_name) > 150 or len(first_name) > 150:
            line.reasons.append(_("bénéficiaire %(n)d : nom ou prénom trop long") % {"n": position})
            continue
        if relationship is not None and birth_date is not None:
            beneficiaries.append(_BeneficiaryData(relationship, last_name, first_name, birth_date))
    return beneficiaries


def _check_account(existing: User | None, structure: Structure, line: ImportLine) -> None:
    if existing is None:
        return
    if existing.structure_id is None:
        line.reasons.append(_("cette adresse est celle d'un compte du personnel ou d'un gestionnaire"))
    elif existing.structure_id != structure.pk:
        line.reasons.append(_("cette adresse est celle d'un membre d'une autre structure"))


def _check_beneficiaries(
    data: _MemberData, existing: User | None, structure: Structure, today: datetime.date, line: ImportLine
) -> None:
    """The structure's rules (``beneficiaries.rules``) over the household the import leaves."""
    for position, beneficiary in enumerate(data.beneficiaries, start=1):
        candidate = Candidate(beneficiary.relationship, beneficiary.birth_date, beneficiary.first_name)
        for error in check_beneficiary(structure, candidate, today=today):
            line.reasons.append(
                _("bénéficiaire %(n)d (%(name)s) : %(error)s")
                % {"n": position, "name": beneficiary.first_name, "error": error.message}
            )
    household = [Candidate(b.relationship, b.birth_date, b.first_name) for b in data.beneficiaries]
    if existing is not None:
        listed = {beneficiary.identity for beneficiary in data.beneficiaries}
        for kept in existing.beneficiaries.all():
            if _identity(kept) not in listed:
                household.append(Candidate(kept.relationship, kept.birth_date, kept.first_name, kept.pk))
    for error in check_household(household):
        line.reasons.append(error.message)


def _identity(beneficiary: Beneficiary) -> tuple[str, str, datetime.date]:
    return fold(beneficiary.first_name), fold(beneficiary.last_name), beneficiary.birth_date


def _add_beneficiary(member: User, beneficiary: _BeneficiaryData, acting_user: User | None) -> None:
    beneficiary_add(
        member=member,
        relationship=beneficiary.relationship,
        last_name=beneficiary.last_name,
        first_name=beneficiary.first_name,
        birth_date=beneficiary.birth_date,
        acting_user=acting_user,
    )


def _create(data: _MemberData, structure: Structure, acting_user: User | None) -> User:
    user = member_import(
        structure=structure,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
        job_title=data.job_title,
        acting_user=acting_user,
    )
    if data.address:
        address_save(member=user, country="France", acting_user=acting_user, **data.address)
    for beneficiary in data.beneficiaries:
        _add_beneficiary(user, beneficiary, acting_user)
    return user


def _update(user: User, data: _MemberData, acting_user: User | None) -> bool:
    """Bring an existing member up to date with the file, through the services (each change
    recorded with who imported it); ``True`` when anything changed. An empty cell keeps what
    the member has."""
    profile_changes = profile_update(
        member=user,
        last_name=data.last_name,
        first_name=data.first_name,
        job_title=data.job_title if data.job_title is not None else user.job_title,
        phone=data.phone or user.phone,
        acting_user=acting_user,
    )
    address_changes = []
    if data.address:
        country = getattr(getattr(user, "address", None), "country", None) or "France"
        _address, address_changes = address_save(
            member=user, country=country, acting_user=acting_user, **data.address
        )
    beneficiaries_changed = False
    known = {_identity(b): b for b in user.beneficiaries.all()}
    for b in data.beneficiaries:
        current = known.get(b.identity)
        if current is None:
            _add_beneficiary(user, b, acting_user)
            beneficiaries_changed = True
        elif current.relationship != b.relationship:
            beneficiary_update(
                beneficiary=current,
                relationship=b.relationship,
                last_name=current.last_name,
                first_name=current.first_name,
                birth_date=current.birth_date,
                acting_user=acting_user,
            )
            beneficiaries_changed = True
    return bool(profile_changes) or bool(address_changes) or beneficiaries_changed
