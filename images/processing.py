"""
Image processing with Pillow: checking an upload, making renditions, and
describing them on the Image row.

An upload is refused with a readable reason when it is not a still raster
image we can take (SVG, HEIC, animations, polyglots, decompression bombs,
truncated files, files over the size limit). What is accepted is decoded,
turned upright (EXIF orientation), converted to 8-bit sRGB (CMYK, 16-bit and
palette images included) and re-encoded: no byte of the upload is ever
served, and no EXIF (GPS, camera serials) survives.

Renditions are made once, at upload (and for the crops again when the focal
point moves), and listed on the row in `Image.renditions`:

    {"v": 1, "key": "<hash prefix>", "fp": "5050",
     "crops": {"full": [[320, 240, ["webp", "jpg"]], ...], "16x9": [...], ...},
     "bytes": {"full-1280-jpg": 81234, ...}}

File names are derived from the content hash, the crop, the focal point and
the width, so a changed rendition gets a new name (cacheable forever) and a
page builds every URL from the row without asking the storage anything.
"""

import contextlib
import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError

# Above this many pixels an upload is refused (a "decompression bomb": a small
# file that would take gigabytes to decode). Pillow's own guard, twice over.
MAX_PIXELS = 50_000_000
PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS

ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
FORMAT_VERSION = 1

WJ = ("webp", "jpg")
J = ("jpg",)
# crop -> [(width, formats)]. "full" keeps the photographer's framing (article
# lead and body figures); the others follow the focal point: 16:9 for the
# featured block, 4:3 for list thumbnails, 4:3/16:9/1:1 at high resolution for
# structured data (Google asks for three aspect ratios), og for social cards.
RENDITIONS = {
    "full": [(320, WJ), (640, WJ), (960, WJ), (1280, WJ), (1600, WJ)],
    "16x9": [(320, WJ), (640, WJ), (960, WJ), (1280, WJ)],
    "4x3": [(320, WJ), (640, WJ), (1200, J)],
    "1x1": [(1200, J)],
    "og": [(1200, J)],
}
RATIOS = {"full": None, "16x9": 16 / 9, "4x3": 4 / 3, "1x1": 1.0, "og": 1200 / 630}
MIME_TYPES = {"jpg": "image/jpeg", "webp": "image/webp", "png": "image/png"}
ENCODE_OPTIONS = {
    "jpg": ("JPEG", {"quality": 80, "optimize": True, "progressive": True}),
    "webp": ("WEBP", {"quality": 75, "method": 4}),
}
MASTER_DIR = "images/o"
RENDITION_DIR = "images/r"

# Markup that has no business inside a photo: a file carrying it is an
# HTML/JPEG (or HTML/PNG, ...) polyglot, made to be read as a page somewhere.
POLYGLOT_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta\s|\?php)",
    re.IGNORECASE,
)
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


try:  # object storage (django-storages' S3 backend) fails with botocore's errors
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - boto3 is in requirements.txt
    STORAGE_ERRORS = (OSError,)


class ImageRefused(ValueError):
    """The upload is not an image we take; the message says why, for the editor."""


def max_upload_bytes():
    return settings.IMAGE_MAX_UPLOAD_BYTES


# Checking and decoding --------------------------------------------------------------------


@dataclass
class Decoded:
    image: PILImage.Image  # upright, 8-bit sRGB ("RGB" or "RGBA")
    sha256: str
    source_format: str
    notes: list  # what was converted, to tell the editor

    @property
    def has_alpha(self):
        return self.image.mode == "RGBA"


