"""``manage.py import_members``: the members of a structure from the former site's CSV file."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from structures.imports import FORMAT_HELP, ImportFileError, ImportReport, members_import
from structures.management.arguments import add_file_arguments, file_argument, structure_argument


class Command(BaseCommand):
    help = (
        "Importe (ou met à jour) les membres d'une structure depuis le fichier CSV de l'ancien site. "
        "Les nouveaux membres sont validés, sans mot de passe : envoyez-leur ensuite l'email "
        "d'activation depuis l'administration. Relancer le même fichier met à jour sans doublon. "
        + str(FORMAT_HELP)
    )

    def add_arguments(self, parser):
        add_file_arguments(parser, structure_help="Nom exact ou numéro (id) de la structure des membres.")
        parser.add_argument(
            "--par", dest="acting_email", help="Email du membre du personnel qui fait l'import (historique)."
        )

    def handle(self, *args, file, structure, dry_run, acting_email, **options):
        target = structure_argument(structure)
        acting_user = None
        if acting_email:
            acting_user = User.objects.filter(email=acting_email.strip().lower(), is_staff=True).first()
            if acting_user is None:
                raise CommandError(
                    _("Aucun compte du personnel avec l'adresse « %(email)s ».") % {"email": acting_email}
                )
        content = file_argument(file)
        try:
            report = members_import(
                structure=target, content=content, acting_user=acting_user, dry_run=dry_run
            )
        except ImportFileError as error:
            raise CommandError(
                _("Fichier refusé, rien n'a été importé : %(error)s") % {"error": error}
            ) from error
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        out = self.stdout
        if report.dry_run:
            out.write(self.style.WARNING(_("Simulation : rien n'a été enregistré.")))
        out.write(_("Structure : %(structure)s") % {"structure": report.structure})
        out.write(
            _("%(created)d créé(s), %(updated)d mis à jour, %(rejected)d refusé(s) sur %(lines)d ligne(s).")
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "rejected": len(report.rejected),
                "lines": report.lines,
            }
        )
        if report.ignored_columns:
            out.write(_("Colonnes ignorées : %(columns)s") % {"columns": ", ".join(report.ignored_columns)})
        for line in report.rejected:
            out.write(
                self.style.ERROR(
                    _("Ligne %(number)d (%(email)s) refusée : %(reasons)s")
                    % {"number": line.number, "email": line.email or "—", "reasons": "; ".join(line.reasons)}
                )
            )
        for line in report.created + report.updated:
            if line.notes:
                out.write(
                    _("Ligne %(number)d (%(email)s) : %(notes)s")
                    % {"number": line.number, "email": line.email, "notes": "; ".join(line.notes)}
                )
