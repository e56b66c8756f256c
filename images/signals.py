"""
Keeping derived data in step with images and articles:

- ImageUsage follows every article save and bulk write (`articles_changed`);
- a change to an image (alt text, caption, credit, focal point) ends the
  page cache's epoch, so cached pages showing it are rendered again;
- a deleted image's files go once the deletion is committed.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .usage import sync_usage

    sync_usage([instance])


def articles_changed(sender, ids=(), **kwargs):
    from .usage import sync_usage_for_ids

    sync_usage_for_ids(list(ids))


def image_deleted(sender, instance, **kwargs):
    from .services import delete_image_files

    transaction.on_commit(lambda: delete_image_files(instance))


def connect():
    from articles.cache import content_changed
    from articles.changes import articles_changed as articles_changed_signal
    from articles.models import Article

    from .models import Image, TaggedImage

    post_save.connect(article_saved, sender=Article, dispatch_uid="images-usage-article")
    articles_changed_signal.connect(articles_changed, dispatch_uid="images-usage-bulk")
    post_delete.connect(image_deleted, sender=Image, dispatch_uid="images-delete-files")
    for model in (Image, TaggedImage):
        post_save.connect(
            content_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}"
        )
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"page-cache-del-{model.__name__}"
        )
