from django import template

from wire.models import ClusterReceipt, Fingerprint, PushDelivery

register = template.Library()


@register.inclusion_tag("wire/article_panel.html")
def wire_panel(article):
    """The desk's wire panel on an article: the same story received from other sources, and its pushes."""
    fingerprint = Fingerprint.objects.filter(article=article).only("cluster_id").first()
    others, receipts = [], []
    if fingerprint is not None and fingerprint.cluster_id:
        others = list(
            Fingerprint.objects.filter(cluster_id=fingerprint.cluster_id)
            .exclude(article=article)
            .select_related("article__source")
            .order_by("article__created_at")[:20]
        )
        receipts = list(
            ClusterReceipt.objects.filter(cluster_id=fingerprint.cluster_id).select_related(
                "source"
            )[:20]
        )
    pushes = list(PushDelivery.objects.filter(article=article)[:10])
    return {"others": [f.article for f in others], "receipts": receipts, "pushes": pushes}