def decode_upload(data):
    """Check `data` (bytes of an upload) and decode it; raise ImageRefused with the reason."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ImageRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{len(data) / 1e6:.1f}", "limit": f"{limit / 1e6:.0f}"}
        )
    if not data:
        raise ImageRefused(_("The file is empty."))
    _refuse_known_formats(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused(
            _("This file is not an image we can read (JPEG, PNG, GIF or WebP).")
        ) from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    if getattr(image, "is_animated", False) or getattr(image, "n_frames", 1) > 1:
        raise ImageRefused(
            _(
                "Animated images are not supported: upload a still picture (a JPEG or PNG of "
                "the frame you want)."
            )
        )
    source_format = image.format
    try:
        image.load()
    except PILImage.DecompressionBombError as exc:
        raise _too_many_pixels(width, height) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused(
            _("The image is damaged or cut short (truncated): upload the complete file.")
        ) from exc
    notes = []
    image = _upright(image)
    image = _to_srgb(image, notes)
    return Decoded(
        image=image,
        sha256=hashlib.sha256(data).hexdigest(),
        source_format=source_format,
        notes=notes,
    )


def _too_many_pixels(width=None, height=None):
    size = f" ({width}×{height})" if width else ""
    return ImageRefused(
        _("The image is too large%(size)s: at most %(max)d megapixels.")
        % {"size": size, "max": MAX_PIXELS // 1_000_000}
    )


def _refuse_known_formats(data):
    head = data[:4096]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and (b"<svg" in head.lower() or b"svg" in text[:200]):
        raise ImageRefused(
            _("SVG files are not accepted: they can carry scripts. Export the picture as PNG.")
        )
    if head[4:8] == b"ftyp" and (head[8:12] in HEIF_BRANDS or b"heic" in head[8:40]):
        raise ImageRefused(
            _(
                "HEIC/HEIF photos (the iPhone's default) are not supported: export the photo "
                "as JPEG (on the iPhone: Settings → Camera → Formats → Most Compatible)."
            )
        )
    if POLYGLOT_MARKUP.search(data):
        raise ImageRefused(
            _(
                "The file contains HTML or script markup besides the picture (a polyglot "
                "file). Open it in an image editor and save it again as JPEG or PNG."
            )
        )


def _upright(image):
    """Apply the EXIF orientation, so the picture stands as the camera held it."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, KeyError, ZeroDivisionError):
        return image  # a broken EXIF block: keep the pixels as stored


_SRGB = None


def _srgb_profile():
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.createProfile("sRGB")
    return _SRGB


