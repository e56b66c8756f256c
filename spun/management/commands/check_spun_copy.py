"""
Score every article (or those containing a word) as spun copy again, e.g.
after editing spun/dictionary.csv: the stored verdicts the desk filters on
follow the dictionary the process loaded.
"""

from django.core.management.base import BaseCommand
from django.db.models import Q

from articles.models import Article
from spun.checks import BATCH_SIZE, check_articles
from spun.models import SpunCheck


class Command(BaseCommand):
    help = "Score articles as spun copy again (all, or those containing a word)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--containing",
            metavar="WORD",
            action="append",
            default=[],
            help="Only articles whose title, standfirst or body contain WORD (repeatable).",
        )

    def handle(self, *args, containing, verbosity, **options):
        articles = Article.objects.all()
        if containing:
            words = Q()
            for word in containing:
                words |= Q(title__contains=word) | Q(standfirst__contains=word)
                words |= Q(body__contains=word)
            articles = articles.filter(words)
        ids = list(articles.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):
            check_articles(ids[start : start + BATCH_SIZE])
        if verbosity:
            suspected = SpunCheck.objects.filter(article_id__in=ids).count()
            self.stdout.write(
                self.style.SUCCESS(f"Checked {len(ids)} articles: {suspected} suspected spun copy.")
            )
