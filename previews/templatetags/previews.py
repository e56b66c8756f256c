from django import template
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from previews import services
from previews.models import PreviewLink

register = template.Library()

# The panel lists the newest links; older ones are in the links list.
SHOWN_LINKS = 20


@register.inclusion_tag("admin/previews/article_panel.html", takes_context=True)
def preview_links_panel(context, article):
    """The article page's panel: its preview links, and the form that makes one."""
    request = context["request"]
    if not services.may_share(request.user, article):
        return {"show": False}
    now = timezone.now()
    links = list(
        PreviewLink.objects.filter(article=article).select_related("created_by", "revoked_by")[
            :SHOWN_LINKS
        ]
    )
    for link in links:
        link.current_state = link.state(now)
    try:
        services.check_share(request.user, article, now=now)
        may_create, why_not = True, ""
    except (ValidationError, PermissionDenied) as refusal:
        may_create = False
        why_not = "; ".join(getattr(refusal, "messages", None) or [str(refusal)])
    default_until = timezone.localtime(now + services.DEFAULT_VALIDITY)
    return {
        "show": True,
        "article": article,
        "links": links,
        "may_create": may_create,
        "why_not": why_not,
        "default_until": f"{default_until:%Y-%m-%dT%H:%M}",
        "site_zone": timezone.get_current_timezone_name(),
        "csrf_token": context.get("csrf_token"),
    }
