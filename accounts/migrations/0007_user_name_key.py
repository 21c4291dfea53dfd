import re
import unicodedata

from django.db import migrations, models

# A frozen copy of ``ceplus.text.name_key`` as it was when this migration was written.
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _words(value):
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = _SPACES.sub(" ", stripped).strip().casefold()
    return _NOT_ALNUM.sub(" ", folded).strip()


def fill_name_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    batch = []
    for user in User.objects.only("pk", "first_name", "last_name").iterator(chunk_size=2000):
        user.name_key = f"{_words(user.last_name)}|{_words(user.first_name)}"
        batch.append(user)
        if len(batch) >= 2000:
            User.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_job_title_other"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=310),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('profile_changed', 'Profil modifié'), ('address_changed', 'Adresse de livraison enregistrée'), ('account_changed', 'Compte modifié'), ('password_reset_sent', 'Lien de réinitialisation du mot de passe envoyé'), ('activation_sent', "Email d'activation envoyé"), ('structure_created', 'Structure créée'), ('structure_changed', 'Structure modifiée'), ('manager_added', 'Gestionnaire ajouté'), ('manager_removed', 'Gestionnaire retiré'), ('shared_link_created', "Lien d'invitation créé"), ('shared_link_regenerated', "Lien d'invitation remplacé"), ('invitations_sent', 'Invitations envoyées'), ('invitation_resent', 'Invitation renvoyée'), ('invitation_revoked', 'Invitation révoquée'), ('invitation_expiry_changed', "Date d'expiration d'une invitation modifiée"), ('roster_imported', 'Liste du personnel importée')], max_length=32, verbose_name='modification'),
        ),
    ]
