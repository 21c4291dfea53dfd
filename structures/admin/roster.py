"""A structure's staff list (liste du personnel) in the admin: its page (upload, simulation,
report, history of the uploads, the list itself), its summary on the structure's page, and the
structure's staff-list settings that its managers may change there.

The pages hang off ``StructureAdmin`` (``structures.admin.structure``), which finds the
structure as its change page does: another structure's id is a missing one. The upload is read
in memory only (``MemoryOnlyUploadHandler``) and handed to ``structures.roster.services``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from ceplus.csv_files import MAX_BYTES, CsvFileError, too_big_message
from structures.admin.member_import import MemoryOnlyUploadHandler
from structures.models import RosterEntry, RosterImport, Structure
from structures.roster.files import EXAMPLE, FORMAT_HELP, TOO_BIG_ADVICE
from structures.roster.services import RosterReport, counted, roster_replace

ENTRIES_PER_PAGE = 50
HISTORY_LENGTH = 10
# The report shows this many rejected lines; the count is exact.
REJECTED_SHOWN = 200


def _limits(field) -> tuple[int, int]:
    """The bounds the model's validators put on a number field."""
    validators = field.validators
    low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    return low, high


REMINDER_DELAY_RANGE = _limits(Structure._meta.get_field("reminder_delay_days"))

# The columns of the page's tables, named as the models name their fields.
HISTORY_COLUMNS = (
    "created_at",
    "uploaded_by",
    "file_name",
    "line_count",
    "added",
    "changed",
    "removed",
    "rejected",
)
LIST_COLUMNS = ("last_name", "first_name", "email", "employee_number", "start_date", "end_date", "removed_at")

SIMULATE = "simuler"
IMPORT = "importer"


