"""Who may see which structures and members: the tenancy rule, in one place.

``visible_structure_ids(user)`` is the one answer to "which structures may this person see":
all of them for CE+ Services staff (superusers), the structures they manage for a manager,
none for anyone else. The services, the admin, the import page, the template tags and the
exports all ask it (``members_visible_to`` for members).

``ScopedAdmin`` applies it to every door of a ModelAdmin: its queryset (hence change pages,
history, deletion, bulk actions, which all start from it), search and autocomplete,
foreign-key choices and list filters; query-string lookups are limited to the list filters.
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

from accounts.models import User
from ceplus.admin_base import BaseAdmin
from structures.models import Structure

# What may follow a filterable field's name in a query string: comparisons, or the key of the
# related object — never a step into another relation.
TERMINAL_LOOKUPS = {"id", "pk", "exact", "in", "isnull", "gte", "gt", "lte", "lt"}


def is_staff_wide(user) -> bool:
    """CE+ Services staff: they see every structure."""
    return bool(user is not None and user.is_active and user.is_superuser)


def visible_structure_ids(user) -> list[int] | None:
    """The structures ``user`` may see, ``None`` meaning all of them (staff). A manager sees
    the structures they manage; anyone else, none."""
    if is_staff_wide(user):
        return None
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Structure.objects.filter(managers=user).order_by().values_list("pk", flat=True))


def may_see_structure(user, structure_id: int | None) -> bool:
    ids = visible_structure_ids(user)
    return ids is None or structure_id in ids


def scope_by_structure(queryset: QuerySet, ids: list[int] | None, path: str = "structure") -> QuerySet:
    """``queryset`` limited to the objects whose ``path`` leads to one of ``ids`` (``None``:
    all)."""
    return queryset if ids is None else queryset.filter(**{f"{path}__in": ids})


def members_visible_to(user, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """The members (accounts with a structure) ``user`` may see."""
    queryset = User.objects.all() if queryset is None else queryset
    return scope_by_structure(queryset.filter(structure__isnull=False), visible_structure_ids(user))


def managed_structure_ids(request: HttpRequest) -> list[int] | None:
    """``visible_structure_ids`` for the request's user, cached on the request: one query per
    request whatever the number of checks."""
    if not hasattr(request, "_visible_structure_ids"):
        request._visible_structure_ids = visible_structure_ids(request.user)
    return request._visible_structure_ids


def scoped_structures(request: HttpRequest) -> QuerySet[Structure]:
    return scope_by_structure(Structure.objects.all(), managed_structure_ids(request), "pk")


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
    # The list's column naming the structure: shown only to those who see several structures.
    structure_column: str | None = None

    def scope(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return scope_by_structure(queryset, managed_structure_ids(request), self.structure_path)

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if self.structure_column in fields:
            ids = managed_structure_ids(request)
            if ids is not None and len(ids) < 2:
                fields.remove(self.structure_column)
        return fields

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
            field.queryset = scope_by_structure(field.queryset, managed_structure_ids(request))
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
