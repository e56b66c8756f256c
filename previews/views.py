"""
The preview page: the public article template, for whoever holds a link,
showing the article's current stored text under a "preview, not published"
banner. Nothing else about unpublished work is on it (no previous/next, no
related list, no desk links), and it is never cached or indexed.
"""

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from articles import workflow
from articles.models import Article
from articles.text import web_url
from images.rendering import render_body

from . import services

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    # The token is in the address: no link on the page may carry it elsewhere.
    "Referrer-Policy": "no-referrer",
}


def _private(response):
    for name, value in PRIVATE_HEADERS.items():
        response.headers[name] = value
    return response


@require_safe
def preview(request, token):
    link = services.find_link(token)
    if link is None:
        return _private(
            TemplateResponse(request, "previews/refused.html", {"reason": "unknown"}, status=404)
        )
    now = timezone.now()
    reason = services.refusal(link, now)
    if reason is not None:
        return _private(
            TemplateResponse(request, "previews/refused.html", {"reason": reason}, status=410)
        )
    article = link.article
    # Live since the link was made: readers see it, so does the link's holder.
    live = workflow.state_of(article, now) == workflow.PUBLISHED
    if live and Article.objects.published(now).filter(pk=article.pk).exists():
        return _private(HttpResponseRedirect(article.get_absolute_url()))
    if article.published_at is None:
        # Shown as if published now; nothing is saved.
        article.published_at = now
    context = {
        "article": article,
        "preview_link": link,
        "body_html": render_body(article.body_html),
        "corrections": list(article.corrections.all()) if article.correction_count else [],
        "source_url": web_url(article.source_url),
        "modified_at": max(article.updated_at, article.published_at),
        "current_section": article.topic.slug,
    }
    return _private(TemplateResponse(request, "previews/article.html", context))
