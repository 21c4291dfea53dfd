import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def give_public_ids(apps, schema_editor):
    """Each existing account gets its own random identifier (a default would give them all one)."""
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(public_id__isnull=True).only("pk").iterator():
        User.objects.filter(pk=user.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_event_second_factor_reset"),
        ("allauth_idp_oidc", "0003_client_allow_uri_wildcards"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                unique=True,
                verbose_name="identifiant pour les services partenaires",
            ),
        ),
        migrations.CreateModel(
            name="ServiceConsent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scopes", models.JSONField(default=list, verbose_name="autorisations")),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="accordé le")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="modifié le")),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="allauth_idp_oidc.client",
                        verbose_name="service partenaire",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="service_consents",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="personne",
                    ),
                ),
            ],
            options={
                "verbose_name": "accès accordé à un service partenaire",
                "verbose_name_plural": "accès accordés aux services partenaires",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "client"), name="accounts_service_consent_unique")
                ],
            },
        ),
    ]
