from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edu.models import Course
from edu.packages import course_package_export


class Command(BaseCommand):
    help = "Export a course as a package (.zip) that import_course_package reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("output", help="path of the .zip to write")

    def handle(self, *args: object, **options: object) -> None:
        course = Course.objects.filter(slug=options["slug"]).first()
        if course is None:
            raise CommandError(_("No course with the slug %(slug)s.") % {"slug": options["slug"]})
        output = Path(str(options["output"]))
        output.write_bytes(course_package_export(course=course))
        self.stdout.write(self.style.SUCCESS(str(output)))
