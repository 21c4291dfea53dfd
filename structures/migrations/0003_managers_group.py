from django.contrib.auth.management import create_permissions
from django.db import migrations

from structures.permissions import sync_manager_group


def create_managers_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now
    # for the models known at this point, so that the group gets them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_manager_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def delete_managers_group(apps, schema_editor):
    from structures.permissions import MANAGER_GROUP_NAME

    apps.get_model("auth", "Group").objects.filter(name=MANAGER_GROUP_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0003_load_job_titles"),
        ("beneficiaries", "0001_initial"),
        ("structures", "0002_member_queue_and_digest"),
    ]

    operations = [
        migrations.RunPython(create_managers_group, delete_managers_group),
    ]
