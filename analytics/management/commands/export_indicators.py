from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.models import Agency

from ...reports import FORMATS, render
from ...selectors import year_report


class Command(BaseCommand):
    help = "Exports a year's plan indicators (province or one agency) as XLSX, PDF or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=FORMATS, default="xlsx")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--agency", help="agency slug; the whole province if omitted")

    def handle(self, *args, year, format, output, agency=None, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"Year {year} is out of range (2000-2100).")
        scope = None
        if agency:
            scope = Agency.objects.filter(slug=agency).first()
            if scope is None:
                known = ", ".join(Agency.objects.values_list("slug", flat=True))
                raise CommandError(f"Unknown agency '{agency}'. Known: {known}.")
        report = year_report(year=year, agency=scope)
        Path(output).write_bytes(render(report, format))
        if not report.has_data:
            self.stderr.write(f"No data recorded for {year}: the report says so.")
        met = sum(1 for r in report.results if r.met)
        self.stdout.write(
            f"Wrote {output}: {report.scope}, {year}, {len(report.results)} indicators, {met} met."
        )
