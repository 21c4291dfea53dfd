from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalDocumentQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_at__lte=now or timezone.now())

    def current(self, kind: str, now=None):
        """The version of ``kind`` in force now, or ``None``."""
        return self.published(now).filter(kind=kind).order_by("-version").first()

    def current_ids(self, kinds=None, now=None) -> dict:
        """The id of the version in force of each kind, as ``{kind: id}``; one query that reads
        no text."""
        kinds = kinds or LegalDocument.Kind.values
        rows = (
            self.published(now).filter(kind__in=kinds).order_by("kind", "-version").values_list("kind", "pk")
        )
        current: dict = {}
        for kind, pk in rows:
            current.setdefault(kind, pk)
        return current

    def current_set(self, kinds=None, now=None) -> dict:
        """The version in force of each kind, as ``{kind: document}``; one query."""
        kinds = kinds or LegalDocument.Kind.values
        documents = self.published(now).filter(kind__in=kinds).order_by("kind", "-version")
        current: dict = {}
        for document in documents:
            current.setdefault(document.kind, document)
        return current


class LegalDocument(models.Model):
    """One version of a legal text. A new version never overwrites one that members accepted.

    Staff publish a change by adding a new version (the admin copies the previous one for
    them); once published, a version's text is read-only.
    """

    class Kind(models.TextChoices):
        MENTIONS = "mentions-legales", _("Mentions légales")
        CGU = "cgu", _("Conditions générales d'utilisation (CGU)")
        CGV = "cgv", _("Conditions générales de vente (CGV)")
        REGLEMENT = "reglement", _("Règlement de CE+ Services")

    # The documents a member accepts at signup, in the order they are shown.
    CONSENT_KINDS = (Kind.CGU, Kind.CGV, Kind.REGLEMENT)

    kind = models.CharField(_("document"), max_length=32, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"), editable=False)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), help_text=_("Texte brut ; une ligne vide sépare deux paragraphes."))
    published_at = models.DateTimeField(
        _("en vigueur à partir du"),
        default=timezone.now,
        help_text=_("Une date future prépare une version sans la publier tout de suite."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document légal")
        verbose_name_plural = _("documents légaux")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="ceplus_legaldocument_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — version {self.version}"

    def save(self, *args, **kwargs):
        if self.version is None:
            last = LegalDocument.objects.filter(kind=self.kind).aggregate(models.Max("version"))
            self.version = (last["version__max"] or 0) + 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("legal_document_version", args=[self.kind, self.version])

    @property
    def is_published(self) -> bool:
        return self.published_at <= timezone.now()


class OutgoingEmail(models.Model):
    """An email on its way out: written in the same transaction as the change that caused it.

    A background task delivers it and records the outcome; staff see failures in the admin and
    can send them again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    to = models.EmailField(_("destinataire"))
    # The account the email was written for, when the sender knew it: the member's export and
    # erasure go by it, never by what the address or the text looks like.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte destinataire"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_email = models.CharField(_("expéditeur"), max_length=254)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    html = models.TextField(_("HTML"), blank=True)
    template = models.CharField(_("modèle"), max_length=120, blank=True)
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("email envoyé")
        verbose_name_plural = _("emails envoyés")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ceplus_email_status_idx"),
            # A member's export and erasure look their verified addresses up, exactly.
            models.Index(fields=["to"], name="ceplus_email_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
