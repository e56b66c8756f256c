"""
Chinese and English text to search terms, the same way for documents and queries.

Text is NFKC-normalised (full-width ＡＢＣ１２３ becomes abc123) and lower-cased.
A *run* is a stretch of letters and digits; inside it, Chinese (and Japanese
and Korean) characters are split from the rest:

- Chinese text is indexed by characters: every character and every pair of
  adjacent characters is a term (医药 gives 医, 药 and 医药). So a one- or
  two-character query is found wherever it occurs, inside any word (药 in
  中药, 市场 in 市场经济体制), and a longer one needs all its pairs, then is
  checked against the text itself (articles.search.query): no dictionary can
  miss a new compound, a name or a word jieba splits differently.
- Other runs (English words, numbers, 5g) are whole words: 5g is not found in
  15g, ai not in openai.

Queries: parts separated by spaces or punctuation are each required,
anywhere; a part typed without spaces (AI大模型, 数字人民币, 张江) is a phrase,
found only where its characters stand together and in order; quotes make a
phrase of what they enclose ("Apple Intelligence"). Punctuation, emoji and
operators never reach a database as syntax.

Titles are also segmented into words with jieba (the rjieba binding, HMM
off, the newsroom dictionary userdict.txt), for ranking only: a title that
has the query as a word of its own ranks above one that merely contains it.
"""

import html
import operator
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import rjieba
from django.utils.html import strip_tags

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")

# A run is letters and digits (any script); everything else separates.
TERM = re.compile(r"[^\W_]+")
# Characters indexed one by one (and in pairs): CJK ideographs with their
# extensions and compatibility forms, kana, hangul, bopomofo.
CJK = (
    "\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3100-\u312f"
    "\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0003134f"
)
SEGMENT = re.compile(rf"[{CJK}]+|[^{CJK}]+")
CJK_RUN = re.compile(rf"[{CJK}]+")
IS_CJK = re.compile(rf"[{CJK}]")
# Longer "words" are base64, hashes or run-together URLs: not worth indexing,
# and they could exceed what a database index accepts for one word.
MAX_TERM_LENGTH = 40
# Every index term of a query costs a little on each matching row; a
# 100-character query may have dozens, of which the first ones are used (the
# text check keeps the result exact).
MAX_QUERY_TERMS = 10
# Separates title, standfirst and body in Article.search_plain: no phrase spans two.
FIELD_SEPARATOR = "\n"
QUOTES = re.compile(r"[\"“”„«»「」『』]([^\"“”„«»「」『』]*)[\"“”„«»「」『』]?")

# Block-level tags end a run of text; inline ones (<strong>, <a>) must not
# split a word, so only these become spaces before the tags are stripped.
BLOCK_BOUNDARY = re.compile(
    r"<br\s*/?>|</?(?:p|div|h[1-6]|li|ul|ol|blockquote|pre|table|tr|td|th|"
    r"figure|figcaption|caption|hr)\b[^>]*>",
    re.IGNORECASE,
)
WHITESPACE = re.compile(r"\s+")

_segmenter = None
_segmenter_lock = threading.Lock()


