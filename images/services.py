"""
Writes to the image library: adding an image (from an upload, an import or
the demo), moving its focal point. Each runs in a transaction; files are
written inside it and removed again if anything fails, so neither a row
without files nor files without a row stay behind.
"""

import os
import unicodedata
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import processing
from .models import Image

TITLE_MAX_LENGTH = 200


@dataclass
class Added:
    image: Image
    created: bool  # False: the same file was already in the library
    notes: list = field(default_factory=list)


def title_from_filename(filename):
    """A readable default title from an uploaded file's name: never a path."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    stem = os.path.splitext(name)[0]
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] != "C")
    stem = stem.replace("_", " ").replace("-", " ").strip(" .")
    return stem[:TITLE_MAX_LENGTH] or "image"


def add_image(data, *, filename="", user=None, storage=None, **metadata):
    """
    Add the picture in `data` (bytes) to the library, or find it there if the
    same file was added before. Raises processing.ImageRefused for bad input
    (nothing written) and lets storage errors through (nothing left behind).
    """
    decoded = processing.decode_upload(data)
    existing = Image.objects.filter(sha256=decoded.sha256).first()
    if existing is not None:
        return Added(existing, created=False)
    focal_x = float(metadata.pop("focal_x", 0.5))
    focal_y = float(metadata.pop("focal_y", 0.5))
    tags = metadata.pop("tags", None)
    description, files = processing.make_renditions(
        decoded.image, sha256=decoded.sha256, focal_x=focal_x, focal_y=focal_y
    )
    master = processing.master_name(decoded.sha256, decoded.has_alpha)
    files[master] = processing.encode_master(decoded)
    metadata.setdefault("title", title_from_filename(filename))
    metadata["title"] = metadata["title"][:TITLE_MAX_LENGTH] or title_from_filename(filename)
    write = processing.StorageWrite(storage)
    try:
        with transaction.atomic():
            image = Image.objects.create(
                file=master,
                width=decoded.image.width,
                height=decoded.image.height,
                sha256=decoded.sha256,
                focal_x=focal_x,
                focal_y=focal_y,
                renditions=description,
                uploaded_by=user,
                uploaded_at=timezone.now(),
                **metadata,
            )
            if tags:
                image.tags.set(tags)
            write.save_all(files)
    except IntegrityError:
        # The same file, uploaded at the same moment by someone else: theirs
        # won. Its files have the same names as ours, so none are removed.
        existing = Image.objects.filter(sha256=decoded.sha256).first()
        if existing is None:
            write.undo()
            raise
        return Added(existing, created=False)
    except BaseException:
        write.undo()
        raise
    return Added(image, created=True, notes=decoded.notes)


def open_master(image, storage=None):
    from PIL import Image as PILImage

    storage = storage or processing.default_storage
    with storage.open(image.file.name, "rb") as handle:
        picture = PILImage.open(handle)
        picture.load()
    return picture.convert("RGBA" if picture.mode == "RGBA" else "RGB")


def set_focal_point(image, focal_x, focal_y, *, storage=None):
    """
    Move the focal point and remake the crops that follow it (new file names,
    so caches never serve the old crop); the old crop files go once the
    change is committed.
    """
    focal_x, focal_y = float(focal_x), float(focal_y)
    old = image.renditions or {}
    if processing.focal_code(focal_x, focal_y) == old.get("fp") and old.get("crops"):
        image.focal_x, image.focal_y = focal_x, focal_y
        return image
    picture = open_master(image, storage)
    crops = [crop for crop in processing.RENDITIONS if crop != "full"]
    description, files = processing.make_renditions(
        picture, sha256=image.sha256, focal_x=focal_x, focal_y=focal_y, crops=crops
    )
    if "full" in old.get("crops", {}):
        description["crops"]["full"] = old["crops"]["full"]
        description["bytes"].update(
            {k: v for k, v in old.get("bytes", {}).items() if k.startswith("full-")}
        )
    else:
        full, full_files = processing.make_renditions(
            picture, sha256=image.sha256, focal_x=focal_x, focal_y=focal_y, crops=["full"]
        )
        description["crops"]["full"] = full["crops"]["full"]
        description["bytes"].update(full["bytes"])
        files.update(full_files)
    write = processing.StorageWrite(storage)
    try:
        write.save_all(files)
    except BaseException:
        write.undo()
        raise
    stale = processing.names_in(old) - processing.names_in(description)
    transaction.on_commit(lambda: processing.delete_files(stale, storage))
    image.focal_x, image.focal_y = focal_x, focal_y
    image.renditions = description
    return image


def delete_image_files(image, storage=None):
    """After the row is gone: its master and renditions."""
    names = processing.names_in(image.renditions or {}) | {image.file.name}
    processing.delete_files(names, storage)
