"""
Content-Security-Policy per part of the site, and /.well-known/security.txt.

Public pages get CONTENT_SECURITY_POLICY: only this site's scripts and
styles, nothing inline (the JSON-LD block is data, which CSP does not govern),
so a cached page needs no per-response nonce. The desk (/admin/) gets
CONTENT_SECURITY_POLICY_ADMIN: the same, plus inline styles, which Django's
admin and the body editor (django-prose-editor) set, and a per-response nonce
for the editor's import map.
"""

from datetime import timedelta

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from js_asset.media import Media


class SiteCSPMiddleware(CSPMiddleware):
    def process_template_response(self, request, response):
        # The body editor's import map is an inline <script type="importmap">:
        # desk pages give their media (js_asset.Media) this response's nonce.
        media = (response.context_data or {}).get("media")
        if isinstance(media, Media) and request.path_info.startswith(reverse("admin:index")):
            media.nonce = request.csp_nonce
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(reverse("admin:index"))
        ):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts


@require_safe
@cache_control(public=True, max_age=86400)
def security_txt(request):
    """RFC 9116: where to report a vulnerability (SECURITY_CONTACT); 404 when unset."""
    if not settings.SECURITY_CONTACT:
        raise Http404("No security contact configured.")
    expires = settings.SECURITY_TXT_EXPIRES or (timezone.now() + timedelta(days=180))
    lines = [f"Contact: {contact}" for contact in settings.SECURITY_CONTACT]
    lines.append(f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    lines.append("Preferred-Languages: zh, en")
    if settings.SITE_URL:
        lines.append(f"Canonical: {settings.SITE_URL}{request.path}")
    if settings.SECURITY_POLICY_URL:
        lines.append(f"Policy: {settings.SECURITY_POLICY_URL}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