def segmenter():
    """The jieba segmenter with the newsroom dictionary, loaded once per process."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                jieba = rjieba.Jieba()
                for word, freq in read_user_dictionary():
                    jieba.add_word(word, freq, None)
                _segmenter = jieba
    return _segmenter


def read_user_dictionary(path=USER_DICTIONARY):
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, freq = line.partition(" ")
        entries.append((word, int(freq) if freq.strip().isdigit() else None))
    return entries


def normalize(text):
    """NFKC and lower case: what both the index and the queries see."""
    if not unicodedata.is_normalized("NFKC", text):  # cheap when it already is
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def plain_text(body_html):
    """An HTML body as text: block boundaries become spaces, entities characters."""
    if not body_html:
        return ""
    text = strip_tags(BLOCK_BOUNDARY.sub(" ", body_html))
    return WHITESPACE.sub(" ", html.unescape(text)).strip()


def is_cjk(text):
    return bool(IS_CJK.match(text))


def run_terms(run):
    """The index terms of one run: CJK characters and pairs, other words whole."""
    terms = []
    for segment in SEGMENT.findall(run):
        if not is_cjk(segment):
            if len(segment) <= MAX_TERM_LENGTH:
                terms.append(segment)
        elif len(segment) == 1:
            terms.append(segment)
        else:
            terms.extend(segment)
            terms.extend(segment[i : i + 2] for i in range(len(segment) - 1))
    return terms


def document_terms(text):
    """
    The distinct terms of a (normalised) document: its non-CJK words, then
    its CJK characters, then their pairs. Written for speed (a document has
    about 2,000): the pairs come from map() over each run, not a Python loop.
    """
    runs = CJK_RUN.findall(text)
    words = TERM.findall(CJK_RUN.sub(" ", text))
    terms = dict.fromkeys(word for word in words if len(word) <= MAX_TERM_LENGTH)
    terms.update(dict.fromkeys("".join(runs)))
    for run in runs:
        if len(run) > 1:
            terms.update(dict.fromkeys(map(operator.add, run, run[1:])))
    return list(terms)


def title_words(title):
    """The title's words (jieba's plain mode), for ranking whole-word matches first."""
    words = segmenter().cut(title, hmm=False)
    return [word for word in TERM.findall(" ".join(words)) if len(word) <= MAX_TERM_LENGTH]


@dataclass(frozen=True)
class ArticleTerms:
    """What the index stores for one article."""

    # " word word … \n<title as normalised text>": whole words and substrings.
    title: str
    # The index terms, separated by spaces.
    text: str
    # Title, standfirst and body as one normalised text, for phrase checks.
    plain: str


def article_terms(title, standfirst, body):
    title_plain = WHITESPACE.sub(" ", normalize(title or "")).strip()
    standfirst_plain = WHITESPACE.sub(" ", normalize(standfirst or "")).strip()
    body_plain = normalize(plain_text(body))
    plain = FIELD_SEPARATOR.join([title_plain, standfirst_plain, body_plain])
    return ArticleTerms(
        title=" " + " ".join(title_words(title_plain)) + " " + FIELD_SEPARATOR + title_plain,
        text=" ".join(document_terms(plain)),
        plain=plain,
    )


# Queries ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryPart:
    """One required part of a query."""

    # The normalised text to find (a word, a character, a phrase).
    text: str
    # Index terms every match contains.
    terms: tuple
    # Whether the terms decide on their own; if not, the text is checked too.
    exact: bool


@dataclass(frozen=True)
class ParsedQuery:
    parts: tuple

    @property
    def terms(self):
        """The index terms of all parts, without repeats, at most MAX_QUERY_TERMS."""
        return list(dict.fromkeys(t for part in self.parts for t in part.terms))[:MAX_QUERY_TERMS]

    @property
    def checked(self):
        """The parts whose text must be checked against the article's text."""
        return [part for part in self.parts if not part.exact]

    def __bool__(self):
        return bool(self.terms)


def query_run_terms(run):
    """The index terms a run of a query needs: its words, its character pairs
    (or its one character); every match contains them all."""
    terms = []
    for segment in SEGMENT.findall(run):
        if not is_cjk(segment):
            if len(segment) <= MAX_TERM_LENGTH:
                terms.append(segment)
        elif len(segment) == 1:
            terms.append(segment)
        else:
            terms.extend(segment[i : i + 2] for i in range(len(segment) - 1))
    return terms


def _part(text, runs):
    terms = [term for run in runs for term in query_run_terms(run)]
    segments = [segment for run in runs for segment in SEGMENT.findall(run)]
    exact = (
        len(runs) == 1
        and len(segments) == 1
        and runs[0] == text
        and (not is_cjk(segments[0]) or len(segments[0]) <= 2)
        and len(segments[0]) <= MAX_TERM_LENGTH
    )
    return QueryPart(text=text, terms=tuple(dict.fromkeys(terms)), exact=exact)


def parse_query(query):
    """A query's parts: quoted phrases, then each run of letters and digits."""
    if not query:
        return ParsedQuery(())
    query = normalize(query)
    parts = []
    for quoted in QUOTES.findall(query):
        text = WHITESPACE.sub(" ", quoted).strip()
        runs = TERM.findall(text)
        if runs:
            parts.append(_part(text, runs))
    for run in TERM.findall(QUOTES.sub(" ", query)):
        parts.append(_part(run, [run]))
    unique = list({part.text: part for part in parts}.values())
    return ParsedQuery(tuple(unique))
