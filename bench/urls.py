"""
The site's URLs plus the benchmark's reference: `/_bench/bare/<name>/` answers
the exact bytes (and content type) of a page that bench/run.py fetched once and
wrote to $BENCH_BARE_DIR, through the same middleware and the same gunicorn,
without touching the database or the templates. Only bench.settings routes here.
"""

import os
from pathlib import Path

from django.http import Http404, HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site_urlpatterns

_pages = {}


def bare_page(request, name):
    page = _pages.get(name)
    if page is None:
        directory = os.environ.get("BENCH_BARE_DIR")
        if not directory:
            raise Http404("BENCH_BARE_DIR is not set")
        body, content_type = Path(directory, f"{name}.body"), Path(directory, f"{name}.type")
        if not body.is_file() or not content_type.is_file():
            raise Http404("No such reference page")
        page = _pages[name] = (body.read_bytes(), content_type.read_text().strip())
    content, content_type = page
    return HttpResponse(content, content_type=content_type)


urlpatterns = [
    path("_bench/bare/<slug:name>/", bare_page, name="bench-bare"),
    *site_urlpatterns,
]
