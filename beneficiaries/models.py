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
