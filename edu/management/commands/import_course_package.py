from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from edu.packages import PackageError, course_package_import, read_folder, read_zip


class Command(BaseCommand):
    help = "Import a course package (.zip, or a folder with course.json); updates in place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", help="path to a .zip package or a package folder")
        parser.add_argument("--publish", action="store_true", help="publish after importing")

    def handle(self, *args: object, **options: object) -> None:
        source = Path(str(options["package"]))
        try:
            if source.is_dir():
                files = read_folder(source)
            elif source.is_file():
                files = read_zip(source.read_bytes())
            else:
                raise CommandError(_("No such file or folder: %(path)s") % {"path": source})
            result = course_package_import(files=files, by=None, publish=bool(options["publish"]))
        except PackageError as error:
            raise CommandError(
                _("The package was not imported: %(reason)s") % {"reason": error}
            ) from error
        course = result.course
        if not result.changed:
            self.stdout.write(_("Unchanged: %(slug)s") % {"slug": course.slug})
        elif result.created:
            self.stdout.write(self.style.SUCCESS(_("Created: %(slug)s") % {"slug": course.slug}))
        else:
            self.stdout.write(self.style.SUCCESS(_("Updated: %(slug)s") % {"slug": course.slug}))
        if result.questions_created or result.questions_updated:
            self.stdout.write(
                _("Questions: %(created)s created, %(updated)s updated")
                % {"created": result.questions_created, "updated": result.questions_updated}
            )
