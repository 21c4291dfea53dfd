"""The admin's page for the import of a structure's members from the former site's CSV file."""

from __future__ import annotations

import os
from io import BytesIO, UnsupportedOperation

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from structures.imports import FORMAT_HELP, MAX_FILE_BYTES, ImportFileError, members_import
from structures.models import Structure
from structures.scoping import scope_by_structure, visible_structure_ids

IMPORT_PERMISSIONS = ("accounts.add_user", "accounts.change_user")
# The file plus the form's other fields and the multipart envelope.
MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 64 * 1024


class MemoryOnlyUploadHandler(MemoryFileUploadHandler):
    """Keeps the uploaded file in memory and never on disk: it holds members' personal data.
    A request larger than ``MAX_UPLOAD_BYTES`` is read and dropped (``too_large``)."""

    too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        stream = getattr(input_data, "_stream", input_data)
        try:
            content_length = stream.seek(0, os.SEEK_END)
        except (UnsupportedOperation, AttributeError):
            pass  # WSGI enforces Content-Length: trust it
        else:
            stream.seek(0)
        self.activated = content_length is not None and content_length <= MAX_UPLOAD_BYTES
        self.too_large = not self.activated

    def new_file(self, *args, **kwargs):
        super(MemoryFileUploadHandler, self).new_file(*args, **kwargs)
        if self.activated:
            self.file = BytesIO()
            raise StopFutureHandlers()


class MemberImportForm(forms.Form):
    structure = forms.ModelChoiceField(
        label=_("Structure"),
        queryset=Structure.objects.none(),
        help_text=_("Les membres du fichier sont rattachés à cette structure."),
        error_messages={"required": _("Choisissez la structure des membres.")},
    )
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=FORMAT_HELP,
        error_messages={
            "required": _("Choisissez le fichier CSV des membres."),
            "empty": _("Le fichier est vide."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    dry_run = forms.BooleanField(
        label=_("Simuler seulement : vérifier le fichier et afficher le rapport sans rien enregistrer"),
        required=False,
    )

    def __init__(self, *args, structures, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        if too_large:
            # The upload handler dropped the file: say why it is missing.
            self.fields["file"].error_messages["required"] = _(
                "Le fichier dépasse %(size)d Mo : découpez-le en plusieurs fichiers."
            ) % {"size": MAX_FILE_BYTES // (1024 * 1024)}

    def clean_file(self) -> bytes:
        return self.cleaned_data["file"].read()


@csrf_exempt  # the CSRF check runs below, once the upload handler is in place
def member_import(request: HttpRequest) -> HttpResponse:
    """Admin: import the members of a structure from the former site's CSV file."""
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _member_import(request)


@require_http_methods(["GET", "HEAD", "POST"])
def _member_import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    # Belt and braces: someone given the permissions still acts only on their structures.
    structures = scope_by_structure(Structure.objects.all(), visible_structure_ids(request.user), "pk")
    handler = request.upload_handlers[0] if request.upload_handlers else None
    form = MemberImportForm(
        request.POST or None,
        request.FILES or None,
        structures=structures,
        too_large=request.method == "POST" and getattr(handler, "too_large", False),
    )
    report = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        try:
            report = members_import(
                structure=form.cleaned_data["structure"],
                content=form.cleaned_data["file"],
                acting_user=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportFileError as error:
            file_error = str(error)
    context = {
        **admin.site.each_context(request),
        "title": _("Importer les membres de l'ancien site"),
        "form": form,
        "report": report,
        "file_error": file_error,
        "format_help": FORMAT_HELP,
    }
    return render(request, "admin/accounts/import_members.html", context)


_member_import = admin.site.admin_view(_member_import_page)
