"""python manage.py export_report REPORT_ID --format pdf [--output FILE]"""

import shutil
import sys

from django.core.management.base import BaseCommand, CommandError

from reports import services
from reports.models import Report
from reports.render import FORMATS


class Command(BaseCommand):
    help = "Write a ready report's export (json, csv, md or pdf) to a file or stdout."

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int)
        parser.add_argument("--format", default="json", choices=list(FORMATS))
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, report_id, format, output, **options):
        report = Report.objects.filter(pk=report_id).first()
        if report is None:
            raise CommandError(f"No report {report_id}.")
        try:
            stream, _mime, name = services.export_file(report, format)
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        with stream:
            if output:
                with open(output, "wb") as target:
                    shutil.copyfileobj(stream, target)
                self.stderr.write(f"Wrote {name} to {output}.")
            else:
                shutil.copyfileobj(stream, sys.stdout.buffer)