class RosterUploadForm(forms.Form):
    """The file of a staff list. Its two buttons say what to do with it (``action``): anything but
    "Importer la liste" only simulates, so that Enter in the form writes nothing."""

    file = forms.FileField(
        label=gettext_lazy("Fichier CSV de la liste du personnel"),
        help_text=FORMAT_HELP,
        # Required, but checked in clean_file: a file the upload handler dropped is said so.
        required=False,
        error_messages={
            "empty": gettext_lazy("Le fichier est vide : choisissez le fichier de la liste du personnel."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    # Set by the view when the request was bigger than the upload handler keeps.
    too_large = False

    def clean_file(self) -> tuple[str, bytes]:
        upload = self.cleaned_data.get("file")
        if self.too_large:
            raise ValidationError(too_big_message(MAX_BYTES, TOO_BIG_ADVICE))
        if not upload:
            raise ValidationError(_("Choisissez le fichier CSV de la liste du personnel."))
        return upload.name or "", upload.read()


class RosterSettingsMixin:
    """The structure's staff-list settings on its change page (staff's form and the managers'
    one): the reminder delay said as a number of days from 1 to 90, and kept as it is when a
    form does not show it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("reminder_delay_days")
        if field is not None:
            low, high = REMINDER_DELAY_RANGE
            field.required = False
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})

    def clean_reminder_delay_days(self) -> int:
        value = self.cleaned_data.get("reminder_delay_days")
        low, high = REMINDER_DELAY_RANGE
        if value is None and self.add_prefix("reminder_delay_days") not in self.data:
            return self.instance.reminder_delay_days
        if value is None or not low <= value <= high:
            raise ValidationError(
                _("Saisissez un nombre de jours entre %(low)d et %(high)d, par exemple 7.")
                % {"low": low, "high": high}
            )
        return value


def roster_summary(structure: Structure) -> str:
    """The structure page's summary of its list: how many people, the last upload, the link."""
    if structure.pk is None:
        return _("La liste du personnel pourra être importée une fois la structure enregistrée.")
    url = reverse("admin:structures_structure_roster", args=[structure.pk])
    count = structure.roster_entries.filter(removed_at__isnull=True).count()
    last = structure.roster_imports.select_related("uploaded_by").first()
    if last is None:
        return format_html(
            '{} <a href="{}">{}</a>', _("Aucune liste importée."), url, _("Importer la liste du personnel")
        )
    people = _on_the_list(count)
    imported = _("dernier import le %(date)s par %(who)s") % {
        "date": timezone.localtime(last.created_at).strftime("%d/%m/%Y à %H:%M"),
        "who": uploader_name(last),
    }
    return format_html('{}, {}. <a href="{}">{}</a>', people, imported, url, _("Voir et importer la liste"))


def report_sections(report: RosterReport) -> list[dict]:
    """The people a report names, by what the upload did to them: a title with the exact count,
    what it means, the names (as many as the report kept)."""
    sections = [
        (
            report.added,
            report.added_names,
            counted("%(count)d personne ajoutée", "%(count)d personnes ajoutées", report.added),
            "",
        ),
        (
            report.changed,
            report.changed_names,
            counted("%(count)d personne modifiée", "%(count)d personnes modifiées", report.changed),
            "",
        ),
        (
            report.removed,
            report.removed_names,
            counted(
                "%(count)d personne absente du fichier, retirée de la liste",
                "%(count)d personnes absentes du fichier, retirées de la liste",
                report.removed,
            ),
            _(
                "Leur ligne est gardée avec la date de leur retrait ; l'import ne désactive l'accès de personne."
            ),
        ),
        (
            report.kept_absent,
            report.kept_absent_names,
            counted(
                "%(count)d personne absente du fichier, gardée sur la liste",
                "%(count)d personnes absentes du fichier, gardées sur la liste",
                report.kept_absent,
            ),
            "",  # the report says why above
        ),
    ]
    return [
        {"title": title, "note": note, "names": names, "shortened": count > len(names)}
        for count, names, title, note in sections
        if count
    ]


def _on_the_list(count: int) -> str:
    return counted("%(count)d personne sur la liste", "%(count)d personnes sur la liste", count)


def _list_counts(structure: Structure) -> str:
    current = structure.roster_entries.filter(removed_at__isnull=True).count()
    absent = structure.roster_entries.filter(removed_at__isnull=False).count()
    text = _on_the_list(current)
    if absent:
        text += " — " + counted(
            "%(count)d absente de la dernière liste", "%(count)d absentes de la dernière liste", absent
        )
    return text


def _labels(model, names: tuple[str, ...]) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in names]


def uploader_name(upload: RosterImport) -> str:
    user = upload.uploaded_by
    if user is None:
        return _("une commande du serveur")
    return user.get_full_name() or user.email


def roster_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """The staff-list page. The upload handlers must be set before anything reads the request
    body, hence the CSRF check just after (the view itself is ``csrf_exempt``)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return csrf_protect(_roster_page)(request, object_id, model_admin=model_admin)


def _roster_page(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    structure = model_admin.page_structure(request, object_id)
    if structure is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    report = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        form.too_large = getattr(request.upload_handlers[0], "too_large", False)
        if form.is_valid():
            file_name, content = form.cleaned_data["file"]
            try:
                report = roster_replace(
                    structure=structure,
                    content=content,
                    file_name=file_name,
                    acting_user=request.user,
                    dry_run=request.POST.get("action") != IMPORT,
                )
            except CsvFileError as error:
                form.add_error(
                    "file", _("Fichier refusé, la liste n'a pas changé : %(error)s") % {"error": error}
                )
            else:
                if not report.dry_run:
                    model_admin.log_change(request, structure, report.summary)
                form = RosterUploadForm()
    else:
        form = RosterUploadForm()
    entries = structure.roster_entries.order_by("last_name", "first_name", "email")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **model_admin.page_context(
            request, structure, _("Liste du personnel de %(structure)s") % {"structure": structure}
        ),
        "form": form,
        "has_errors": bool(form.errors),
        "report": report,
        "report_sections": report_sections(report) if report else [],
        "rejected_shown": report.rejected[:REJECTED_SHOWN] if report else [],
        "history": [
            (upload, uploader_name(upload))
            for upload in structure.roster_imports.select_related("uploaded_by")[:HISTORY_LENGTH]
        ],
        "page": page,
        "list_counts": _list_counts(structure),
        "history_columns": _labels(RosterImport, HISTORY_COLUMNS),
        "list_columns": _labels(RosterEntry, LIST_COLUMNS),
        "example": EXAMPLE,
        "change_url": reverse("admin:structures_structure_change", args=[structure.pk]),
        "simulate": SIMULATE,
        "import": IMPORT,
    }
    return model_admin.page_response(request, "admin/structures/structure/roster.html", context)
