from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """How a beneficiary (ayant droit) is related to the member."""

    CONJOINT = "conjoint", _("Conjoint·e")
    SPOUSE = "spouse", _("Époux·se")
    PACS = "pacs", _("Partenaire de PACS")
    CONCUBIN = "concubin", _("Concubin·e")
    CHILD = "child", _("Enfant à charge")


# A member has at most one of these at a time.
PARTNER_RELATIONSHIPS = frozenset(
    {Relationship.CONJOINT, Relationship.SPOUSE, Relationship.PACS, Relationship.CONCUBIN}
)


class Beneficiary(models.Model):
    """A family member who benefits through the member; never has an account of their own."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvrant-droit"),
        on_delete=models.CASCADE,
        related_name="beneficiaries",
    )
    relationship = models.CharField(_("lien"), max_length=16, choices=Relationship.choices)
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"))
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # The day this child reaches an age limit that the member was told of (one email per limit).
    age_limit_notice_for = models.DateField(
        _("prévenu de la limite d'âge du"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("bénéficiaire")
        verbose_name_plural = _("bénéficiaires")
        ordering = ["birth_date", "pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_relationship_display()})"

    @property
    def is_partner(self) -> bool:
        return self.relationship in PARTNER_RELATIONSHIPS


class BeneficiaryChange(models.Model):
    """The audit trail of a member's beneficiaries: who changed what, and when.

    The structure's managers see it in the admin. It holds family data, so it goes with the
    member's account when that is erased.
    """

    class Action(models.TextChoices):
        ADDED = "added", _("Ajout")
        UPDATED = "updated", _("Modification")
        REMOVED = "removed", _("Suppression")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvrant-droit"),
        on_delete=models.CASCADE,
        related_name="beneficiary_changes",
    )
    # The member's structure at the time: what the managers' view is filtered on.
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="beneficiary_changes",
    )
    beneficiary = models.ForeignKey(
        Beneficiary,
        verbose_name=_("bénéficiaire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    description = models.CharField(_("bénéficiaire concerné"), max_length=400)
    changes = models.JSONField(
        _("modifications"),
        default=list,
        blank=True,
        help_text=_("Pour une modification : chaque champ modifié, avec son ancienne et sa nouvelle valeur."),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("modification de bénéficiaire")
        verbose_name_plural = _("modifications de bénéficiaires")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["structure", "-created_at"], name="benef_change_structure_idx"),
            models.Index(fields=["action", "-created_at"], name="benef_change_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.description}"


class ProofKind(models.TextChoices):
    """The documents a structure may ask to prove a beneficiary."""

    LIVRET_FAMILLE = "livret_famille", _("Livret de famille")
    ACTE_NAISSANCE = "acte_naissance", _("Acte de naissance")
    ATTESTATION_PACS = "attestation_pacs", _("Attestation de PACS")
    CONCUBINAGE = (
        "concubinage",
        _("Attestation sur l'honneur de concubinage, avec un justificatif de domicile commun"),
    )
    CERTIFICAT_SCOLARITE = "certificat_scolarite", _("Certificat de scolarité")
    CONTRAT_APPRENTISSAGE = "contrat_apprentissage", _("Contrat d'apprentissage")


# Which documents can prove which link: a structure accepts some of them, for the links it asks
# a proof of.
PROOFS_FOR_RELATIONSHIP: dict[str, tuple[str, ...]] = {
    Relationship.CONJOINT: (ProofKind.LIVRET_FAMILLE, ProofKind.ATTESTATION_PACS, ProofKind.CONCUBINAGE),
    Relationship.SPOUSE: (ProofKind.LIVRET_FAMILLE,),
    Relationship.PACS: (ProofKind.ATTESTATION_PACS,),
    Relationship.CONCUBIN: (ProofKind.CONCUBINAGE,),
    Relationship.CHILD: (ProofKind.LIVRET_FAMILLE, ProofKind.ACTE_NAISSANCE),
}
# What proves that a child past the base age limit is still dependent (studies, apprenticeship).
EXTENDED_AGE_PROOFS: tuple[str, ...] = (ProofKind.CERTIFICAT_SCOLARITE, ProofKind.CONTRAT_APPRENTISSAGE)


class Proof(models.Model):
    """A document a member sent to prove a beneficiary (a justificatif), and what became of it.

    The file itself is in ``ProofFile``, encrypted, and only until a manager decides (or the
    delay for an unchecked proof runs out): what stays is the kind of document, who sent and who
    decided, when, and the outcome.
    """

    class Purpose(models.TextChoices):
        RELATIONSHIP = "relationship", _("Lien de parenté")
        EXTENDED_AGE = "extended_age", _("Prolongation au-delà de l'âge limite")

    class Status(models.TextChoices):
        PENDING = "pending", _("À vérifier")
        ACCEPTED = "accepted", _("Vérifié")
        REFUSED = "refused", _("Refusé")
        REPLACED = "replaced", _("Remplacé avant vérification")
        EXPIRED = "expired", _("Supprimé sans vérification")

    class RefusalReason(models.TextChoices):
        UNREADABLE = "unreadable", _("Le document est illisible")
        INCOMPLETE = "incomplete", _("Le document est incomplet (une page manque)")
        WRONG_DOCUMENT = "wrong_document", _("Ce n'est pas le justificatif demandé")
        WRONG_PERSON = "wrong_person", _("Le document ne concerne pas ce bénéficiaire")
        OUTDATED = "outdated", _("Le document n'est plus valable")
        OTHER = "other", _("Autre motif")

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("bénéficiaire"), on_delete=models.CASCADE, related_name="proofs"
    )
    purpose = models.CharField(_("ce qu'il justifie"), max_length=16, choices=Purpose.choices)
    kind = models.CharField(_("justificatif"), max_length=32, choices=ProofKind.choices)
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.CharField(
        _("motif du refus"), max_length=16, choices=RefusalReason.choices, blank=True
    )
    refusal_details = models.CharField(_("précisions"), max_length=500, blank=True)
    # A yearly proof (studies, apprenticeship) counts until then; a proof of the link, for good.
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("justificatif")
        verbose_name_plural = _("justificatifs")
        ordering = ["sent_at", "pk"]
        indexes = [
            models.Index(fields=["status", "sent_at"], name="proof_status_sent_idx"),
            models.Index(fields=["beneficiary", "purpose", "-sent_at"], name="proof_beneficiary_idx"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s de %(beneficiary)s") % {
            "kind": self.get_kind_display(),
            "beneficiary": f"{self.beneficiary.first_name} {self.beneficiary.last_name}",
        }

    @property
    def refusal_text(self) -> str:
        """The refusal as the member reads it: the reason, then the manager's details."""
        reason = self.get_refusal_reason_display() if self.refusal_reason else ""
        if self.refusal_reason == self.RefusalReason.OTHER and self.refusal_details:
            return self.refusal_details
        return f"{reason} ({self.refusal_details})" if reason and self.refusal_details else reason

    def counts_on(self, day) -> bool:
        """An accepted proof that still counts on ``day``."""
        return self.status == self.Status.ACCEPTED and (self.valid_until is None or self.valid_until >= day)


