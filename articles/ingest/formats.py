"""
The three import formats, each read into `Item`s, one per article, or
`Failure`s that say where (file and line, or feed entry) and what went wrong:

- reprint: one scraped reprint page per file, parsed and cleaned by
  articles.reprint;
- feed: RSS 2.0 or Atom, checked with defusedxml (no entity declarations, so
  no "billion laughs" expansion and no external entities) and then parsed by
  feedparser;
- jsonl: JSON Lines, one article per line, the format export_articles writes.
"""

import calendar
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import defusedxml.ElementTree
import feedparser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext

from articles.models import (
    META_DESCRIPTION_MAX_LENGTH,
    SEO_TITLE_MAX_LENGTH,
    SOCIAL_TITLE_MAX_LENGTH,
    Article,
)
from articles.reprint import INVISIBLE, ReprintFormatError, parse_reprint
from images import ingest as image_ingest
from spun import detector as spun

from .sources import (
    SAMPLE_SIZE,
    SourceError,
    declared_xml_encoding,
    decode,
    detect_encoding,
    invalid_utf8_lines,
)

FORMATS = ("reprint", "feed", "jsonl")
# Field limits of the models, checked here so SQLite and PostgreSQL agree.
MAX_LENGTHS = {"title": 200, "byline": 200, "slug": 200, "source_url": 500}
MAX_LENGTHS |= {
    "seo_title": SEO_TITLE_MAX_LENGTH,
    "meta_description": META_DESCRIPTION_MAX_LENGTH,
    "social_title": SOCIAL_TITLE_MAX_LENGTH,
}
# A PositiveSmallIntegerField holds this much on every database.
FEATURED_ORDER_MAX = 32767
NAME_MAX_LENGTH = 100  # topic, source and tag names
UNICODE_SPACES = re.compile(r"[\s\u3000\u00a0\u2000-\u200a\u202f\u205f]+")
# Feed items carry categories (which become tags) but no topic of our own:
# new ones go here unless a topic is given.
DEFAULT_FEED_TOPIC = "待分类"
validate_url = URLValidator(schemes=["http", "https"])


class ItemError(ValueError):
    pass


@dataclass
class Failure:
    origin: str  # "file.jsonl:12", "feed.xml entry 3" or just the document name
    message: str
    document: bool = False  # the whole document failed, not one item

    def __str__(self):
        return f"{self.origin}: {self.message}"


@dataclass
class Notice:
    """Something an editor should know about an item or a document (not a failure)."""

    origin: str
    message: str

    def __str__(self):
        return f"{self.origin}: {self.message}"


def replaced_bytes_notice(origin, count):
    return Notice(
        origin,
        f"{count} invalid UTF-8 byte{'s' if count > 1 else ''} replaced by U+FFFD (\ufffd): "
        "check the text",
    )


@dataclass
class Item:
    """One incoming article, before it is matched against the database."""

    origin: str
    title: str
    topic: str
    published_at: datetime.datetime | None = None
    standfirst: str = ""
    # Search and social cards (only JSON Lines carries them).
    seo_title: str = ""
    meta_description: str = ""
    social_title: str = ""
    body: str = ""  # HTML; sanitized by the importer
    tags: list = field(default_factory=list)
    byline: str = ""
    source: str = ""
    source_url: str = ""
    # Only JSON Lines carries these; None means "decided by the importer".
    status: str | None = None
    slug: str = ""
    expires_at: datetime.datetime | None = None
    featured: bool | None = None
    featured_order: int | None = None
    pinned_until: datetime.datetime | None = None
    uuid: UUID | None = None
    # Images (images.ingest): the lead image and body images to fetch; the
    # importer stores them and sets lead_image_id before writing.
    images: dict = field(default_factory=dict)
    lead_image_caption: str = ""
    lead_image_id: int | None = None
    # A complete item (JSON Lines) says everything about its article: on
    # update, its empty values are written too. Feeds and reprints leave
    # what they do not carry as it is.
    complete: bool = False
    # A reprint page as received, before cleaning (Article.original_text).
    original_text: str = ""

    def validate(self):
        """Check what the database would refuse (or SQLite silently accept)."""
        if not self.title:
            raise ItemError("the title is empty")
        if self.complete and not self.topic:
            raise ItemError("the topic is empty")
        for name, limit in MAX_LENGTHS.items():
            if len(getattr(self, name)) > limit:
                raise ItemError(f"{name} is longer than {limit} characters")
        names = [("topic", self.topic), ("source", self.source), *(("tag", t) for t in self.tags)]
        for name, value in names:
            if len(value) > NAME_MAX_LENGTH:
                raise ItemError(
                    f"{name} {value[:20]!r}… is longer than {NAME_MAX_LENGTH} characters"
                )
        if self.slug:
            try:
                validate_slug(self.slug)
            except ValidationError as exc:
                raise ItemError(f"slug {self.slug!r} is not a valid slug") from exc
        if self.source_url:
            try:
                validate_url(self.source_url)
            except ValidationError as exc:
                raise ItemError(
                    f"source_url {self.source_url[:80]!r} is not an http(s) URL"
                ) from exc
        return self


