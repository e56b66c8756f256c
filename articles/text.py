"""
Text helpers shared by the model, the feeds and the importers: HTML
sanitizing, removal of characters XML cannot carry, and ASCII slugs for
Chinese text.
"""

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from pypinyin import lazy_pinyin
from taggit.utils import _parse_tags

# What an article body may contain: structure and links, never script, style,
# event handlers or javascript: URLs (nh3 drops every attribute not listed).
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "ins", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    # A library image (images app): the figure names the image, nothing else.
    "figure": {"data-image-id"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# nh3 keeps `lang` (and `title`) on every element: the language of a passage
# in another language (<p lang="en">), for screen readers and hyphenation.
# Only a well-formed BCP 47 tag is kept (_figure_attribute).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# XML 1.0 forbids C0 controls other than tab, newline and carriage return,
# lone surrogates and U+FFFE/U+FFFF; reprinted copy often carries them.
XML_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

SLUG_MAX_LENGTH = 80


def strip_invalid_xml_chars(text):
    if not text:
        return text
    return XML_INVALID_CHARS.sub("", text)


def web_url(url):
    """`url` when it is an http(s) URL, else "" (no javascript:, data: …)."""
    if not url:
        return ""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url if scheme in ("http", "https") else ""


# Images are never <img src> in a body: only library figures, stored as
# <figure data-image-id="12"></figure> and rendered from the library
# (images.rendering), so renditions, alt text and credits follow it.
LIBRARY_FIGURE = re.compile(r'<figure data-image-id="(\d{1,18})">.*?</figure>', re.S)


def _figure_attribute(tag, attribute, value):
    if attribute == "lang":
        value = value.strip()
        return value if LANGUAGE_TAG.match(value) else None
    if tag == "figure" and attribute == "data-image-id":
        value = value.strip()
        return value if value.isdigit() and len(value) <= 18 and int(value) > 0 else None
    return value


def sanitize_html(html):
    """
    Return `html` reduced to the allow-list, safe to store and to serve. The
    one sanitizer: the model's save(), the importer and the page renderer
    (render_body) all call it.
    """
    if not html:
        return ""
    cleaned = nh3.clean(
        strip_invalid_xml_chars(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_figure_attribute,
    ).strip()
    # A library figure carries nothing of its own: caption, credit and
    # picture come from the library when the page is rendered.
    return LIBRARY_FIGURE.sub(
        lambda m: f'<figure data-image-id="{int(m.group(1))}"></figure>', cleaned
    )


@lru_cache(maxsize=1024)
def _render_body(html):
    return mark_safe(sanitize_html(html))


def render_body(html):
    """
    A stored body, safe to put on a page. Bodies are sanitized on every write,
    but a write around the model (a bulk update, a raw query, an allow-list
    narrowed since) must not reach a reader unsanitized: pages and feeds
    render through this. Cleaning is remembered per body text, so a body is
    cleaned once per process, not once per view.
    """
    return _render_body(html or "")


# Characters that have no business in a name: C0/C1 controls (\x0b split one
# tag into two), soft hyphens, zero-width and direction marks, BOMs.
INVISIBLE_IN_NAMES = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def normalize_name(name):
    """
    A tag (or topic, source) name as stored: NFKC (full-width letters and
    digits become ordinary ones), invisible characters removed, runs of
    spaces made one.
    """
    name = INVISIBLE_IN_NAMES.sub("", unicodedata.normalize("NFKC", name or ""))
    return " ".join(name.split())


def parse_tags(text):
    """TAGGIT_TAGS_FROM_STRING: taggit's parser, after removing invisible characters."""
    return [name for name in map(normalize_name, _parse_tags(normalize_tag_input(text))) if name]


def normalize_tag_input(text):
    # Invisible characters go before splitting: taggit splits on whitespace,
    # and \x0b is whitespace.
    return INVISIBLE_IN_NAMES.sub("", text or "")


def ascii_slug(text, max_length=SLUG_MAX_LENGTH):
    """
    A readable ASCII slug: Han characters become pinyin syllables joined by
    hyphens (让世界共享 -> rang-shi-jie-gong-xiang); Latin words are kept.
    """
    words = lazy_pinyin(text or "", errors="default")
    slug = slugify("-".join(words))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")
