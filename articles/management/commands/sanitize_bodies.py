"""
Run every stored body through the sanitizer again (articles.text.sanitize_html).

Bodies are sanitized on every write, and pages sanitize again on the way out
(render_body), so a narrowed allow-list is enforced for readers at once. This
command brings the stored text in line too, e.g. after ALLOWED_TAGS or
ALLOWED_ATTRIBUTES changed or after a write that went around the model: each
body it changes gets a revision and an event, like any other save.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import workflow
from articles.changes import announce_events, articles_written
from articles.models import Article, ArticleEvent
from articles.text import sanitize_html

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Sanitize every stored article body again (after the allow-list changed)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size, verbosity, **options):
        cleaned, last = 0, 0
        while True:
            with transaction.atomic():
                batch = list(
                    Article.objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .only("pk", "body", "title", "uuid", "status", "version", "updated_at")[
                        :batch_size
                    ]
                )
                if not batch:
                    break
                last = batch[-1].pk
                changed = []
                now = timezone.now()
                for article in batch:
                    body = sanitize_html(article.body)
                    if body != article.body:
                        article.body = body
                        article.version += 1
                        article.updated_at = now
                        changed.append(article)
                if changed:
                    Article.objects.bulk_update(changed, ["body", "version", "updated_at"])
                    fresh = list(Article.objects.filter(pk__in=[a.pk for a in changed]))
                    workflow.record_revisions(
                        fresh, by=workflow.SYSTEM, comment="Body sanitized again"
                    )
                    events = ArticleEvent.objects.bulk_create(
                        [
                            ArticleEvent(
                                **ArticleEvent.snapshot(article),
                                action=ArticleEvent.Action.EDIT,
                                from_status=article.status,
                                to_status=article.status,
                                note="Body sanitized again (sanitize_bodies)",
                            )
                            for article in changed
                        ]
                    )
                    announce_events(events)
                    ids = [a.pk for a in changed]
                    articles_written(ids, reindex_ids=ids)
                    cleaned += len(changed)
        if verbosity:
            self.stdout.write(f"Sanitized {cleaned} body/bodies that needed it.")
