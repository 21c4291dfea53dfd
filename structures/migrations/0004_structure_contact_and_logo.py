import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("structures", "0003_managers_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="structure",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="L'adresse à laquelle les ouvrants-droit peuvent écrire pour une question.",
                max_length=254,
                verbose_name="email de contact",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="contact_hours",
            field=models.CharField(
                blank=True,
                help_text="Par exemple : du lundi au vendredi, de 9 h à 12 h.",
                max_length=200,
                verbose_name="horaires de contact",
            ),
        ),
        migrations.AddField(
            model_name="structure",
            name="contact_phone",
            field=models.CharField(
                blank=True,
                help_text="Par exemple : 03 89 00 00 00.",
                max_length=30,
                verbose_name="téléphone de contact",
            ),
        ),
        migrations.CreateModel(
            name="StructureLogo",
            fields=[
                (
                    "structure",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="logo",
                        serialize=False,
                        to="structures.structure",
                        verbose_name="structure",
                    ),
                ),
                ("content", models.BinaryField(verbose_name="image")),
                (
                    "content_type",
                    models.CharField(
                        choices=[("image/png", "PNG"), ("image/jpeg", "JPEG")], max_length=16, verbose_name="type"
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, verbose_name="empreinte SHA-256")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="modifié le")),
            ],
            options={
                "verbose_name": "logo",
                "verbose_name_plural": "logos",
            },
        ),
    ]
