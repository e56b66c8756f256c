from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import reversion

        from .models import Article, TaggedArticle

        # Every save made inside reversion.create_revision() keeps a version;
        # the article's tag links are stored in the same revision.
        if not reversion.is_registered(Article):
            # Search terms are derived from the text, and the text as received
            # never changes: neither is worth a copy per version.
            reversion.register(
                Article,
                follow=["tagged_items"],
                exclude=[
                    "original_text",
                    "search_title",
                    "search_text",
                    "search_plain",
                    # Derived, and kept current by the workflow: never restored.
                    "related_ids",
                    "correction_count",
                ],
            )
        if not reversion.is_registered(TaggedArticle):
            reversion.register(TaggedArticle)

        from . import admin_authors  # noqa: F401 - registers the Author admin
        from .cache import connect_signals as connect_page_cache

        # Cached pages end with any write that can change them (by their keys),
        # here and in Varnish; importing varnish registers its purge job.
        connect_page_cache()
        from . import varnish  # noqa: F401
        from .related import connect_signals as connect_related

        # Related lists follow bulk writes too (the workflow refreshes its own).
        connect_related()
