"""Beneficiaries and their history in the admin. Managers read them; staff correct a
beneficiary here under the structure's rules, and every change is recorded
(``beneficiaries.services``)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from beneficiaries.entitlement import standings
from beneficiaries.models import Beneficiary, BeneficiaryChange, Proof, ProofFile, ProofKind
from beneficiaries.rules import Candidate, age_on
from beneficiaries.services import (
    ProofAlreadyDecided,
    beneficiary_check,
    beneficiary_remove,
    beneficiary_update,
    proof_decide,
    proof_file_content,
)
from ceplus.admin_base import ReadOnlyAdminMixin, changes_table
from structures.scoping import ScopedAdmin, structure_filter


class BeneficiaryAdminForm(forms.ModelForm):
    """A beneficiary as staff correct it: the structure's rules say no at the field concerned."""

    class Meta:
        model = Beneficiary
        fields = ["relationship", "last_name", "first_name", "birth_date"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk:
            candidate = Candidate(
                relationship=cleaned["relationship"],
                birth_date=cleaned["birth_date"],
                first_name=cleaned["first_name"],
                pk=self.instance.pk,
            )
            try:
                beneficiary_check(self.instance.member, candidate)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Beneficiary)
class BeneficiaryAdmin(ScopedAdmin):
    """Members' family members. Managers read them (the member keeps them up to date from the
    member area); only staff may correct one here, under the structure's rules, and each
    correction or removal is recorded like the member's own."""

    form = BeneficiaryAdminForm

    structure_path = "member__structure"
    structure_column = "structure_name"
    list_display = ["last_name", "first_name", "relationship", "birth_date", "member_link", "structure_name"]
    list_select_related = ["member", "member__structure"]
    list_filter = ["relationship", structure_filter("member__structure")]
    search_fields = ["last_name", "first_name", "member__last_name", "member__email"]
    ordering = ["member__last_name", "last_name", "first_name"]
    readonly_fields = ["member"]

    def has_add_permission(self, request):
        # Members add their beneficiaries at signup or from the member area.
        return False

    def save_model(self, request, obj, form, change):
        try:
            beneficiary_update(
                beneficiary=obj,
                relationship=obj.relationship,
                last_name=obj.last_name,
                first_name=obj.first_name,
                birth_date=obj.birth_date,
                acting_user=request.user,
            )
        except ValidationError as error:
            # The rules changed between the form's check and the save (another change meanwhile).
            self.message_user(request, " ".join(error.messages), messages.ERROR)

    def delete_model(self, request, obj):
        beneficiary_remove(beneficiary=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for beneficiary in queryset:
            beneficiary_remove(beneficiary=beneficiary, acting_user=request.user)

    @admin.display(description=_("ouvrant-droit"), ordering="member__last_name")
    def member_link(self, beneficiary: Beneficiary) -> str:
        url = reverse("admin:structures_member_change", args=[beneficiary.member_id])
        return format_html('<a href="{}">{}</a>', url, beneficiary.member)

    @admin.display(description=_("structure"), ordering="member__structure__name")
    def structure_name(self, beneficiary: Beneficiary) -> str:
        return beneficiary.member.structure.name if beneficiary.member.structure else "—"


@admin.register(BeneficiaryChange)
class BeneficiaryChangeAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The audit trail of beneficiaries: read-only, and for a structure manager only the changes
    of their own structures' members."""

    list_display = ["created_at", "member", "action", "description", "acting_user"]
    list_filter = ["action", structure_filter("structure")]
    list_select_related = ["member", "acting_user"]
    search_fields = ["description", "member__last_name", "member__first_name", "member__email"]
    date_hierarchy = "created_at"
    filterable_fields = ("created_at",)
    fields = ["created_at", "member", "structure", "acting_user", "action", "description", "changes_table"]
    readonly_fields = fields

    @admin.display(description=_("modifications"))
    def changes_table(self, obj: BeneficiaryChange) -> str:
        return changes_table(obj.changes)


# --- Justificatifs à vérifier ------------------------------------------------------------------


class ProofStatusFilter(admin.SimpleListFilter):
    """The list opens on the proofs waiting for a decision; the others are one click away."""

    title = _("état")
    parameter_name = "etat"
    WAITING = "a_verifier"
    STATUSES = {
        WAITING: Proof.Status.PENDING,
        "verifies": Proof.Status.ACCEPTED,
        "refuses": Proof.Status.REFUSED,
        "supprimes": Proof.Status.EXPIRED,
    }

    def lookups(self, request, model_admin):
        return [
            (self.WAITING, _("À vérifier")),
            ("verifies", _("Vérifiés")),
            ("refuses", _("Refusés")),
            ("supprimes", _("Supprimés sans vérification")),
            ("tous", _("Tous")),
        ]

    def choices(self, changelist):
        value = self.value() or self.WAITING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.WAITING
        if value == "tous":
            return queryset
        status = self.STATUSES.get(value)
        return queryset.filter(status=status) if status else queryset.none()


class ProofDecisionForm(forms.Form):
    """Accept, or refuse with a motif from the list (and details if needed)."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accepter")), ("refuse", _("Refuser"))],
        error_messages={"required": _("Choisissez d'accepter ou de refuser le justificatif.")},
    )
    reason = forms.ChoiceField(
        label=_("Motif du refus"),
        choices=[("", _("— Choisissez un motif —")), *Proof.RefusalReason.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("Précisions pour l'ouvrant-droit"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Elles figurent dans l'email qui annonce le refus. Facultatif, sauf pour « Autre motif »."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse":
            if not cleaned.get("reason"):
                self.add_error("reason", _("Choisissez le motif du refus : l'ouvrant-droit le lira."))
            elif cleaned["reason"] == Proof.RefusalReason.OTHER and not cleaned.get("details", "").strip():
                self.add_error("details", _("Précisez le motif du refus."))
        return cleaned


@admin.register(Proof)
class ProofAdmin(ScopedAdmin):
    """Justificatifs à vérifier: the proofs members sent, their structures' only for a manager,
    oldest first. A proof's page shows what it is for, opens its file, and decides; the decision
    deletes the file (``beneficiaries.services.proof_decide``). Nothing here is edited by hand."""

    structure_path = "beneficiary__member__structure"
    structure_column = "structure_name"
    list_display = [
        "sent_at_display",
        "beneficiary_name",
        "kind",
        "purpose",
        "member_link",
        "structure_name",
        "status",
    ]
    list_display_links = ["sent_at_display", "beneficiary_name"]
    list_select_related = ["beneficiary__member__structure"]
    list_filter = [ProofStatusFilter, "kind", structure_filter("beneficiary__member__structure")]
    search_fields = ["beneficiary__last_name", "beneficiary__first_name", "beneficiary__member__last_name"]
    ordering = ["sent_at", "pk"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A file goes at the decision, or with the daily purge; the record of the decision stays.
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/fichier/",
                self.admin_site.admin_view(self.file_view),
                name="beneficiaries_proof_file",
            ),
            *super().get_urls(),
        ]

    # -- columns

    @admin.display(description=_("envoyé le"), ordering="sent_at")
    def sent_at_display(self, proof: Proof) -> str:
        return date_format(timezone.localtime(proof.sent_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=_("bénéficiaire"), ordering="beneficiary__last_name")
    def beneficiary_name(self, proof: Proof) -> str:
        beneficiary = proof.beneficiary
        return f"{beneficiary.first_name} {beneficiary.last_name} ({beneficiary.get_relationship_display()})"

    @admin.display(description=_("ouvrant-droit"), ordering="beneficiary__member__last_name")
    def member_link(self, proof: Proof) -> str:
        member = proof.beneficiary.member
        url = reverse("admin:structures_member_change", args=[member.pk])
        return format_html('<a href="{}">{}</a>', url, member)

    @admin.display(description=_("structure"), ordering="beneficiary__member__structure__name")
    def structure_name(self, proof: Proof) -> str:
        structure = proof.beneficiary.member.structure
        return structure.name if structure else "—"

    # -- the proof's page: facts, the file, the decision

    def _waiting(self, request: HttpRequest):
        return self.get_queryset(request).filter(status=Proof.Status.PENDING).order_by("sent_at", "pk")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proof = self.get_object(request, unquote(object_id))
        if proof is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        may_decide = proof.status == Proof.Status.PENDING and self.has_change_permission(request, proof)
        form = ProofDecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not may_decide:
                raise PermissionDenied
            if form.is_valid():
                return self._decide(request, proof, form)
        beneficiary = proof.beneficiary
        structure = beneficiary.member.structure
        file = ProofFile.objects.filter(proof=proof).only("content_type", "size").first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(proof),
            "proof": proof,
            "beneficiary": beneficiary,
            "member": beneficiary.member,
            "age": age_on(beneficiary.birth_date, timezone.localdate()),
            "standing": standings(
                Beneficiary.objects.filter(pk=beneficiary.pk).select_related("member__structure"),
                timezone.localdate(),
            )[0].standing,
            "rules_documents": ", ".join(
                str(ProofKind(kind).label)
                for kind in (
                    structure.proof_kinds_for(beneficiary.relationship)
                    if proof.purpose == Proof.Purpose.RELATIONSHIP
                    else structure.extended_age_proof_kinds()
                )
            )
            if structure
            else "",
            "file": file,
            "file_url": reverse("admin:beneficiaries_proof_file", args=[proof.pk]),
            "form": form,
            "may_decide": may_decide,
            "has_errors": bool(form.errors),
            "waiting_count": self._waiting(request).count(),
        }
        return TemplateResponse(request, "admin/beneficiaries/proof/review.html", context)

    def _decide(self, request: HttpRequest, proof: Proof, form: ProofDecisionForm) -> HttpResponse:
        accepted = form.cleaned_data["decision"] == "accept"
        try:
            proof_decide(
                proof=proof,
                accepted=accepted,
                reason=form.cleaned_data.get("reason") or "",
                details=form.cleaned_data.get("details") or "",
                acting_user=request.user,
            )
        except ProofAlreadyDecided:
            self.message_user(
                request,
                _("Ce justificatif a déjà été traité entre-temps : rien n'a changé."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:beneficiaries_proof_change", args=[proof.pk]))
        done = (
            _("Justificatif de %(name)s accepté ; le fichier est supprimé.")
            if accepted
            else _(
                "Justificatif de %(name)s refusé ; le fichier est supprimé et l'ouvrant-droit prévenu par email."
            )
        ) % {"name": proof.beneficiary.first_name}
        waiting = self._waiting(request)
        following = waiting.first()
        if following is None:
            self.message_user(
                request, f"{done} " + _("C'était le dernier justificatif à vérifier."), messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:beneficiaries_proof_changelist"))
        remaining = waiting.count()
        self.message_user(
            request,
            f"{done} "
            + ngettext(
                "Encore %(count)d justificatif à vérifier : voici le suivant.",
                "Encore %(count)d justificatifs à vérifier : voici le suivant.",
                remaining,
            )
            % {"count": remaining},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:beneficiaries_proof_change", args=[following.pk]))

    def file_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The proof's file, to the managers of the member's structure and staff only, as an
        attachment the browser never renders in the site's origin (``nosniff``, a sandboxing CSP,
        not kept in any cache). Gone once decided."""
        proof = self.get_object(request, unquote(object_id))
        if proof is None:
            raise Http404
        try:
            content, content_type = proof_file_content(proof)
        except ProofFile.DoesNotExist:
            self.message_user(
                request,
                _("Le fichier de ce justificatif n'existe plus : il est supprimé dès la décision."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:beneficiaries_proof_change", args=[proof.pk]))
        extension = ProofFile.EXTENSIONS[content_type]
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="justificatif-{proof.pk}.{extension}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "no-referrer"
        return response


# The yearly updates and the page of who is entitled on a date have modules of their own.
from beneficiaries import campaign_admin  # noqa: E402, F401
