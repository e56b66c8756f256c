from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control


@cache_control(public=True, max_age=86400)
def indexnow_key(request, key):
    """The IndexNow key file at the site's root (https://www.indexnow.org/documentation)."""
    if not settings.INDEXNOW_KEY or key != settings.INDEXNOW_KEY:
        raise Http404
    return HttpResponse(settings.INDEXNOW_KEY, content_type="text/plain; charset=utf-8")
