"""
python manage.py import_articles SOURCE... [--format ...] [--publish] [--strict]

Import reprint pages, RSS/Atom feeds and JSON Lines from files, folders,
standard input (-) or http(s) URLs. See articles.ingest for the rules.
"""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.ingest import fetch
from articles.ingest.formats import DEFAULT_FEED_TOPIC, FORMATS
from articles.ingest.importer import DEFAULT_BATCH_SIZE, import_documents
from articles.ingest.sources import FileDocument, SourceError, documents_from_arguments
from wire.duplicates import ImportScreen


class Command(BaseCommand):
    help = (
        "Import articles from scraped reprint pages, RSS/Atom feeds or JSON Lines. "
        "SOURCE is a file, a folder, - (standard input) or an http(s) URL."
    )
    # call_command(..., stdin=stream) in tests and scripts.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", metavar="SOURCE")
        parser.add_argument(
            "--format",
            choices=["auto", *FORMATS],
            default="auto",
            help="Format of every SOURCE (default: detected from the name or the content).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish imported reprints and feed items instead of leaving them as drafts "
            "for review. JSON Lines keep their own status.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Abort at the first error of any kind, with nothing written.",
        )
        parser.add_argument(
            "--topic",
            default="",
            help=f"Topic of new feed items (default: {DEFAULT_FEED_TOPIC}).",
        )
        parser.add_argument(
            "--source",
            default="",
            help="Source (outlet) of feed items and of JSON Lines items that name none.",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Import as this desk user, with their permissions (default: as the operator, "
            "with every permission; events and revisions name no one).",
        )
        parser.add_argument(
            "--reverse-takedowns",
            action="store_true",
            help="Let the file republish unpublished articles and restore trashed ones "
            "(with --user, only a chief editor may).",
        )
        parser.add_argument(
            "--duplicates",
            choices=["link", "skip"],
            default=None,
            help="Near-duplicates of articles already here: link (import them into the story's "
            "cluster) or skip them (default: the WIRE_DUPLICATES setting).",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--timeout",
            type=float,
            default=fetch.DEFAULT_TIMEOUT,
            help="Seconds allowed for fetching one URL (default %(default)s).",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=fetch.DEFAULT_MAX_BYTES,
            help="Largest response accepted from a URL (default %(default)s bytes).",
        )

    def handle(self, *args, **options):
        try:
            documents = documents_from_arguments(
                options["sources"],
                stdin=options.get("stdin"),
                timeout=options["timeout"],
                max_bytes=options["max_bytes"],
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        if not documents:
            raise CommandError("nothing to import: the folders hold no importable files")

        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None or not user.is_active:
                raise CommandError(f"no active user {options['user']!r}")

        # A progress bar only for a person watching: never in logs or pipes.
        show_progress = sys.stderr.isatty()
        with tqdm(
            total=_count_lines(documents) if show_progress else None,
            unit=" items",
            disable=not show_progress,
            file=sys.stderr,
        ) as bar:
            try:
                summary = import_documents(
                    documents,
                    user=user,
                    reverse_takedowns=options["reverse_takedowns"],
                    publish=options["publish"],
                    strict=options["strict"],
                    format=options["format"],
                    topic=options["topic"],
                    source=options["source"],
                    batch_size=options["batch_size"],
                    progress=bar.update,
                    screen=ImportScreen(options["duplicates"] or settings.WIRE_DUPLICATES),
                )
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc

        style = self.style.SUCCESS if summary.ok else self.style.WARNING
        lines = summary.lines()
        self.stdout.write(style(f"{summary.documents} source(s): {lines[0]}"))
        for line in lines[1:]:
            self.stdout.write(line)
        if summary.aborted:
            raise CommandError("import aborted (--strict): nothing was written")
        if not summary.ok:
            raise CommandError(
                f"{summary.failed} item(s) or source(s) were not imported (listed above); "
                "everything else was. Fix them and run the import again: what is already "
                "imported is skipped."
            )


def _count_lines(documents):
    """The progress bar's total: lines of the JSON Lines files, when that is all there is."""
    total = 0
    for document in documents:
        if not isinstance(document, FileDocument) or document.format_hint != "jsonl":
            return None
        try:
            with document.path.open("rb") as stream:
                total += sum(
                    chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b"")
                )
        except OSError:
            return None
    return total
