"""What a structure manager may see in the admin: the objects of the structures they manage.

CE+ Services staff (superusers) see everything. Anyone else on the admin site sees, searches,
filters, exports and acts on the objects of ``user.managed_structures`` only. ``ScopedAdmin``
applies that to every door of a ModelAdmin: its queryset (hence change pages, history, deletion,
bulk actions, which all start from it), search and autocomplete, foreign-key choices and list
filters; query-string lookups are limited to the list filters.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from ceplus.admin_base import BaseAdmin
from structures.models import Structure

# What may follow a filterable field's name in a query string: comparisons, or the key of the
# related object — never a step into another relation.
TERMINAL_LOOKUPS = {"id", "pk", "exact", "in", "isnull", "gte", "gt", "lte", "lt"}


def is_staff_wide(user) -> bool:
    """CE+ Services staff: they see every structure."""
    return bool(user.is_active and user.is_superuser)


def managed_structure_ids(request: HttpRequest) -> list[int] | None:
    """The structures the request's user manages, ``None`` meaning all of them (staff).

    Cached on the request: one query per request whatever the number of checks.
    """
    if is_staff_wide(request.user):
        return None
    cached = getattr(request, "_managed_structure_ids", None)
    if cached is None:
        cached = list(Structure.objects.filter(managers=request.user).order_by().values_list("pk", flat=True))
        request._managed_structure_ids = cached
    return cached


def scoped_structures(request: HttpRequest) -> QuerySet[Structure]:
    ids = managed_structure_ids(request)
    structures = Structure.objects.all()
    return structures if ids is None else structures.filter(pk__in=ids)


class StructureListFilter(admin.SimpleListFilter):
    """Filter on the structure, offering only the structures the user manages; shown only when
    there is a choice to make."""

    title = _("structure")
    parameter_name = "structure"
    # Path from the admin's model to its structure; set by ``ScopedAdmin``'s subclasses.
    field_path = "structure"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in scoped_structures(request).values_list("pk", "name")]

    def has_output(self):
        return len(self.lookup_choices) > 1

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {pk for pk, _name in self.lookup_choices}:
            # Another structure's id: no result rather than an error that would confirm it exists.
            return queryset.none()
        return queryset.filter(**{self.field_path: value})


def structure_filter(path: str) -> type[StructureListFilter]:
    return type("StructureListFilter", (StructureListFilter,), {"field_path": path})


class ScopedAdmin(BaseAdmin):
    """A ModelAdmin whose objects belong to a structure through ``structure_path``."""

    structure_path: str = "structure"
    # Query-string parameters accepted besides the list filters' own (date filters' lookups…).
    filterable_fields: tuple[str, ...] = ()

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        ids = managed_structure_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.structure_path}__in": ids})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete view passes a queryset of its own choosing: scope it again.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return self.scope(request, queryset), may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None:
            return field
        if db_field.related_model is Structure:
            field.queryset = field.queryset & scoped_structures(request)
        elif db_field.related_model is get_user_model():
            ids = managed_structure_ids(request)
            if ids is not None:
                field.queryset = field.queryset.filter(structure__in=ids)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Structure:
            field.queryset = field.queryset & scoped_structures(request)
        return field

    def lookup_allowed(self, lookup, value, request):
        """Only the list filters' parameters and ``filterable_fields``, followed by plain
        comparisons: ``?structure__managers__email=`` or ``?password__startswith=`` could
        otherwise tell, one request at a time, what the page does not show."""
        allowed = set(self.filterable_fields)
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                allowed.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                allowed.add(item[0])
            else:
                allowed.add(item)
        for name in allowed:
            if lookup == name or (
                lookup.startswith(name + "__")
                and all(part in TERMINAL_LOOKUPS for part in lookup[len(name) + 2 :].split("__"))
            ):
                return super().lookup_allowed(lookup, value, request)
        return False

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup:
            self.message_user(
                request, _("Ce filtre n'est pas disponible : la liste complète s'affiche."), messages.WARNING
            )
            return HttpResponseRedirect(request.path)


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "Voir sur le site" (``/admin/r/<type>/<id>/``), for the objects the user may
    see in the admin only.

    Django's own shortcut checks nothing but access to the admin site: it would redirect a
    manager to another structure's invitation link. Here the object is looked up through its
    ModelAdmin, whose queryset is scoped; anything else answers 404, like a missing object.
    """
    try:
        content_type = ContentType.objects.get_for_id(int(content_type_id))
    except (ValueError, ContentType.DoesNotExist) as error:
        raise Http404 from error
    model = content_type.model_class()
    model_admin = admin.site._registry.get(model) if model is not None else None
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)
