"""
Images in imports and exports (articles/ingest calls these; the logic lives here).

Reading: a JSON Lines item may carry `image_url` (or, from export_articles
--with-media, `image_file`), `image_caption`, `image_credit`, `image_alt`,
and `body_images` (the library figures of its body, by their exported id).
A feed item's `media:content` / `enclosure` image is its lead image, and the
`<img>` tags of its body are images too.

Importing (`attach_images`, once per batch, before the articles are written):
every image is downloaded through the importer's safe fetcher (SSRF rules,
time and size limits) or read from the export's media folder, checked like an
upload and stored in the library (the same file twice is one image); body
`<img>` tags become library figures. An image that cannot be had is left out
with a warning naming the item and the URL; the article is imported all the
same, and no hotlink to another site remains.
"""

import os
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.core.files.storage import default_storage

from articles.ingest import fetch

from . import processing
from .models import Image
from .rendering import FIGURE
from .services import add_image

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
FETCH_TIMEOUT = 10
METADATA_LIMITS = {"title": 200, "alt_text": 300, "caption": 1000, "credit": 200}


def _text(value, limit):
    return value.strip()[:limit] if isinstance(value, str) else ""


# Reading items -------------------------------------------------------------------------------


def from_json(data):
    """The image fields of one JSON Lines record, as Item.images."""
    images = {}
    lead = {
        "url": _text(data.get("image_url"), 2000),
        "file": _text(data.get("image_file"), 500),
        "caption": _text(data.get("image_caption"), 1000),
        "credit": _text(data.get("image_credit"), 200),
        "alt_text": _text(data.get("image_alt"), 300),
        "title": _text(data.get("image_title"), 200),
        "source_url": _text(data.get("image_source_url"), 500),
    }
    if data.get("image_redistributable") is False:
        lead["redistributable"] = False
    focal = data.get("image_focal")
    if (
        isinstance(focal, list)
        and len(focal) == 2
        and all(isinstance(v, int | float) for v in focal)
    ):
        lead["focal_x"], lead["focal_y"] = (min(1.0, max(0.0, float(v))) for v in focal)
    if lead["url"] or lead["file"]:
        images["lead"] = lead
    body = data.get("body_images")
    if isinstance(body, list):
        images["body"] = {
            str(record["id"]): from_json(record).get("lead", {})
            for record in body
            if isinstance(record, dict) and str(record.get("id", "")).isdigit()
        }
    return images


def from_entry(entry):
    """A feed entry's lead image: media:content or an image enclosure."""
    candidates = list(entry.get("media_content") or [])
    candidates += [
        {"url": e.get("href"), "type": e.get("type", "")} for e in entry.get("enclosures") or []
    ]
    for candidate in candidates:
        url = (candidate.get("url") or "").strip()
        kind = (candidate.get("type") or candidate.get("medium") or "image").lower()
        if url and ("image" in kind or kind == ""):
            credit = ""
            if entry.get("media_credit"):
                credit = entry["media_credit"][0].get("content", "")
            return {
                "lead": {"url": url, "credit": _text(credit, 200), "caption": "", "alt_text": ""}
            }
    return {}


# Importing ------------------------------------------------------------------------------------


class Fetcher:
    """Gets image bytes for one import run: over http(s) with the safe fetcher, or from a folder."""

    def __init__(self):
        self.found = {}  # url or path -> Image, for this run

    def image(self, record, *, base_dir, user, origin, warn, default_alt=""):
        url, file = record.get("url", ""), record.get("file", "")
        key = url or f"file:{base_dir}:{file}"
        if key in self.found:
            return self.found[key]
        try:
            data, name = self._read(url, file, base_dir)
            metadata = {
                name: record[name]
                for name in (
                    "caption",
                    "credit",
                    "alt_text",
                    "redistributable",
                    "focal_x",
                    "focal_y",
                )
                if record.get(name) not in (None, "")
            }
            if not metadata.get("alt_text") and default_alt:
                metadata["alt_text"] = default_alt[:300]
            if record.get("title"):
                metadata["title"] = record["title"]
            source = record.get("source_url") or (url if url.startswith("http") else "")
            if source:
                metadata["source_url"] = source[:500]
            image = add_image(data, filename=name, user=user, **metadata).image
        except (fetch.FetchError, processing.ImageRefused, OSError, ValueError) as exc:
            warn(origin, f"image {url or file} was not imported: {exc}")
            image = None
        except processing.STORAGE_ERRORS as exc:
            warn(origin, f"image {url or file} could not be stored: {exc}")
            image = None
        self.found[key] = image
        return image

    def _read(self, url, file, base_dir):
        if file:
            base = Path(base_dir or os.getcwd()).resolve()
            path = (base / file).resolve()
            if base not in path.parents:
                raise ValueError("the image file is outside the export's folder")
            return path.read_bytes(), path.name
        response = fetch.fetch(url, timeout=FETCH_TIMEOUT, max_bytes=processing.max_upload_bytes())
        return response.content, os.path.basename(urlsplit(response.url).path) or "image"


