"""The structure managers' group and exactly the permissions it carries.

A manager (gestionnaire) is an admin-site user in ``structure.managers`` and in this group. What
the group allows is filtered further by structure in every admin (``structures.scoping``): the
permissions say *what kind* of object a manager may see or act on, the scoping says *which ones*.
"""

from __future__ import annotations

from django.db.models import Q

MANAGER_GROUP_NAME = "Gestionnaires de structure"

# "app_label.codename". A permission whose model does not exist (yet) is skipped.
MANAGER_PERMISSIONS = (
    "structures.view_member",
    "structures.change_member",
    "structures.decide_member",
    "structures.view_structure",
    "structures.view_invitation",
    "structures.add_invitation",
    "structures.change_invitation",
    "structures.view_membershipdecision",
    "accounts.view_address",
    "accounts.view_consent",
    "accounts.view_event",
    "beneficiaries.view_beneficiary",
    "beneficiaries.view_beneficiarychange",
    # Justificatifs à vérifier: read, open and decide (change) those of their structures.
    "beneficiaries.view_proof",
    "beneficiaries.change_proof",
    "beneficiaries.view_campaign",
    "beneficiaries.add_campaign",
    "beneficiaries.change_campaign",
)


def manager_permissions_q() -> Q:
    query = Q(pk__in=[])
    for name in MANAGER_PERMISSIONS:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return query


def sync_manager_group(group_model, permission_model):
    """Create the managers' group if needed and give it exactly ``MANAGER_PERMISSIONS``.

    Takes the models as arguments so that the data migration can pass its historical ones.
    """
    group, _created = group_model.objects.get_or_create(name=MANAGER_GROUP_NAME)
    group.permissions.set(permission_model.objects.filter(manager_permissions_q()))
    return group


def sync_manager_group_after_migrate(sender, using="default", apps=None, **kwargs):
    """post_migrate: permissions of every app exist by now, including models added after the
    group's migration; a test database flush also lands here and gets the group back."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_manager_group(Group, Permission)


def manager_group():
    """The managers' group, created with its permissions on first use."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.filter(name=MANAGER_GROUP_NAME).first()
    if group is None:
        group = sync_manager_group(Group, Permission)
    return group