def detect_format(document, opened, head):
    hint = document.format_hint
    if hint:
        return hint
    content_type = opened.content_type.lower()
    if any(word in content_type for word in ("xml", "rss", "atom")):
        return "feed"
    if "json" in content_type:
        return "jsonl"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        return "feed"
    if start == b"{":
        return "jsonl"
    return "reprint"


def read_items(document, *, format="auto", topic="", source=""):
    """
    Yield an `Item` or a `Failure` for each article in `document`. A failure
    of the whole document (unreadable, refused, not well-formed) is one
    `Failure` with document=True. `topic` and `source` name the topic and
    source of feed items, which feeds do not carry.
    """
    try:
        opened = document.open()
    except SourceError as exc:
        yield Failure(document.name, str(exc), document=True)
        return
    with opened.stream as stream:
        head = stream.read(SAMPLE_SIZE)
        stream.seek(0)
        fmt = format if format in FORMATS else detect_format(document, opened, head)
        try:
            if fmt == "jsonl":
                # Image files of an export (image_file) are found next to it.
                base_dir = str(Path(document.path).parent) if hasattr(document, "path") else ""
                for entry in read_jsonl(
                    stream, document.name, head=head, declared=opened.charset, source=source
                ):
                    if isinstance(entry, Item) and entry.images:
                        entry.images["base_dir"] = base_dir
                    yield entry
                return
            data = stream.read()
            text, encoding = decode(data, declared=opened.charset)
        except (UnicodeError, OSError) as exc:
            yield Failure(document.name, f"cannot be read: {exc}", document=True)
            return
    if encoding == "utf-8":
        for line, count in invalid_utf8_lines(data).items():
            yield replaced_bytes_notice(f"{document.name}:{line}", count)
    url = opened.url or document.url
    if fmt == "feed":
        yield from read_feed(text, document.name, topic=topic, source=source)
    else:
        yield from read_reprint(text, document.name, source_url=url)


# Reprint pages ----------------------------------------------------------------


def read_reprint(text, name, *, source_url=""):
    try:
        reprint = parse_reprint(text)
    except ReprintFormatError as exc:
        origin = f"{name}:{exc.line}" if exc.line else name
        yield Failure(origin, f"not a reprint page: {exc}", document=True)
        return
    try:
        item = Item(
            origin=name,
            title=reprint.title,
            topic=reprint.category,
            published_at=reprint.published_at,
            standfirst=reprint.standfirst,
            body=reprint.body_html,
            tags=reprint.keywords,
            source=reprint.source,
            source_url=source_url,
            original_text=reprint.original,
        ).validate()
    except ItemError as exc:
        yield Failure(name, str(exc), document=True)
        return
    yield item
    yield from reprint_notices(name, reprint)


