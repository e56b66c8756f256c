"""
Signals for writes that bypass Article.save() (bulk_create, QuerySet.update,
imports). Whoever changes articles in bulk sends `articles_changed` once the
transaction has committed; derived data (the search index, cached pages)
listens to it and brings itself up to date.

    articles_changed.send(sender=Article, ids=[...])
"""

from django.dispatch import Signal

articles_changed = Signal()
