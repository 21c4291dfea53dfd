"""``manage.py import_roster``: a structure's staff list (liste du personnel) from a CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ceplus.csv_files import CsvFileError
from structures.management.arguments import add_file_arguments, file_argument, structure_argument
from structures.roster.files import FORMAT_HELP
from structures.roster.services import RosterReport, roster_replace


class Command(BaseCommand):
    help = (
        "Importe la liste du personnel d'une structure depuis un fichier CSV : elle remplace la "
        "liste précédente (ajouts, modifications, départs). " + str(FORMAT_HELP)
    )

    def add_arguments(self, parser):
        add_file_arguments(parser, structure_help="Nom exact ou numéro (id) de la structure.")

    def handle(self, *args, file, structure, dry_run, **options):
        target = structure_argument(structure)
        content = file_argument(file)
        try:
            report = roster_replace(
                structure=target,
                content=content,
                file_name=Path(file).name,
                acting_user=None,
                dry_run=dry_run,
            )
        except CsvFileError as error:
            raise CommandError(
                _("Fichier refusé, la liste n'a pas changé : %(error)s") % {"error": error}
            ) from error
        self._print(report)

    def _print(self, report: RosterReport) -> None:
        out = self.stdout
        if report.dry_run:
            out.write(self.style.WARNING(_("Simulation : rien n'a été enregistré.")))
        out.write(_("Liste du personnel de %(structure)s") % {"structure": report.structure})
        out.write(report.summary)
        if report.auto_approved:
            out.write(report.auto_approved_message)
        if report.kept_absent:
            out.write(self.style.WARNING(report.kept_absent_message))
        if report.ignored_columns:
            out.write(_("Colonnes ignorées : %(columns)s") % {"columns": ", ".join(report.ignored_columns)})
        for title, names in (
            (_("Ajoutées"), report.added_names),
            (_("Modifiées"), report.changed_names),
            (_("Retirées (absentes du fichier)"), report.removed_names),
        ):
            for name in names:
                out.write(f"{title} : {name}")
        for number, reason in report.rejected:
            out.write(
                self.style.ERROR(_("Ligne %(number)d : %(reason)s") % {"number": number, "reason": reason})
            )