def reprint_notices(name, reprint):
    """What the import summary tells an editor about one cleaned reprint page."""
    notices = []
    if reprint.glosses_removed:
        notices.append(
            Notice(
                name,
                gettext("%(count)d pinyin glosses removed (the page was glossed)")
                % {"count": reprint.glosses_removed},
            )
        )
    elif reprint.glosses_kept:
        notices.append(
            Notice(
                name,
                gettext("left as real text, the page is not glossed: %(examples)s")
                % {"examples": " ".join(reprint.glosses_kept)},
            )
        )
    notices.extend(Notice(name, warning) for warning in reprint.warnings)
    notices.extend(
        spun_notices(name, reprint.title, reprint.standfirst, "\n".join(reprint.paragraphs))
    )
    return notices


def spun_notices(origin, *texts):
    """A notice for a suspected spun article: each suspect phrase with its likely original."""
    report = spun.detect(*texts)
    if not report.suspected:
        return []
    return [
        Notice(
            origin,
            gettext("suspected spun copy (伪原创): %(phrases)s") % {"phrases": report.summary()},
        )
    ]


# Feeds --------------------------------------------------------------------------


class UnsafeXML(ValueError):
    pass


def check_xml(data):
    """
    Parse `data` (UTF-8 bytes) with defusedxml: entity declarations (the
    "billion laughs" and external entities) and malformed XML raise
    UnsafeXML before feedparser sees anything.
    """
    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden as exc:
        raise UnsafeXML(
            f"refused: the XML declares entities (<!ENTITY {exc.name}>); entity expansion is off "
            "because it can blow up without bound (the 'billion laughs' attack)"
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeXML(f"refused: unsafe XML ({exc})") from exc
    except defusedxml.ElementTree.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise UnsafeXML(f"not well-formed XML at line {line}, column {column}: {exc}") from exc


def as_utf8_xml(text):
    """The decoded text as UTF-8 bytes, its XML declaration saying so."""
    data = text.encode("utf-8")
    if declared_xml_encoding(data[:1024]):
        data = re.sub(
            rb"(^\s*<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']",
            rb'\1"utf-8"',
            data,
            count=1,
        )
    return data


def read_feed(text, name, *, topic="", source=""):
    data = as_utf8_xml(text)
    try:
        check_xml(data)
    except UnsafeXML as exc:
        yield Failure(name, str(exc), document=True)
        return
    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version"):
        yield Failure(name, "not an RSS or Atom feed", document=True)
        return
    for number, entry in enumerate(parsed.entries, start=1):
        origin = f"{name} entry {number}"
        try:
            item = item_from_entry(entry, origin, topic=topic, source=source)
        except ItemError as exc:
            title = clean_text(strip_tags(entry.get("title", "")))[:40]
            yield Failure(f"{origin} ({title})" if title else origin, str(exc))
            continue
        yield item
        yield from spun_notices(origin, item.title, item.standfirst, strip_tags(item.body))


def item_from_entry(entry, origin, *, topic="", source=""):
    summary = entry.get("summary", "")
    contents = [c for c in entry.get("content", []) if c.get("value")]
    if contents:
        body = contents[0]["value"]
        standfirst = Truncator(clean_text(strip_tags(summary))).chars(500) if summary else ""
    else:
        body, standfirst = summary, ""
    if body and "<" not in body:
        body = "".join(f"<p>{p}</p>" for p in re.split(r"\n\s*\n", body) if p.strip())
    parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
    published_at = None
    if parsed_time:
        published_at = datetime.datetime.fromtimestamp(
            calendar.timegm(parsed_time), tz=datetime.UTC
        )
    tags = []
    for tag in entry.get("tags", []):
        name = clean_text(tag.get("term") or tag.get("label") or "")
        if name and name.lower() not in {t.lower() for t in tags}:
            tags.append(name)
    title = clean_text(strip_tags(entry.get("title", "")))
    return Item(
        images=image_ingest.from_entry(entry),
        origin=origin,
        title=title,
        topic=topic,
        published_at=published_at,
        standfirst=standfirst,
        body=body,
        tags=tags,
        byline=clean_text(entry.get("author", ""))[: MAX_LENGTHS["byline"]],
        source=source,
        source_url=(entry.get("link") or "").strip(),
    ).validate()


def clean_text(text):
    """One line of plain text: no invisible characters, single ordinary spaces."""
    return UNICODE_SPACES.sub(" ", INVISIBLE.sub("", text or "")).strip()


# JSON Lines ---------------------------------------------------------------------


def read_jsonl(stream, name, *, head=b"", declared="", source=""):
    """JSON Lines items; `source` names the source of items that name none."""
    try:
        encoding = detect_encoding(head, declared=declared, complete=len(head) < SAMPLE_SIZE)
    except UnicodeError as exc:
        yield Failure(name, f"cannot be read: {exc}", document=True)
        return
    if encoding == "utf-8":
        encoding = "utf-8-sig"  # tolerate a byte-order mark on the first line
    for number, raw in enumerate(stream, start=1):
        origin = f"{name}:{number}"
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding != "utf-8-sig":
                yield Failure(origin, f"cannot be decoded as {encoding}: {exc.reason}")
                continue
            # Damaged UTF-8: read it, and say where.
            line = raw.decode(encoding, errors="replace")
            yield replaced_bytes_notice(origin, line.count("\ufffd") - raw.count("\ufffd".encode()))
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            cut = "" if raw.endswith(b"\n") else " (the line looks cut short)"
            yield Failure(origin, f"invalid JSON: {exc.msg} at column {exc.colno}{cut}")
            continue
        try:
            item = item_from_json(data, origin)
            if source and not item.source:
                item.source = source
            yield item
        except ItemError as exc:
            yield Failure(origin, str(exc))


def item_from_json(data, origin):
    if not isinstance(data, dict):
        raise ItemError("expected a JSON object")
    status = data.get("status") or Article.Status.PUBLISHED
    if status not in Article.Status.values:
        raise ItemError(f"status {status!r} is not one of {', '.join(Article.Status.values)}")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ItemError("tags must be a list of names")
    featured = data.get("featured")
    if featured is not None and not isinstance(featured, bool):
        raise ItemError("featured must be true or false")
    featured_order = data.get("featured_order")
    if featured_order is not None and (
        isinstance(featured_order, bool)
        or not isinstance(featured_order, int)
        or not 0 <= featured_order <= FEATURED_ORDER_MAX
    ):
        raise ItemError(f"featured_order must be a whole number from 0 to {FEATURED_ORDER_MAX}")
    return Item(
        origin=origin,
        title=_string(data, "title"),
        topic=_string(data, "topic"),
        published_at=_datetime(data, "published_at"),
        standfirst=_string(data, "standfirst"),
        seo_title=_string(data, "seo_title"),
        meta_description=_string(data, "meta_description"),
        social_title=_string(data, "social_title"),
        body=_string(data, "body"),
        tags=[tag.strip() for tag in tags if tag.strip()],
        byline=_string(data, "byline"),
        source=_string(data, "source"),
        source_url=_string(data, "source_url"),
        status=status,
        slug=_string(data, "slug"),
        expires_at=_datetime(data, "expires_at"),
        featured=featured,
        featured_order=featured_order,
        pinned_until=_datetime(data, "pinned_until"),
        uuid=_uuid(data),
        images=image_ingest.from_json(data),
        lead_image_caption=image_ingest.lead_caption_from_json(data),
        complete=True,
    ).validate()


def _string(data, key):
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemError(f"{key} must be a string")
    return value.strip() if key != "body" else value


def _datetime(data, key):
    value = data.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ItemError(f"{key} must be an ISO 8601 string")
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ItemError(f"{key} {value!r} is not an ISO 8601 date and time") from exc
    if timezone.is_naive(parsed):
        raise ItemError(f"{key} {value!r} needs a UTC offset, e.g. 2024-12-05T14:32:26+08:00")
    return parsed


def _uuid(data):
    value = data.get("uuid")
    if value in (None, ""):
        return None
    try:
        return UUID(str(value))
    except ValueError as exc:
        raise ItemError(f"uuid {value!r} is not a UUID") from exc
