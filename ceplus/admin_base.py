"""What every admin of the product shares: an object the user may not see does not exist for
them, and actions answer a selection they cannot act on with a French message, never an error."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

NOTHING_TO_ACT_ON = _(
    "Aucun des éléments sélectionnés n'est disponible (il a pu être traité entre-temps, ou ne "
    "fait pas partie de vos structures) : rien n'a été fait."
)


def valid_pks(model, values: list[str]) -> list[str]:
    """The posted ids that can be primary keys of ``model``: a forged ``abc`` or ``1\\x00``
    would make the database query fail."""
    field = model._meta.pk
    valid = []
    for value in values:
        try:
            field.to_python(value)
        except (ValidationError, ValueError, TypeError):
            continue
        if "\x00" not in value:
            valid.append(value)
    return valid


class ProductAdminMixin:
    """Objects the user may not see, and actions on a selection that no longer exists for them.

    Django looks an object up before it checks the user's permission on its model: a page
    about an object of a model the user may not open answered 403 for an existing id and "n'existe
    pas" for a missing one, which tells ids apart. Here both are missing.

    Admin actions run only on a selection that still exists for this user.

    Django filters the posted ids by the list as the user sees it (their structures, the filter
    on screen) and runs the action on what is left, even nothing: a decision taken meanwhile by
    another manager, an id of another structure or a forged one would then reach an action
    that expects at least one object. Here such a selection gets a message and changes nothing.
    """

    def get_object(self, request, object_id, from_field=None):
        if not self.has_view_or_change_permission(request):
            return None
        # An empty ?_to_field= means the primary key, as without it.
        return super().get_object(request, object_id, from_field or None)

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        valid = valid_pks(self.model, selected)
        if len(valid) != len(selected):
            post = request.POST.copy()
            post.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
            request.POST = post
        select_across = forms.BooleanField(required=False).to_python(request.POST.get("select_across"))
        if selected or select_across:
            target = queryset if select_across else queryset.filter(pk__in=valid)
            if (not valid and not select_across) or not target.exists():
                self.message_user(request, NOTHING_TO_ACT_ON, messages.WARNING)
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)


class BaseAdmin(ProductAdminMixin, admin.ModelAdmin):
    """The product's ModelAdmin."""

    def changelist_view(self, request, extra_context=None):
        # The list's name ("Décisions"), not Django's "Sélectionnez l'objet … à changer".
        extra_context = {"title": capfirst(self.opts.verbose_name_plural), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class ReadOnlyAdminMixin:
    """A record written by the services only (decisions, histories, consents): nobody adds,
    edits or deletes a line from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def changes_table(changes: list[dict], description: str = "") -> str:
    """A recorded change as a manager reads it: its detail, then each field before → after."""
    lines = format_html_join(
        "\n",
        "<div>{} : {} → {}</div>",
        ((item.get("field", ""), item.get("before", ""), item.get("after", "")) for item in changes or []),
    )
    if description:
        return format_html("<div>{}</div>{}", description, lines)
    return lines or "—"
