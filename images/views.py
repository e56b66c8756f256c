"""
The desk's image views (mounted by ImageAdmin under /admin/images/image/):
the upload page and its one-file-per-request endpoint, and the JSON the
chooser and the body editor read about an image. Plus serve_media for sites
without a web server in front of MEDIA_ROOT.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.static import serve

from . import processing, services
from .models import Image

ONE_YEAR = 365 * 24 * 3600


def duplicate_message(image):
    return _(
        "This file is already in the library as “%(title)s” (#%(id)d), uploaded %(when)s: "
        "that image is used, no copy was made."
    ) % {"title": image.title, "id": image.pk, "when": f"{image.uploaded_at:%Y-%m-%d}"}


def image_info(image):
    thumb = image.rendition("4x3", 320, "jpg")
    preview = image.rendition("full", 640, "jpg")
    return {
        "id": image.pk,
        "title": image.title,
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
        "thumbnail": thumb.url if thumb else "",
        "preview": preview.url if preview else "",
        "change_url": reverse("admin:images_image_change", args=[image.pk]),
    }


def upload_view(model_admin, request):
    """GET: the upload page. POST: one file (field `file`), answered in JSON."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Image._meta,
            "title": _("Upload images"),
            "max_bytes": processing.max_upload_bytes(),
            "has_view_permission": model_admin.has_view_permission(request),
        }
        return TemplateResponse(request, "admin/images/image/upload.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": _("No file was sent.")}, status=400)
    if upload.size > processing.max_upload_bytes():
        limit = processing.max_upload_bytes()
        message = _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": f"{upload.size / 1e6:.1f}",
            "limit": f"{limit / 1e6:.0f}",
        }
        return JsonResponse({"error": message, "name": upload.name}, status=400)
    try:
        added = services.add_image(upload.read(), filename=upload.name, user=request.user)
    except processing.ImageRefused as refused:
        return JsonResponse({"error": str(refused), "name": upload.name}, status=400)
    except processing.STORAGE_ERRORS as exc:
        message = _("The image could not be stored (%(error)s); nothing was saved.") % {
            "error": exc
        }
        return JsonResponse({"error": message, "name": upload.name}, status=503)
    body = {**image_info(added.image), "created": added.created, "name": upload.name}
    if not added.created:
        body["message"] = duplicate_message(added.image)
    elif added.notes:
        body["message"] = "; ".join(added.notes)
    return JsonResponse(body, status=201 if added.created else 200)


def info_view(model_admin, request, pk):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return JsonResponse(image_info(get_object_or_404(Image, pk=pk)))


def serve_media(request, path):
    """
    MEDIA_ROOT for small sites without a web server in front (SERVE_MEDIA=1)
    and for `make run`. Image files are content-addressed, so they are cached
    for a year. A web server (nginx `location /media/`) or object storage
    does this better; see the README.
    """
    if not path.startswith(("images/r/", "images/o/")):
        raise Http404
    from django.conf import settings

    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    patch_cache_control(response, public=True, max_age=ONE_YEAR, immutable=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
