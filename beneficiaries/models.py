from django.conf import settings
from django.db import models
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
