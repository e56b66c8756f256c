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

Pinyin glosses are decided for the whole page, never one by one: 小米(mi),
茶(cha) or 平安(an) are real text when they stand alone, and debris when a
scraper glossed the page. A page is *glossed* when candidate glosses (a
parenthesised pinyin reading right after the character or word it reads) are
many, dense and regular (see GlossStats.glossed); then every form is removed
(tone marks, ü written v or u:, full-width parentheses, capitals, tone digits,
spaces, doubled glosses, characters outside the BMP, readings of whole
words); on an unglossed page nothing is.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from django.utils import timezone
from django.utils.html import escape
from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

# Han characters, including the extensions outside the Basic Multilingual Plane (𠮷).
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Letters a pinyin gloss may be written with: plain, capitals, tone marks, ü.
PINYIN_LETTERS = "a-zA-ZüÜāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛńňǹḿ"
# One to four Han characters, then one or more parenthesised runs of pinyin
# letters (with tone digits, u:, inner spaces), half- or full-width, with an
# optional space before. Whether a run really reads the characters before it
# is checked in Python (GlossMatcher).
GLOSS = re.compile(
    rf"(?P<word>[{HAN}]{{1,4}})"
    rf"(?P<glosses>(?:[ \u3000]?[(（][ \u3000]?[{PINYIN_LETTERS}][{PINYIN_LETTERS}0-5: ]{{0,40}}[)）])+)"
)
ONE_GLOSS = re.compile(r"[ \u3000]?[(（](?P<letters>[^)）]*)[)）]")
HAN_CHAR = re.compile(rf"[{HAN}]")
SOURCE_LINE = re.compile(r"^\s*本文转自\s*【\s*(?P<source>[^】]+?)\s*】\s*[;；。.]?\s*$")
DATE_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?)\s*$")
# A line made only of placeholder marks (? ？ � □ ■ and spaces).
JUNK_LINE = re.compile(r"^[\s?？\ufffd□■]+$")
# Control characters (tab and newline aside) and zero-width / direction marks.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\ufeff]"
)
ODD_SPACES = re.compile(r"[\u3000\u00a0\u2000-\u200a\u202f\u205f]+")

# A page is glossed when at least this many candidate glosses read the
# characters before them, at least one per GLOSS_DENSITY Han characters, and
# at least GLOSS_REGULARITY of all parenthesised pinyin-like runs after Han
# characters do. The seed page has 178 in 2,400 characters (one in 13); a
# real article has at most a stray one.
MIN_GLOSSES = 2
GLOSS_DENSITY = 200
GLOSS_REGULARITY = 0.75

KEYWORD_SEPARATOR = re.compile(r"[,，]")
# A keyword block is a run of 2 to MAX_KEYWORDS terms at the end of the title
# line, each at most KEYWORD_MAX_WIDTH wide and at most KEYWORD_SHARE as wide
# as the headline before it. A term is no clause: none of these inside.
MAX_KEYWORDS = 6
KEYWORD_MAX_WIDTH = 16
CLAUSE_MARKS = re.compile(r"[。！？；：、!?;:“”\"《》]")
MIN_HEADLINE_WIDTH = 4
KEYWORD_SHARE = 0.75


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
    # What the cleaning did, for the import summary and the editors.
    glosses_removed: int = 0
    glosses_kept: list = field(default_factory=list)  # candidates left on an unglossed page
    warnings: list = field(default_factory=list)
    original: str = ""  # the page as received (decoded), before any cleaning

    @property
    def body_html(self):
        return "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)


# Pinyin readings --------------------------------------------------------------


def toneless(letters):
    """A gloss as plain pinyin: 'Lǜ', 'lu:4', 'lv' -> 'lv'; 'xin pian' -> 'xinpian'."""
    text = letters.lower().replace("u:", "v")
    text = re.sub(r"[\s0-5]", "", text)
    text = unicodedata.normalize("NFD", text).replace("u\u0308", "v")
    return "".join(char for char in text if not unicodedata.combining(char))


