"""
python manage.py export_articles [--output FILE] [--status ...] [--since DATE]

Write articles as JSON Lines, the format import_articles reads.
"""

import datetime
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.ingest.exporter import export_articles
from articles.models import Article


class Command(BaseCommand):
    help = "Export articles as JSON Lines (one article per line), the format import_articles reads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", metavar="FILE", help="Write to FILE (default: standard output)."
        )
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            metavar="STATUS",
            help=f"Only articles with this status ({', '.join(Article.Status.values)}); "
            "repeat it or separate with commas. Default: all.",
        )
        parser.add_argument(
            "--since",
            metavar="DATE",
            help="Only articles with a publication time on or after DATE "
            "(2024-12-01, or 2024-12-01T08:00:00+08:00; a bare date is midnight site time).",
        )

        parser.add_argument(
            "--with-media",
            metavar="DIR",
            help="Copy the images the articles use into DIR; records name them (image_file) "
            "relative to the output file, so import_articles finds them (images app).",
        )

    def handle(self, *args, **options):
        statuses = [s.strip() for value in options["status"] for s in value.split(",") if s.strip()]
        unknown = sorted(set(statuses) - set(Article.Status.values))
        if unknown:
            raise CommandError(
                f"unknown status {', '.join(unknown)}; use {', '.join(Article.Status.values)}"
            )
        since = parse_since(options["since"]) if options["since"] else None

        output = options["output"]
        media = {}
        if options["with_media"]:
            target_dir = Path(output).resolve().parent if output and output != "-" else Path.cwd()
            media = {"media_dir": Path(options["with_media"]).resolve(), "relative_to": target_dir}
        if not output or output == "-":
            count = export_articles(self.stdout, statuses=statuses, since=since, **media)
            self.stderr.write(f"Exported {count} articles.", style_func=str)
            return
        # Write next to the target and rename, so a failed export never leaves half a file.
        target = Path(output)
        fd, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
        try:
            # mkstemp makes the file private (0600); give it the usual permissions.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                count = export_articles(out, statuses=statuses, since=since, **media)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stderr.write(f"Exported {count} articles to {target}.", style_func=str)


def parse_since(value):
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise CommandError(f"--since {value!r} is not a date (2024-12-01) or an ISO 8601 time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