def _to_srgb(image, notes):
    """8-bit RGB (or RGBA when transparent) in sRGB, whatever came in."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clip at 255.
        notes.append(_("converted from 16 bits per channel to 8"))
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    elif image.info.get("bits", 8) > 8 or mode in ("RGB;16", "RGBA;16"):
        notes.append(_("converted from 16 bits per channel to 8"))
    icc = image.info.get("icc_profile")
    if mode == "CMYK":
        notes.append(_("converted from CMYK to RGB"))
    if icc and image.mode in ("RGB", "CMYK", "L", "RGBA"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            output = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(
                image, source, _srgb_profile(), outputMode=output, renderingIntent=0
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: fall back to a plain conversion below
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    if has_alpha and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")  # an alpha channel that is opaque everywhere
    image.info.pop("icc_profile", None)
    image.info.pop("exif", None)
    return image


# Renditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    crop: str
    width: int
    height: int
    fmt: str
    key: str
    fp: str

    @property
    def name(self):
        return rendition_name(self.key, self.crop, self.fp, self.width, self.fmt)

    @cached_property
    def url(self):
        return default_storage.url(self.name)

    @property
    def mime_type(self):
        return MIME_TYPES[self.fmt]


def focal_code(focal_x, focal_y):
    """The focal point in a file name: "5050" for the centre (percent, two digits each)."""
    return f"{min(99, round(focal_x * 100)):02d}{min(99, round(focal_y * 100)):02d}"


def rendition_name(key, crop, fp, width, fmt):
    focal = "" if crop == "full" else f"-{fp}"
    return f"{RENDITION_DIR}/{key[:2]}/{key}-{crop}{focal}-{width}.{fmt}"


def master_name(sha256, has_alpha):
    return f"{MASTER_DIR}/{sha256[:2]}/{sha256}.{'png' if has_alpha else 'jpg'}"


def crop_box(width, height, ratio, focal_x, focal_y):
    """The largest box of `ratio` inside width×height, centred on the focal point where it fits."""
    if ratio is None:
        return (0, 0, width, height)
    if width / height > ratio:
        box_w, box_h = round(height * ratio), height
    else:
        box_w, box_h = width, round(width / ratio)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return (left, top, left + box_w, top + box_h)


def planned_sizes(crop, width, height, focal_x, focal_y):
    """[(w, h, formats)] for one crop of a width×height picture: never enlarged."""
    left, top, right, bottom = crop_box(width, height, RATIOS[crop], focal_x, focal_y)
    box_w, box_h = right - left, bottom - top
    sizes = {}
    for target, formats in RENDITIONS[crop]:
        w = min(target, box_w)
        h = max(1, round(box_h * w / box_w))
        if crop == "og" and w == 1200:
            h = 630
        merged = sizes.get(w, ((h), ()))
        sizes[w] = (h, tuple(dict.fromkeys(merged[1] + formats)))
    return [(w, h, list(formats)) for w, (h, formats) in sorted(sizes.items())]


def encode(image, fmt):
    pil_format, options = ENCODE_OPTIONS[fmt]
    if fmt == "jpg" and image.mode == "RGBA":
        image = _flatten(image)
    buffer = io.BytesIO()
    image.save(buffer, pil_format, **options)
    return buffer.getvalue()


def _flatten(image):
    background = PILImage.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def make_renditions(image, *, sha256, focal_x, focal_y, crops=None):
    """
    Encode the renditions of an upright sRGB PIL image. Returns (description,
    {name: bytes}); `crops` limits the work to some crops (a focal point change
    leaves "full" as it is).
    """
    key = sha256[:20]
    fp = focal_code(focal_x, focal_y)
    width, height = image.size
    # Work from a copy reduced by a whole factor (fast, box filter) to just
    # above the largest rendition, then Lanczos each size from the next
    # larger one: resizing every size from a 12-megapixel original cost
    # four times as much for no visible gain.
    factor = max(1, min(width // 1600, height // 1200))
    working = image.reduce(factor) if factor > 1 else image
    scale = working.width / width
    files, description, sizes_in_bytes = {}, {}, {}
    for crop in crops or RENDITIONS:
        planned = planned_sizes(crop, width, height, focal_x, focal_y)
        description[crop] = [[w, h, formats] for w, h, formats in planned]
        box = crop_box(width, height, RATIOS[crop], focal_x, focal_y)
        scaled_box = tuple(round(v * scale) for v in box)
        source = working.crop(scaled_box) if RATIOS[crop] else working
        for w, h, formats in reversed(planned):
            resized = source if source.size == (w, h) else source.resize((w, h), PILImage.LANCZOS)
            for fmt in formats:
                data = encode(resized, fmt)
                files[rendition_name(key, crop, fp, w, fmt)] = data
                sizes_in_bytes[f"{crop}-{w}-{fmt}"] = len(data)
            source = resized
    return {
        "v": FORMAT_VERSION,
        "key": key,
        "fp": fp,
        "crops": description,
        "bytes": sizes_in_bytes,
    }, files


def encode_master(decoded):
    if decoded.has_alpha:
        buffer = io.BytesIO()
        decoded.image.save(buffer, "PNG", compress_level=6)
        return buffer.getvalue()
    buffer = io.BytesIO()
    decoded.image.save(buffer, "JPEG", quality=92, optimize=False, subsampling=0)
    return buffer.getvalue()


def names_in(description):
    """Every rendition file name a description lists."""
    key, fp = description.get("key"), description.get("fp")
    return {
        rendition_name(key, crop, fp, w, fmt)
        for crop, sizes in description.get("crops", {}).items()
        for w, _h, formats in sizes
        for fmt in formats
    }


# Storage ----------------------------------------------------------------------------------


class StorageWrite:
    """Files written to the storage in one go; `undo()` removes them again (nothing half-written)."""

    def __init__(self, storage=None):
        self.storage = storage or default_storage
        self.written = []

    def save(self, name, data):
        saved = self.storage.save(name, ContentFile(data))
        self.written.append(saved)
        if saved != name:
            raise OSError(f"the storage renamed {name} to {saved}; it must allow overwriting")
        return saved

    def save_all(self, files):
        for name, data in files.items():
            self.save(name, data)

    def undo(self):
        # Best effort: the error that made us undo matters more than a leftover.
        delete_files(self.written, self.storage)
        self.written = []


def delete_files(names, storage=None):
    storage = storage or default_storage
    for name in names:
        # A leftover file is harmless; failing the request over it is not.
        with contextlib.suppress(Exception):
            storage.delete(name)


# Reading the description (no storage access) -----------------------------------------------------


def renditions_of(image, crop, fmt):
    """The renditions of one crop in one format, smallest first."""
    description = image.renditions or {}
    sizes = description.get("crops", {}).get(crop) or []
    key, fp = description.get("key", ""), description.get("fp", "")
    return [Rendition(crop, w, h, fmt, key, fp) for w, h, formats in sizes if fmt in formats]


def pick(image, crop, width=None, fmt="jpg"):
    candidates = renditions_of(image, crop, fmt)
    if not candidates:
        return None
    if width is None:
        return candidates[-1]
    for rendition in candidates:
        if rendition.width >= width:
            return rendition
    return candidates[-1]


def rendition_bytes(image, rendition):
    return (
        (image.renditions or {})
        .get("bytes", {})
        .get(f"{rendition.crop}-{rendition.width}-{rendition.fmt}")
    )
