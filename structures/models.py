import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from beneficiaries.models import EXTENDED_AGE_PROOFS, PROOFS_FOR_RELATIONSHIP, Relationship
from ceplus.text import name_key


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def default_beneficiary_kinds() -> list[str]:
    return list(Relationship.values)


class Structure(models.Model):
    """An employer or a CSE that buys the service for its employees."""

    class Kind(models.TextChoices):
        CSE = "cse", _("CSE")
        EMPLOYER = "employer", _("Entreprise")

    class AgeReference(models.TextChoices):
        TODAY = "today", _("À la date de la demande")
        JANUARY_1 = "january_1", _("Au 1er janvier de l'année en cours")
        DECEMBER_31 = "december_31", _("Au 31 décembre de l'année en cours")

    class Notification(models.TextChoices):
        EACH = "each", _("Un email par nouvelle inscription")
        DAILY = "daily", _("Un récapitulatif quotidien")

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.CSE)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gestionnaires"),
        related_name="managed_structures",
        blank=True,
    )
    allowed_beneficiary_kinds = models.JSONField(
        _("bénéficiaires acceptés"),
        default=default_beneficiary_kinds,
        blank=True,
        help_text=_("Les liens de parenté que la structure accepte comme bénéficiaires."),
    )
    child_age_limit = models.PositiveSmallIntegerField(
        _("âge limite des enfants"),
        null=True,
        blank=True,
        help_text=_("Un enfant n'est plus bénéficiaire à partir de cet âge. Vide : pas de limite."),
    )
    child_age_reference = models.CharField(
        _("âge calculé"),
        max_length=16,
        choices=AgeReference.choices,
        default=AgeReference.TODAY,
    )
    child_extended_age_limit = models.PositiveSmallIntegerField(
        _("âge limite prolongé, avec un justificatif"),
        null=True,
        blank=True,
        help_text=_(
            "Un enfant qui a passé l'âge limite reste bénéficiaire jusqu'à cet âge s'il envoie "
            "chaque année un justificatif (études, apprentissage). Vide : pas de prolongation."
        ),
    )
    child_extended_proofs = models.JSONField(
        _("justificatifs de la prolongation"),
        default=list,
        blank=True,
        help_text=_("Les documents acceptés pour prolonger un enfant au-delà de l'âge limite."),
    )
    proof_required_kinds = models.JSONField(
        _("justificatif demandé pour"),
        default=list,
        blank=True,
        help_text=_("Les liens de parenté dont la structure demande la preuve."),
    )
    accepted_proofs = models.JSONField(
        _("justificatifs acceptés"),
        default=list,
        blank=True,
        help_text=_("Les documents que la structure accepte comme preuve du lien de parenté."),
    )
    notification = models.CharField(
        _("prévenir les gestionnaires"),
        max_length=8,
        choices=Notification.choices,
        default=Notification.EACH,
    )
    digest_sent_at = models.DateTimeField(
        _("dernier récapitulatif envoyé le"), null=True, blank=True, editable=False
    )
    # Who the members ask when they have a question: shown in the emails that leave them waiting
    # or say no (demande reçue, refus, désactivation), only what is set.
    contact_email = models.EmailField(
        _("email de contact"),
        blank=True,
        help_text=_("L'adresse à laquelle les ouvrants-droit peuvent écrire pour une question."),
    )
    contact_phone = models.CharField(
        _("téléphone de contact"), max_length=30, blank=True, help_text=_("Par exemple : 03 89 00 00 00.")
    )
    contact_hours = models.CharField(
        _("horaires de contact"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : du lundi au vendredi, de 9 h à 12 h."),
    )
    contact_message = models.TextField(
        _("message aux ouvrants-droit"),
        blank=True,
        max_length=500,
        help_text=_(
            "Quelques lignes que les ouvrants-droit lisent sur l'accueil de leur espace et sur les "
            "pages d'attente et de refus, par exemple : « Permanence du CSE le jeudi midi en salle B »."
        ),
    )
    # The staff list (liste du personnel) and what the structure lets it decide.
    roster_auto_approve = models.BooleanField(
        _("valider automatiquement les inscriptions dont l'email est sur la liste du personnel"),
        default=False,
        help_text=_(
            "Une inscription dont l'adresse email, confirmée, figure sur la dernière liste du "
            "personnel est validée sans attendre un gestionnaire."
        ),
    )
    roster_auto_deactivate = models.BooleanField(
        _("désactiver automatiquement les départs à leur date de sortie"),
        default=False,
        help_text=_(
            "Le lendemain de la date de sortie indiquée sur la liste du personnel, l'accès de la "
            "personne est désactivé. Les personnes absentes de la liste restent à traiter à la main."
        ),
    )
    reminder_delay_days = models.PositiveSmallIntegerField(
        _("relancer les gestionnaires après (jours)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "Une inscription qui attend plus longtemps est rappelée aux gestionnaires, "
            "au plus une fois par jour."
        ),
    )
    reminder_sent_at = models.DateTimeField(
        _("dernière relance envoyée le"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def age_reference_date(self, today: datetime.date) -> datetime.date:
        """The date at which children's ages are computed, under this structure's rules."""
        if self.child_age_reference == self.AgeReference.JANUARY_1:
            return datetime.date(today.year, 1, 1)
        if self.child_age_reference == self.AgeReference.DECEMBER_31:
            return datetime.date(today.year, 12, 31)
        return today

    def allows(self, relationship: str) -> bool:
        return relationship in (self.allowed_beneficiary_kinds or [])

    def proof_kinds_for(self, relationship: str) -> list[str]:
        """The documents this structure accepts as proof of ``relationship``; empty when it asks
        none."""
        if relationship not in (self.proof_required_kinds or []):
            return []
        accepted = set(self.accepted_proofs or [])
        return [kind for kind in PROOFS_FOR_RELATIONSHIP.get(relationship, ()) if kind in accepted]

    def extended_age_proof_kinds(self) -> list[str]:
        """The documents that keep a child past the base age limit (none: no extension)."""
        if self.child_extended_age_limit is None:
            return []
        return [kind for kind in EXTENDED_AGE_PROOFS if kind in (self.child_extended_proofs or [])]

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_hours or self.contact_message)

    @property
    def contact_phone_uri(self) -> str:
        """The contact phone as a link a phone dials ("tel:0389000000"), or ""."""
        number = re.sub(r"[^0-9+]", "", self.contact_phone)
        return f"tel:{number}" if number else ""

    @cached_property
    def logo_path(self) -> str:
        """The address of the structure's logo, or "" without one. It names the image's
        version, so that a new logo is never hidden by the old one in a cache."""
        digest = StructureLogo.objects.filter(structure_id=self.pk).values_list("digest", flat=True).first()
        if not digest:
            return ""
        return f"{reverse('structure_logo', args=[self.pk])}?v={digest[:12]}"


class StructureLogo(models.Model):
    """A structure's logo, kept in the database like every file of the product (no server's
    disk: any machine serves it) and in a table of its own, so that loading a structure never
    loads its image. A PNG or a JPEG, its type read from its content."""

    MAX_BYTES = 200 * 1024

    class ContentType(models.TextChoices):
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    structure = models.OneToOneField(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="logo",
    )
    content = models.BinaryField(_("image"))
    content_type = models.CharField(_("type"), max_length=16, choices=ContentType.choices)
    digest = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("logo")
        verbose_name_plural = _("logos")

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        self.digest = hashlib.sha256(bytes(self.content)).hexdigest()
        super().save(*args, **kwargs)

    @classmethod
    def sniff(cls, content: bytes) -> str | None:
        """The type of an image from its first bytes (never from its name or what the browser
        said), or ``None`` if it is neither a PNG nor a JPEG."""
        if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
            return cls.ContentType.PNG
        if content.startswith(b"\xff\xd8\xff"):
            return cls.ContentType.JPEG
        return None

    @property
    def description(self) -> str:
        """As the history shows it: "image PNG, 12 Ko"."""
        size = max(1, round(len(self.content) / 1024))
        return _("image %(type)s, %(size)d Ko") % {"type": self.get_content_type_display(), "size": size}


class RosterImport(models.Model):
    """One upload of a structure's staff list (a full export: it replaces the previous one),
    with its report. Kept as the reason of the decisions it makes (auto-approval)."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("fichier"), max_length=255, blank=True)
    line_count = models.PositiveIntegerField(_("lignes lues"), default=0)
    added = models.PositiveIntegerField(_("ajoutées"), default=0)
    changed = models.PositiveIntegerField(_("modifiées"), default=0)
    removed = models.PositiveIntegerField(_("retirées"), default=0)
    rejected = models.PositiveIntegerField(_("rejetées"), default=0)
    # [[line number, French reason], ...]: what the report said of the lines it could not read.
    rejected_lines = models.JSONField(_("lignes rejetées"), default=list, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("import de la liste du personnel")
        verbose_name_plural = _("imports de la liste du personnel")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return _("Liste du personnel de %(structure)s du %(date)s") % {
            "structure": self.structure,
            "date": timezone.localtime(self.created_at).strftime("%d/%m/%Y %H:%M"),
        }


class RosterEntry(models.Model):
    """One person of a structure's staff list, as its latest upload gave them.

    A person gone from the latest upload keeps their line with ``removed_at`` set, so that a
    member who was on the list and is no longer can be proposed for deactivation."""

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="roster_entries"
    )
    last_name = models.CharField(_("nom"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150)
    # ``accounts.models.normalize_email``'s form, as the members' addresses are stored.
    email = models.EmailField(_("adresse email"), max_length=254)
    employee_number = models.CharField(_("matricule"), max_length=50, blank=True)
    start_date = models.DateField(_("date d'entrée"), null=True, blank=True)
    end_date = models.DateField(_("date de sortie"), null=True, blank=True)
    # ``ceplus.text.name_key`` of the names: compared with ``User.name_key``.
    name_key = models.CharField(max_length=310, editable=False)
    roster_import = models.ForeignKey(
        RosterImport,
        verbose_name=_("dernier import qui la contient"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("absente de la liste depuis le"), null=True, blank=True)

    class Meta:
        verbose_name = _("personne de la liste du personnel")
        verbose_name_plural = _("liste du personnel")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "email"], name="structures_roster_one_line_per_email"
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "name_key"], name="structures_roster_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.last_name, self.first_name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.removed_at is None


class InvitationQuerySet(models.QuerySet):
    def usable(self, now: datetime.datetime | None = None):
        now = now or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
            used_at__isnull=True,
        )


class Invitation(models.Model):
    """A link to the signup wizard, bound to one structure.

    The structure's *shared* link may be used by many people; a *personal* invitation is bound to
    one email address and works once.
    """

    class Kind(models.TextChoices):
        SHARED = "shared", _("Lien partagé")
        PERSONAL = "personal", _("Invitation personnelle")

    class State(models.TextChoices):
        ACTIVE = "active", _("Valide")
        USED = "used", _("Utilisée")
        EXPIRED = "expired", _("Expirée")
        REVOKED = "revoked", _("Révoquée")

    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.CASCADE, related_name="invitations"
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SHARED)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    email = models.EmailField(_("adresse email"), blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure"],
                condition=Q(kind="shared", revoked_at__isnull=True),
                name="structures_one_live_shared_link",
            ),
            models.CheckConstraint(
                condition=Q(kind="shared", email="") | Q(kind="personal") & ~Q(email=""),
                name="structures_invitation_email_iff_personal",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.PERSONAL:
            return f"{self.structure} — {self.email}"
        return f"{self.structure} — {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("signup_start", args=[self.token])

    @property
    def state(self) -> str:
        if self.revoked_at:
            return self.State.REVOKED
        if self.used_at:
            return self.State.USED
        if self.expires_at and self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.ACTIVE

    @property
    def is_usable(self) -> bool:
        return self.state == self.State.ACTIVE


def status_label(value: str) -> str:
    """A status in words ("En attente de validation"), or the value itself if it is none."""
    try:
        return str(User.Status(value).label)
    except ValueError:
        return value or "—"


class MembershipDecision(models.Model):
    """The audit trail of a member's status: who changed it, when, from what to what, and why.

    Kept when a member's account is erased (``member`` becomes empty): the trace stays,
    anonymised.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ouvrant-droit"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="decisions",
    )
    structure = models.ForeignKey(
        Structure, verbose_name=_("structure"), on_delete=models.PROTECT, related_name="decisions"
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("ancien statut"), max_length=16, blank=True)
    to_status = models.CharField(_("nouveau statut"), max_length=16)
    reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{status_label(self.from_status)} → {status_label(self.to_status)}"


class Member(User):
    """A member (ouvrant-droit) as the validation queue of the admin shows them.

    A proxy of the user model: its own admin, labels and permissions, so that a structure's
    managers can be given the members of their structures and nothing else of the accounts.
    """

    class Meta:
        proxy = True
        verbose_name = _("ouvrant-droit")
        verbose_name_plural = _("ouvrants-droit")
        permissions = [
            ("decide_member", _("Peut valider, refuser, désactiver et réactiver les ouvrants-droit")),
        ]


class PartnerService(models.Model):
    """A service partenaire: one of CE+ Services' other systems (ticket office, subsidies,
    shop) that members reach with the portal's sign-in. Its OpenID Connect side (name,
    secret, redirect URIs, scopes) is allauth's ``Client``; this holds what allauth's lacks: how
    the espace adhérent presents it, and to which structures' members. Written only by
    ``structures.services.partner_service_save``."""

    client = models.OneToOneField(
        "allauth_idp_oidc.Client",
        verbose_name=_("client OpenID Connect"),
        on_delete=models.CASCADE,
        related_name="partner_service",
    )
    description = models.CharField(
        _("description courte"),
        max_length=200,
        blank=True,
        help_text=_("Une phrase, sous le nom du service sur l'espace adhérent."),
    )
    url = models.URLField(
        _("adresse"),
        help_text=_("Où mène la tuile du service, par exemple https://billetterie.example.org/."),
    )
    initiate_login_uri = models.URLField(
        _("adresse de connexion"),
        blank=True,
        help_text=_(
            "Facultatif : l'adresse du service qui lance la connexion par le portail (initiate_login_uri) ; "
            "la tuile y mène plutôt qu'à l'adresse ci-dessus."
        ),
    )
    structures = models.ManyToManyField(
        Structure,
        verbose_name=_("structures"),
        blank=True,
        related_name="partner_services",
        help_text=_("Les ouvrants-droit validés de ces structures voient la tuile du service."),
    )
    # The logo is kept in the database, like the structures' (no server's disk); loaded only by
    # the page that serves it.
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_type = models.CharField(_("type du logo"), max_length=16, blank=True, editable=False)
    logo_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("service partenaire")
        verbose_name_plural = _("services partenaires")

    def __str__(self) -> str:
        return self.client.name

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def logo_path(self) -> str:
        """The address of the logo, naming its version, or "" without one."""
        if not self.logo_digest:
            return ""
        return f"{reverse('partner_service_logo', args=[self.pk])}?v={self.logo_digest[:12]}"

    @property
    def start_url(self) -> str:
        """Where the tile leads: the service's sign-in by the portal, or its address."""
        return self.initiate_login_uri or self.url
