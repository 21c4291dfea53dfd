"""``manage.py oidc_client add``: register a service partenaire from the command line."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from structures.management.arguments import structure_argument
from structures.partners.access import DEFAULT_SCOPES, SCOPES, clean_redirect_uris
from structures.services import partner_service_save


class Command(BaseCommand):
    help = (
        "Enregistre un service partenaire (client OpenID Connect) et affiche son client_id et son "
        "client_secret, qui ne sera plus jamais affiché."
    )

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="action", required=True)
        add = subcommands.add_parser("add", help="Enregistrer un nouveau service.")
        add.add_argument(
            "--name", required=True, help="Nom du service, tel que les ouvrants-droit le lisent."
        )
        add.add_argument(
            "--redirect-uri",
            action="append",
            required=True,
            dest="redirect_uris",
            help="Adresse de retour (répétable).",
        )
        add.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            choices=list(SCOPES),
            help=f"Information que le service peut demander (répétable ; par défaut : {' '.join(DEFAULT_SCOPES)}).",
        )
        add.add_argument(
            "--url",
            default="",
            help="Adresse du service (par défaut : l'origine de la première adresse de retour).",
        )
        add.add_argument("--description", default="", help="Description courte, sous le nom du service.")
        add.add_argument(
            "--structure",
            action="append",
            default=[],
            dest="structures",
            help="Structure qui voit la tuile (répétable).",
        )

    def handle(self, *args, action, name, redirect_uris, scopes, url, description, structures, **options):
        name = " ".join(name.split())
        if not name:
            raise CommandError("--name ne peut pas être vide.")
        try:
            uris = clean_redirect_uris("\n".join(redirect_uris))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        chosen = set(scopes or DEFAULT_SCOPES) | {"openid"}
        if not url:
            first = urlsplit(uris[0])
            url = f"{first.scheme}://{first.netloc}/"
        service, secret = partner_service_save(
            service=None,
            name=name,
            description=description,
            url=url,
            redirect_uris=uris,
            scopes=[scope for scope in SCOPES if scope in chosen],
            structures=[structure_argument(value) for value in structures],
            acting_user=None,
        )
        self.stdout.write(f"client_id: {service.client_id}")
        self.stdout.write(f"client_secret: {secret}")