@cache
def syllables():
    """Every toneless pinyin syllable pypinyin knows (about 400)."""
    found = set()
    for value in pinyin_dict.values():
        found.update(toneless(reading) for reading in value.split(","))
    return frozenset(s for s in found if s.isascii() and s.isalpha())


@lru_cache(maxsize=8192)
def readings(char):
    """Every toneless pinyin reading of one Han character (empty when pypinyin has none)."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    return frozenset(r for r in found if r.isascii() and r.isalpha())


def _spells(letters, chars):
    """Whether `letters` is one reading of each of `chars`, in order."""
    if not chars:
        return not letters
    # A character pypinyin cannot read (rare extensions) takes any syllable.
    for reading in readings(chars[0]) or syllables():
        if letters.startswith(reading) and _spells(letters[len(reading) :], chars[1:]):
            return True
    return False


def is_pinyin(letters):
    """Whether `letters` (toneless) is a run of pinyin syllables."""
    if not letters:
        return True
    return any(
        letters.startswith(s) and is_pinyin(letters[len(s) :])
        for s in syllables()
        if len(s) <= len(letters)
    )


def reads(word, letters):
    """Whether `letters` reads the last one to four characters of `word`: 国 guo, 芯片 xinpian."""
    plain = toneless(letters)
    if not plain.isascii() or not plain.isalpha():
        return False
    return any(_spells(plain, word[-size:]) for size in range(1, len(word) + 1))


# Glosses ------------------------------------------------------------------------


@dataclass
class GlossStats:
    """Candidate glosses of a text, for deciding whether it was glossed by a scraper."""

    han: int = 0  # Han characters
    candidates: int = 0  # parenthesised pinyin-like runs after Han characters
    readings: int = 0  # of those, runs that read the characters before them
    examples: list = field(default_factory=list)

    @property
    def glossed(self):
        return (
            self.readings >= MIN_GLOSSES
            and self.readings * GLOSS_DENSITY >= self.han
            and self.readings >= GLOSS_REGULARITY * self.candidates
        )


def _gloss_runs(match):
    """The parenthesised runs of one GLOSS match: [(text, letters, reads the word)]."""
    word = match.group("word")
    runs = []
    for run in ONE_GLOSS.finditer(match.group("glosses")):
        letters = run.group("letters")
        runs.append((run.group(0), letters, reads(word, letters)))
    return runs


def gloss_stats(text):
    """Count candidate glosses by position: a doubled gloss 国(guo)(guo) is one."""
    stats = GlossStats(han=len(HAN_CHAR.findall(text)))
    for match in GLOSS.finditer(text):
        run, letters, reading = _gloss_runs(match)[0]
        plain = toneless(letters)
        if reading:
            stats.readings += 1
            stats.candidates += 1
        elif plain.isascii() and plain.isalpha() and is_pinyin(plain):
            stats.candidates += 1
        if len(stats.examples) < 5:
            stats.examples.append(match.group("word")[-1] + match.group("glosses").strip())
    return stats


def remove_pinyin_glosses(text):
    """
    国(guo)际(ji) -> 国际, 芯片(xin pian) -> 芯片, 国 (Guó)(guo) -> 国, but
    (和音), (AI) and 长(xyz) stay. Use it on glossed text only (see clean_glosses).
    """
    return _remove_glosses(text)[0]


def _remove_glosses(text):
    removed = 0

    def replace(match):
        nonlocal removed
        kept, dropping = [match.group("word")], True
        for run, _, reading in _gloss_runs(match):
            # Glosses come first; from the first run that is not one, all is kept.
            if dropping and reading:
                removed += 1
            else:
                dropping = False
                kept.append(run)
        return "".join(kept)

    return GLOSS.sub(replace, text), removed


def clean_glosses(lines):
    """
    Remove the pinyin glosses of a page given as lines, if the page as a whole
    is glossed: (cleaned lines, glosses removed, GlossStats).
    """
    stats = gloss_stats("\n".join(lines))
    if not stats.glossed:
        return list(lines), 0, stats
    cleaned, total = [], 0
    for line in lines:
        line, removed = _remove_glosses(line)
        cleaned.append(line)
        total += removed
    return cleaned, total, stats


def basic_clean(text):
    """No invisible characters; Unicode spaces become ordinary ones."""
    return ODD_SPACES.sub(" ", INVISIBLE.sub("", text))


def tidy(text):
    return re.sub(r"[ \t]+", " ", text).strip()


def clean_line(text):
    """One line cleaned on its own (glosses removed as if the page were glossed)."""
    return tidy(remove_pinyin_glosses(basic_clean(text)))


# The title line -------------------------------------------------------------------


def width(text):
    """Display width: a Han character 1, an ASCII character 1/2."""
    return sum(0.5 if char.isascii() else 1 for char in text.strip())


def _is_term(part, headline):
    part = part.strip()
    return (
        bool(part)
        and width(part) <= KEYWORD_MAX_WIDTH
        and width(part) <= KEYWORD_SHARE * width(headline)
        and not CLAUSE_MARKS.search(part)
    )


def split_title_line(line):
    """
    "标题,关键词1,关键词2" -> (title, [keywords], warning or ""). The keywords
    are a run of 2 to 6 short terms at the end (half- or full-width commas),
    each at most half as wide as the headline before them, which keeps its
    own commas (稳增长,促改革). When the line does not have that shape, the
    whole line is the title, with no keywords, and the warning says why.
    Nothing is dropped: the title is the line up to the keyword block.
    """
    line = line.strip()
    separators = list(KEYWORD_SEPARATOR.finditer(line))
    if not separators:
        return line, [], ""
    # Try the longest keyword block first: the headline is what precedes it.
    for count in range(min(len(separators), MAX_KEYWORDS + 1), 0, -1):
        cut = separators[-count]
        headline, block = line[: cut.start()].strip(), line[cut.end() :]
        terms = [t.strip() for t in KEYWORD_SEPARATOR.split(block)]
        if width(headline) < MIN_HEADLINE_WIDTH or KEYWORD_SEPARATOR.fullmatch(headline[-1:]):
            continue
        if all(_is_term(t, headline) or not t for t in terms):
            keywords = [t for t in terms if t]
            break
    else:
        return line, [], "the title line has commas but no keyword block; kept whole as the title"
    if len(keywords) > MAX_KEYWORDS:
        return line, [], f"more than {MAX_KEYWORDS} short terms at the end; kept whole as the title"
    if len(keywords) == 1:
        return (
            line,
            [],
            f"one short term after the last comma ({keywords[0]}): a keyword or part of the "
            "headline? Kept whole as the title",
        )
    return headline, keywords, ""


# The page -------------------------------------------------------------------------


def parse_reprint(text, tz=None):
    """Parse one scraped reprint page into a `Reprint`; raise ReprintFormatError."""
    original = text.lstrip("\ufeff")
    text = unicodedata.normalize("NFC", original)
    # Not str.splitlines(): it also breaks at \x0b, \x1c, \u2028 … inside a line.
    raw_lines = [basic_clean(raw) for raw in re.split(r"\r\n|\r|\n", text)]
    cleaned, glosses_removed, stats = clean_glosses(raw_lines)
    numbered = [(number, tidy(line)) for number, line in enumerate(cleaned, start=1)]
    lines = [(n, line) for n, line in numbered if line and not JUNK_LINE.match(line)]
    if len(lines) < 3:
        raise ReprintFormatError("expected a category, a title and a date line", line=1)

    (_, category), (title_number, title_line), (date_number, date_line) = lines[:3]
    title, keywords, warning = split_title_line(title_line)
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
        glosses_removed=glosses_removed,
        glosses_kept=[] if glosses_removed else stats.examples,
        warnings=[f"line {title_number}: {warning}"] if warning else [],
        original=original,
    )
