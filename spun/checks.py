"""
Keeping SpunCheck in step: after a save that may change the text, and on
articles_changed (imports and other bulk writes), in batches.
"""

from django.db.models.signals import post_save
from django.utils.html import strip_tags

from articles.changes import articles_changed
from articles.models import Article

from .detector import detect
from .models import SpunCheck

TEXT_FIELDS = ("title", "standfirst", "body")
BATCH_SIZE = 1000


def report_for(title, standfirst, body):
    return detect(title or "", standfirst or "", strip_tags(body or ""))


def check_articles(ids):
    """Score these articles again; store the suspected ones, drop the rest."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        checks = []
        for pk, *texts in Article.objects.filter(pk__in=chunk).values_list("pk", *TEXT_FIELDS):
            report = report_for(*texts)
            if report.suspected:
                phrases = [phrase.as_dict() for phrase in report.phrases]
                checks.append(SpunCheck(article_id=pk, score=report.score, phrases=phrases))
        SpunCheck.objects.filter(article_id__in=chunk).delete()
        SpunCheck.objects.bulk_create(checks)


def check_saved_article(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(TEXT_FIELDS):
        return
    report = report_for(instance.title, instance.standfirst, instance.body)
    if report.suspected:
        SpunCheck.objects.update_or_create(
            article_id=instance.pk,
            defaults={
                "score": report.score,
                "phrases": [phrase.as_dict() for phrase in report.phrases],
            },
        )
    elif not created:
        SpunCheck.objects.filter(article_id=instance.pk).delete()


def check_changed_articles(sender, ids=(), **kwargs):
    check_articles(ids)


def connect_signals():
    post_save.connect(check_saved_article, sender=Article, dispatch_uid="spun-check-save")
    articles_changed.connect(check_changed_articles, dispatch_uid="spun-check-bulk")