class ProofFile(models.Model):
    """The file of a proof waiting for a manager, encrypted (``ceplus.crypto``), in the database
    (never on a server's disk: every server reads it) and in a table of its own, so that listing
    proofs never loads a file. Deleted at the decision."""

    MAX_BYTES = 5 * 1024 * 1024

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    # The name a downloaded file gets, by type.
    EXTENSIONS = {ContentType.PDF: "pdf", ContentType.JPEG: "jpg", ContentType.PNG: "png"}

    proof = models.OneToOneField(
        Proof, verbose_name=_("justificatif"), on_delete=models.CASCADE, primary_key=True, related_name="file"
    )
    encrypted = models.BinaryField(_("contenu chiffré"))
    content_type = models.CharField(_("type"), max_length=32, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("taille (octets)"))

    class Meta:
        verbose_name = _("fichier de justificatif")
        verbose_name_plural = _("fichiers de justificatifs")

    def __str__(self) -> str:
        return _("fichier %(type)s, %(size)d Ko") % {
            "type": self.get_content_type_display(),
            "size": max(1, round(self.size / 1024)),
        }


class Campaign(models.Model):
    """A structure's yearly update: from ``starts_on`` its members confirm their family and send
    this year's proofs; after ``deadline``, the beneficiaries of those who did not are to confirm
    (not entitled) until they do."""

    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    starts_on = models.DateField(_("début"))
    deadline = models.DateField(_("date limite"))
    announced_at = models.DateTimeField(_("annoncée le"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("campagne annuelle")
        verbose_name_plural = _("campagnes annuelles")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "starts_on"], name="campaign_structure_start_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("starts_on")), name="campaign_deadline_after_start"
            ),
        ]

    def __str__(self) -> str:
        return _("Mise à jour %(year)d de %(structure)s") % {
            "year": self.starts_on.year,
            "structure": self.structure,
        }


class FamilyConfirmation(models.Model):
    """A member said "Ma famille est à jour" during a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="confirmations"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvrant-droit"),
        on_delete=models.CASCADE,
        related_name="family_confirmations",
    )
    confirmed_at = models.DateTimeField(_("confirmée le"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmation de la famille")
        verbose_name_plural = _("confirmations de la famille")
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="family_confirmation_unique"),
        ]

    def __str__(self) -> str:
        return _("%(member)s, le %(date)s") % {
            "member": self.member,
            "date": timezone.localtime(self.confirmed_at).strftime("%d/%m/%Y"),
        }


class ProofDraft(models.Model):
    """A proof sent during the signup wizard, before the beneficiary exists: its file, encrypted,
    known only by the token the wizard's session keeps. It becomes a ``Proof`` when the
    registration is sent; the daily purge deletes the drafts the wizard left behind."""

    token = models.CharField(_("jeton"), max_length=64, unique=True)
    kind = models.CharField(_("justificatif"), max_length=32, choices=ProofKind.choices)
    file_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    encrypted = models.BinaryField(_("contenu chiffré"))
    content_type = models.CharField(_("type"), max_length=32, choices=ProofFile.ContentType.choices)
    size = models.PositiveIntegerField(_("taille (octets)"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("justificatif en cours d'inscription")
        verbose_name_plural = _("justificatifs en cours d'inscription")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_name})"
