from django.conf import settings

from .models import Topic


def site(request):
    """Site name and the topic navigation (a lazy query: only pages that show it pay)."""
    return {
        "site_name": settings.SITE_NAME,
        "site_description": settings.SITE_DESCRIPTION,
        "nav_topics": Topic.objects.only("name", "slug"),
    }
