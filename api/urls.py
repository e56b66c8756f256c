"""
/api/v1/: the content API (api.endpoints), its OpenAPI document
(/api/v1/openapi.json) and docs page (/api/v1/docs, Swagger UI served from
django-ninja's own static files: no outside requests).
"""

import datetime

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from . import errors
from .access import KEY_HEADER, PartnerKeyAuth, anonymous, caller_access
from .endpoints import router
from .throttling import AddressThrottle, PartnerKeyThrottle

DESCRIPTION = """
Published articles, topics and tags of this site as JSON, read-only.

* **Anonymous** callers get summaries; a **partner key** in the `X-API-Key`
  header adds the full text and redistributable images. Keys are made and
  revoked by editors in the desk.
* **Pages** are cursors: follow `next` until it is null.
* **Rate limits** per key and per address answer 429 with `Retry-After`.
* **Caching**: responses carry an `ETag`; send it back in `If-None-Match` to
  get 304 when nothing changed.
* **Errors** are JSON: `{"error": code, "message": text, "errors": [...]}`.
"""


class TimeEncoder(NinjaJSONEncoder):
    """Times in the site's time zone with their offset and in full (Django's encoder cuts to ms)."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class UTF8JSONRenderer(JSONRenderer):
    encoder_class = TimeEncoder
    # Chinese as it is, not as \uXXXX escapes: a third of the bytes.
    json_dumps_params = {"ensure_ascii": False}


class ContentAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        set_cache_headers(request, response)
        return response

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        # The key is optional: {} is "no credentials" (anonymous, summaries).
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security") and {} not in operation["security"]:
                    operation["security"].append({})
        return schema


def set_cache_headers(request, response):
    """
    Every answer is revalidated (no-cache, with the ETag that
    ConditionalGetMiddleware adds), so an article that stops being public is
    gone on the next request, from any cache in front too; answers to a key
    are private, errors are not stored at all.
    """
    if response.status_code >= 400:
        patch_cache_control(response, no_store=True)
    elif caller_access(request).partner is not None:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, (KEY_HEADER, "Accept-Language"))


api = ContentAPI(
    title="Newsroom content API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[PartnerKeyAuth(), anonymous],
    throttle=[PartnerKeyThrottle(), AddressThrottle()],
    renderer=UTF8JSONRenderer(),
)
errors.install(api)
api.add_router("/", router)


def not_found(request, rest=""):
    body = errors.error_body("not_found", _("No such API endpoint."))
    response = JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, no_store=True)
    return response


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
