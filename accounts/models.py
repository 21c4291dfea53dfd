import contextlib
import unicodedata
import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ceplus.text import fold, name_key


def normalize_email(email: str) -> str:
    """The one form of an address that is stored and compared: one mailbox, one string.

    Unicode NFKC (a fullwidth "ｅ" is "e"), the domain in its IDNA ASCII form (Python's
    ``idna`` codec applies nameprep: "ｅxample.org" and "Café.fr" become "example.org" and
    "xn--caf-dma.fr", where mail servers deliver them), then lowercase, since allauth looks
    addresses up by exact match. A domain that cannot be encoded is left as it is, NFKC and
    lowercase, for the validators to refuse. ``accounts/0004_normalise_emails`` put the stored
    addresses in this form with a frozen copy: changing the rules needs a new data migration.
    """
    email = unicodedata.normalize("NFKC", email or "").strip()
    local, at, domain = email.rpartition("@")
    if at and domain:
        with contextlib.suppress(UnicodeError):  # the validators refuse it
            domain = domain.encode("idna").decode("ascii")
        email = f"{local}@{domain}"
    return email.lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("status", User.Status.APPROVED)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str):
        return self.get(email=normalize_email(email))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a member (ouvrant-droit), a structure manager or CE+ staff.

    A member's access to the member area depends on ``status``, a state of our own, and not on
    ``is_active`` alone: allauth refuses password resets to inactive users, and a pending member
    must be able to reset theirs. ``is_active`` is kept for what Django means by it (the account
    may log in at all) and is switched off only for deactivated members.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de validation")
        APPROVED = "approved", _("Validé")
        REJECTED = "rejected", _("Refusé")
        DEACTIVATED = "deactivated", _("Désactivé")

    email = models.EmailField(_("adresse email"), max_length=254)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    phone = PhoneNumberField(_("numéro de téléphone"), region="FR", blank=True)
    job_title = models.ForeignKey(
        "accounts.JobTitle",
        verbose_name=_("fonction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    job_title_other = models.CharField(
        _("autre fonction"),
        max_length=200,
        blank=True,
        help_text=_("La fonction saisie par l'ouvrant-droit quand elle n'est pas dans la liste."),
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("L'entreprise ou le CSE dont dépend l'ouvrant-droit."),
    )
    invitation = models.ForeignKey(
        "structures.Invitation",
        verbose_name=_("invitation utilisée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("motif de la dernière décision"), blank=True)
    status_changed_at = models.DateTimeField(_("date de la dernière décision"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Personnel de CE+ Services et gestionnaires de structure."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=True,
        help_text=_("Décochez plutôt que supprimer : le compte ne peut plus se connecter."),
    )
    date_joined = models.DateTimeField(_("date d'inscription"), default=timezone.now)
    # The person's identifier for the services partenaires (the ``sub`` of their tokens): random,
    # so that it tells nothing (no count of accounts, no order), and never reused or changed, so
    # that a service keeps recognising the person after a change of email.
    public_id = models.UUIDField(
        _("identifiant pour les services partenaires"), default=uuid.uuid4, unique=True, editable=False
    )
    # The name as the structure's staff list is compared with it (``ceplus.text.name_key``),
    # kept by ``save`` so that the queue can filter on it.
    name_key = models.CharField(max_length=310, editable=False, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["structure", "status", "-date_joined"], name="accounts_user_queue_idx"),
            models.Index(fields=["status", "-date_joined"], name="accounts_user_status_idx"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.name_key = name_key(self.last_name, self.first_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_member(self) -> bool:
        return self.structure_id is not None

    @property
    def is_approved_member(self) -> bool:
        return self.is_member and self.is_active and self.status == self.Status.APPROVED


class JobTitle(models.Model):
    """A job title of the reference list that members pick their "Fonction" from."""

    name = models.CharField(_("intitulé"), max_length=200, unique=True)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    is_active = models.BooleanField(
        _("proposée"), default=True, help_text=_("Décochez pour ne plus la proposer.")
    )

    class Meta:
        verbose_name = _("fonction")
        verbose_name_plural = _("fonctions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class Address(models.Model):
    """A member's delivery address, where tickets are sent."""

    user = models.OneToOneField(
        User, verbose_name=_("ouvrant-droit"), on_delete=models.CASCADE, related_name="address"
    )
    line1 = models.CharField(_("adresse"), max_length=200)
    line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10)
    city = models.CharField(_("ville"), max_length=100)
    country = models.CharField(_("pays"), max_length=100, default="France")
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("adresse de livraison")
        verbose_name_plural = _("adresses de livraison")

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.line1, self.line2, f"{self.postal_code} {self.city}", self.country) if part
        )


class Consent(models.Model):
    """A member's acceptance of one version of a legal document (CGU, CGV, règlement)."""

    user = models.ForeignKey(
        User, verbose_name=_("ouvrant-droit"), on_delete=models.CASCADE, related_name="consents"
    )
    document = models.ForeignKey(
        "ceplus.LegalDocument", verbose_name=_("document"), on_delete=models.PROTECT, related_name="consents"
    )
    accepted_at = models.DateTimeField(_("accepté le"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="accounts_consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("legal_document_version", args=[self.document.kind, self.document.version])


class ServiceConsent(models.Model):
    """What a person allowed a service partenaire (an OpenID Connect client) to read about
    them: the scopes they granted on the consent page the first time the service asked. Later
    sign-ins that ask no more skip the page; the person withdraws it from "Mes services
    connectés", which also ends the service's tokens. Written only by ``accounts.services``."""

    user = models.ForeignKey(
        User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="service_consents"
    )
    client = models.ForeignKey(
        "allauth_idp_oidc.Client",
        verbose_name=_("service partenaire"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    scopes = models.JSONField(_("autorisations"), default=list)
    granted_at = models.DateTimeField(_("accordé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("accès accordé à un service partenaire")
        verbose_name_plural = _("accès accordés aux services partenaires")
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="accounts_service_consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client.name} — {self.user}"


class Event(models.Model):
    """A change a person made that has no table of its own: who, when, what (each changed
    field before → after), about which member or structure.

    Written only by ``accounts.events.event_record``. The structure's managers read the events
    of their members on the member's page; an event about a member goes with the member's
    account when it is erased (it holds their data), and names nobody once its author is.
    """

    class Kind(models.TextChoices):
        PROFILE_CHANGED = "profile_changed", _("Profil modifié")
        ADDRESS_CHANGED = "address_changed", _("Adresse de livraison enregistrée")
        ACCOUNT_CHANGED = "account_changed", _("Compte modifié")
        PASSWORD_RESET_SENT = "password_reset_sent", _("Lien de réinitialisation du mot de passe envoyé")
        ACTIVATION_SENT = "activation_sent", _("Email d'activation envoyé")
        STRUCTURE_CREATED = "structure_created", _("Structure créée")
        STRUCTURE_CHANGED = "structure_changed", _("Structure modifiée")
        MANAGER_ADDED = "manager_added", _("Gestionnaire ajouté")
        MANAGER_REMOVED = "manager_removed", _("Gestionnaire retiré")
        SHARED_LINK_CREATED = "shared_link_created", _("Lien d'invitation créé")
        SHARED_LINK_REGENERATED = "shared_link_regenerated", _("Lien d'invitation remplacé")
        INVITATIONS_SENT = "invitations_sent", _("Invitations envoyées")
        INVITATION_RESENT = "invitation_resent", _("Invitation renvoyée")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation révoquée")
        INVITATION_EXPIRY_CHANGED = (
            "invitation_expiry_changed",
            _("Date d'expiration d'une invitation modifiée"),
        )
        ROSTER_IMPORTED = "roster_imported", _("Liste du personnel importée")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Double authentification réinitialisée")
        SERVICE_CONSENTED = "service_consented", _("Accès accordé à un service partenaire")
        SERVICE_REVOKED = "service_revoked", _("Accès d'un service partenaire retiré")
        PARTNER_SERVICE_CREATED = "partner_service_created", _("Service partenaire enregistré")
        PARTNER_SERVICE_CHANGED = "partner_service_changed", _("Service partenaire modifié")

    kind = models.CharField(_("modification"), max_length=32, choices=Kind.choices)
    acting_user = models.ForeignKey(
        User,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    member = models.ForeignKey(
        User,
        verbose_name=_("ouvrant-droit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name=_("structure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    description = models.CharField(_("détail"), max_length=400, blank=True)
    changes = models.JSONField(
        _("modifications"),
        default=list,
        blank=True,
        help_text=_("Chaque champ modifié, avec son ancienne et sa nouvelle valeur."),
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("modification")
        verbose_name_plural = _("historique des modifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["structure", "-created_at"], name="accounts_event_structure_idx"),
            models.Index(fields=["member", "-created_at"], name="accounts_event_member_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} — {self.description}" if self.description else self.get_kind_display()
        )
