"""
Segment every article again and rebuild the search index, e.g. after a
jieba upgrade. After adding a word to articles/search/userdict.txt, only the
articles that contain it need it: `--containing 新词`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from articles.models import Article
from articles.search.backends import get_backend
from articles.search.index import BATCH_SIZE, index_articles


class Command(BaseCommand):
    help = "Segment articles and rebuild the search index (all, or those containing a word)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--containing",
            metavar="WORD",
            action="append",
            default=[],
            help="Only articles whose title, standfirst or body contain WORD (repeatable).",
        )
        parser.add_argument(
            "--ids",
            metavar="ID,ID,...",
            default="",
            help="Only these article ids (comma-separated), e.g. as named in an indexing error.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--offline",
            action="store_true",
            help="PostgreSQL: drop the GIN index and build it again at the end: several times "
            "faster, but searches are slow until the rebuild ends. Ignored with --containing.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(
        self, *args, containing, ids, batch_size, offline, no_progress, verbosity, **options
    ):
        articles = Article.objects.all()
        try:
            only = [int(pk) for pk in ids.split(",") if pk.strip()]
        except ValueError as exc:
            raise CommandError("--ids takes article ids separated by commas, e.g. 12,15") from exc
        if only:
            articles = articles.filter(pk__in=only)
        if containing:
            words = Q()
            for word in containing:
                words |= Q(title__contains=word) | Q(standfirst__contains=word)
                words |= Q(body__contains=word)
            articles = articles.filter(words)
        total = articles.count()
        # tqdm redraws the bar with "\r"; the wrapper must not add newlines.
        self.stderr.ending = ""
        with tqdm(
            total=total, unit="articles", disable=no_progress or not verbosity, file=self.stderr
        ) as bar:
            if containing or only:
                indexed = index_articles(
                    list(articles.values_list("pk", flat=True)),
                    batch_size=batch_size,
                    progress=bar.update,
                )
            else:
                indexed = index_articles(
                    batch_size=batch_size, queryset=articles, progress=bar.update, offline=offline
                )
                get_backend().forget_missing()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Indexed {indexed} articles."))
