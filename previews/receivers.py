"""Listeners to the workflow's audit events (articles.changes.article_events_recorded)."""

from articles.models import ArticleEvent

from .models import PreviewLink
from .services import revoke_link


def on_events(sender, events, **kwargs):
    """An article moved to the trash: its preview links are revoked (restoring reopens none)."""
    for event in events:
        if event.action != ArticleEvent.Action.TRASH or event.article_id is None:
            continue
        links = PreviewLink.objects.filter(article_id=event.article_id, revoked_at__isnull=True)
        for link in links.select_related("article"):
            revoke_link(link, by=event.actor, check=False)
