"""Services partenaires (CE+ Services staff only): the OpenID Connect clients members sign in to
with the portal, and how their tiles look on the espace adhérent. allauth's own admin of its
clients and tokens is replaced by this one."""

from __future__ import annotations

from allauth.idp.oidc.models import Client, Token
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ceplus.admin_base import BaseAdmin
from structures.models import PartnerService, Structure, StructureLogo
from structures.partners.access import DEFAULT_SCOPES, SCOPES, clean_redirect_uris
from structures.scoping import is_staff_wide
from structures.services import partner_service_save

for model in (Client, Token):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class PartnerServiceForm(forms.ModelForm):
    name = forms.CharField(
        label=_("Nom"), max_length=100, help_text=_("Tel que les ouvrants-droit le lisent.")
    )
    redirect_uris = forms.CharField(
        label=_("Adresses de retour (redirect URI)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une par ligne : les seules adresses où le portail renvoie après la connexion."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Informations que le service peut demander"),
        choices=[(value, f"{value} : {label}") for value, label in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=DEFAULT_SCOPES,
    )
    structures = forms.ModelMultipleChoiceField(
        label=_("Structures"),
        queryset=Structure.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Les ouvrants-droit validés de ces structures voient la tuile du service."),
    )
    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("Une image PNG ou JPEG de 200 Ko au plus."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    logo_remove = forms.BooleanField(label=_("Retirer le logo"), required=False)

    class Meta:
        model = PartnerService
        fields = ["description", "url", "initiate_login_uri"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            client = self.instance.client
            self.fields["name"].initial = client.name
            self.fields["redirect_uris"].initial = "\n".join(client.get_redirect_uris())
            self.fields["scopes"].initial = client.get_scopes()
            self.fields["structures"].initial = list(self.instance.structures.values_list("pk", flat=True))

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_redirect_uris(self) -> list[str]:
        return clean_redirect_uris(self.cleaned_data["redirect_uris"])

    def clean_scopes(self) -> list[str]:
        chosen = set(self.cleaned_data["scopes"]) | {"openid"}
        return [scope for scope in SCOPES if scope in chosen]

    def clean_logo_file(self) -> tuple[bytes, str] | None:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > StructureLogo.MAX_BYTES:
            raise ValidationError(_("Le logo dépasse 200 Ko : enregistrez-le plus petit."))
        content = upload.read()
        content_type = StructureLogo.sniff(content)
        if content_type is None:
            raise ValidationError(
                _(
                    "Ce fichier n'est pas une image PNG ou JPEG : enregistrez le logo dans l'un de ces formats."
                )
            )
        return content, content_type


@admin.register(PartnerService)
class PartnerServiceAdmin(BaseAdmin):
    """CE+ Services staff register the services here; managers neither see nor open it."""

    form = PartnerServiceForm
    list_display = ["name", "url", "client_id", "structures_list", "created_at"]
    search_fields = ["client__name", "url"]
    readonly_fields = ["client_id"]
    fieldsets = [
        (None, {"fields": ["name", "description", "url", "initiate_login_uri", "logo_file", "logo_remove"]}),
        (_("Connexion (OpenID Connect)"), {"fields": ["client_id", "redirect_uris", "scopes"]}),
        (_("Qui voit la tuile"), {"fields": ["structures"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .defer("logo")
            .prefetch_related("structures")
        )

    @admin.display(description=_("nom"), ordering="client__name")
    def name(self, obj: PartnerService) -> str:
        return obj.client.name

    @admin.display(description=_("identifiant client (client_id)"))
    def client_id(self, obj: PartnerService) -> str:
        return obj.client_id or "—"

    @admin.display(description=_("structures"))
    def structures_list(self, obj: PartnerService) -> str:
        return ", ".join(sorted(structure.name for structure in obj.structures.all())) or "—"

    # Staff only: for anyone else the model does not exist (ProductAdminMixin).
    def has_module_permission(self, request) -> bool:
        return is_staff_wide(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_staff_wide(request.user)

    def has_add_permission(self, request) -> bool:
        return is_staff_wide(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_staff_wide(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A service is taken off the members' homes by unticking its structures; removing its
        # client would cut the members' accounts on it without a record.
        return False

    def save_model(self, request, obj: PartnerService, form: PartnerServiceForm, change: bool) -> None:
        data = form.cleaned_data
        service, secret = partner_service_save(
            # As stored: the form already wrote its values on ``obj``, the history compares with these.
            service=PartnerService.objects.select_related("client").get(pk=obj.pk) if change else None,
            name=data["name"],
            description=data["description"],
            url=data["url"],
            initiate_login_uri=data["initiate_login_uri"],
            redirect_uris=data["redirect_uris"],
            scopes=data["scopes"],
            structures=data["structures"],
            logo=data.get("logo_file"),
            logo_remove=data.get("logo_remove", False),
            acting_user=request.user,
        )
        # The admin goes on with ``obj`` (its message, its history, where it goes next).
        obj.pk, obj.client = service.pk, service.client
        obj._state.adding = False
        if secret:
            messages.warning(
                request,
                gettext(
                    "Transmettez au service ces identifiants : client_id %(client_id)s, client_secret "
                    "%(secret)s. Le secret n'est plus jamais affiché : notez-le maintenant."
                )
                % {"client_id": service.client_id, "secret": secret},
            )

    def save_related(self, request, form, formsets, change) -> None:
        # The structures are saved by the service, with the rest.
        pass
