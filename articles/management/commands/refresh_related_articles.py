"""Recompute every article's stored related list (after an upgrade, or to pick up new articles)."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.related import compute_related

BATCH = 500


class Command(BaseCommand):
    help = (
        "Recompute the related articles stored on each article (the workflow keeps them "
        "current on every write; run once after upgrading, or nightly to let older "
        "articles pick up newer related ones)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="only articles whose list was never computed"
        )

    def handle(self, *args, missing=False, **options):
        articles = Article.objects.order_by("pk")
        if missing:
            articles = articles.filter(related_ids__isnull=True)
        ids = list(articles.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            compute_related(ids[start : start + BATCH])
        self.stdout.write(f"Related articles computed for {len(ids)} articles.")