def attach_images(items, warn, *, user=None, fetcher=None):
    """
    For a batch of importer Items: store their images in the library, set
    `item.lead_image_id` and rewrite their bodies (library figures only).
    `warn(origin, text)` is told about every image left out.
    """
    fetcher = fetcher or Fetcher()
    for item in items:
        images = getattr(item, "images", None) or {}
        base_dir = images.get("base_dir", "")
        lead = images.get("lead")
        item.lead_image_id = None
        if lead:
            image = fetcher.image(lead, base_dir=base_dir, user=user, origin=item.origin, warn=warn)
            item.lead_image_id = image.pk if image else None
        if item.body:
            item.body = _rewrite_body(item, images.get("body") or {}, fetcher, base_dir, user, warn)


def _rewrite_body(item, exported, fetcher, base_dir, user, warn):
    def figure(match):
        record = exported.get(match.group(1))
        if record is None:
            return ""  # an exported figure whose image did not come along
        image = fetcher.image(record, base_dir=base_dir, user=user, origin=item.origin, warn=warn)
        return f'<figure data-image-id="{image.pk}"></figure>' if image else ""

    def img(match):
        attributes = {
            m.group(1).lower(): unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in ATTRIBUTE.finditer(match.group(0))
        }
        src = attributes.get("src", "").strip()
        if not src or src.startswith("data:"):
            if src:
                warn(item.origin, "an embedded data: image was left out")
            return ""
        url = urljoin(item.source_url or "", src)
        if urlsplit(url).scheme not in ("http", "https"):
            warn(item.origin, f"image {src[:200]} has no usable URL; left out")
            return ""
        image = fetcher.image(
            {"url": url, "alt_text": attributes.get("alt", "")},
            base_dir=base_dir,
            user=user,
            origin=item.origin,
            warn=warn,
        )
        return f'<figure data-image-id="{image.pk}"></figure>' if image else ""

    body = FIGURE.sub(figure, item.body) if exported else item.body
    return IMG_TAG.sub(img, body)


# Exporting ------------------------------------------------------------------------------------


def image_record(image, *, media_dir=None, relative_to=None):
    """An image's fields for export_articles; with `media_dir`, its master is copied there."""
    record = {
        "image_title": image.title,
        "image_caption": image.caption,
        "image_credit": image.credit,
        "image_alt": image.alt_text,
        "image_source_url": image.source_url,
        "image_redistributable": image.redistributable,
        "image_focal": [image.focal_x, image.focal_y],
    }
    # Absolute with object storage; a local /media/ path is only a hint:
    # --with-media carries the file itself (image_file).
    record["image_url"] = default_storage.url(image.file.name)
    if media_dir is not None:
        target = Path(media_dir) / image.file.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with default_storage.open(image.file.name, "rb") as source:
                target.write_bytes(source.read())
        record["image_file"] = os.path.relpath(target, relative_to or os.getcwd())
    return record


def export_fields(article, *, images=None, media_dir=None, relative_to=None):
    """The image fields of an article's export record (lead image and body figures)."""
    fields = {}
    if article.lead_image_id:
        lead = images.get(article.lead_image_id) if images else article.lead_image
        if lead is not None:
            fields.update(image_record(lead, media_dir=media_dir, relative_to=relative_to))
    if article.lead_image_caption:
        fields["lead_image_caption"] = article.lead_image_caption
    body = []
    for image_id in dict.fromkeys(int(n) for n in FIGURE.findall(article.body or "")):
        image = (images or {}).get(image_id) or Image.objects.filter(pk=image_id).first()
        if image is not None:
            record = image_record(image, media_dir=media_dir, relative_to=relative_to)
            body.append({"id": image_id, **record})
    if body:
        fields["body_images"] = body
    return fields


def lead_caption_from_json(data):
    return _text(data.get("lead_image_caption"), 500)
