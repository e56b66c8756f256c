"""
Parse and clean scraped reprint pages, the format our first article came in:

    业界新闻                                   <- category (topic)
    让世(shi)界共享…红利(li)(和音),合作,国(guo)际(ji),建设   <- title, keywords
    2024-12-05 14:32:26                        <- publication time (site time zone)
    本文(wen)转自【人民日报】;                  <- optional source line
    lead paragraph
    body paragraphs …
    ? ? ? ? ? ? ? ? ?                          <- debris

Cleaning removes only scraping debris: pinyin glosses after Han characters
(世(shi) -> 世), placeholder rows of ?, control and zero-width characters and
odd spacing. The words themselves are never rewritten.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import timezone
from django.utils.html import escape
from pypinyin import Style, pinyin

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Han character followed by a parenthesised run of lower-case Latin letters.
GLOSS = re.compile(rf"([{HAN}])\(([a-zü]{{1,6}})\)")
SOURCE_LINE = re.compile(r"^\s*本文转自\s*【\s*(?P<source>[^】]+?)\s*】\s*[;；。.]?\s*$")
DATE_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)\s*$")
# A line made only of placeholder marks (? ？ � □ ■ and spaces).
JUNK_LINE = re.compile(r"^[\s?？\ufffd□■]+$")
# Control characters (tab and newline aside) and zero-width / direction marks.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]"
)
KEYWORD_MAX_LENGTH = 8


class ReprintFormatError(ValueError):
    """The text is not a reprint page; `line` is where it went wrong (1-based)."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


@dataclass
class Reprint:
    category: str
    title: str
    keywords: list = field(default_factory=list)
    published_at: datetime.datetime | None = None
    source: str = ""
    standfirst: str = ""
    paragraphs: list = field(default_factory=list)

    @property
    def body_html(self):
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)


@lru_cache(maxsize=8192)
def readings(char):
    """Every toneless pinyin reading of one Han character."""
    return frozenset(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


def remove_pinyin_glosses(text):
    """国(guo)际(ji) -> 国际, but (和音), (AI) and 长(xyz) stay as they are."""

    def replace(match):
        char, letters = match.groups()
        return char if letters in readings(char) else match.group(0)

    return GLOSS.sub(replace, text)


def clean_line(text):
    text = INVISIBLE.sub("", text)
    # Full-width spaces and other Unicode spaces become one ordinary space.
    text = re.sub(r"[\u3000\u00a0\u2000-\u200a\u202f\u205f]+", " ", text)
    text = remove_pinyin_glosses(text)
    text = re.sub(r"[ \t]+", " ", text)
    return text.strip()


def split_title_line(line):
    """
    "标题,关键词1,关键词2" -> ("标题", ["关键词1", "关键词2"]). The title keeps
    any commas of its own: keywords are the short trailing parts.
    """
    parts = [part.strip() for part in re.split(r"[,，]", line)]
    keywords = []
    while len(parts) > 1 and 0 < len(parts[-1]) <= KEYWORD_MAX_LENGTH and " " not in parts[-1]:
        keywords.insert(0, parts.pop())
    title = ",".join(parts).strip()
    return title, [k for k in keywords if k]


def parse_reprint(text, tz=None):
    """Parse one scraped reprint page into a `Reprint`; raise ReprintFormatError."""
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    # Not str.splitlines(): it also breaks at \x0b, \x1c, \u2028 … inside a line.
    raw_lines = re.split(r"\r\n|\r|\n", text)
    numbered = [(number, clean_line(raw)) for number, raw in enumerate(raw_lines, start=1)]
    lines = [(n, line) for n, line in numbered if line and not JUNK_LINE.match(line)]
    if len(lines) < 3:
        raise ReprintFormatError("expected a category, a title and a date line", line=1)

    (_, category), (title_number, title_line), (date_number, date_line) = lines[:3]
    title, keywords = split_title_line(title_line)
    if not title:
        raise ReprintFormatError("the title line is empty", line=title_number)
    match = DATE_LINE.match(date_line)
    if not match:
        raise ReprintFormatError(
            f"expected a date like 2024-12-05 14:32:26, found {date_line[:40]!r}",
            line=date_number,
        )
    value = match.group(1).replace("T", " ")
    fmt = "%Y-%m-%d %H:%M:%S" if value.count(":") == 2 else "%Y-%m-%d %H:%M"
    try:
        # The page gives local time without an offset; make_aware below adds it.
        naive = datetime.datetime.strptime(value, fmt)  # noqa: DTZ007
    except ValueError as exc:
        raise ReprintFormatError(f"invalid date {value!r}", line=date_number) from exc
    published_at = timezone.make_aware(naive, tz or timezone.get_default_timezone())

    rest = [line for _, line in lines[3:]]
    source = ""
    if rest and (source_match := SOURCE_LINE.match(rest[0])):
        source = source_match.group("source")
        rest = rest[1:]
    if not rest:
        raise ReprintFormatError("the article has no text", line=date_number + 1)
    return Reprint(
        category=category,
        title=title,
        keywords=keywords,
        published_at=published_at,
        source=source,
        standfirst=rest[0],
        paragraphs=rest[1:],
    )
