"""
Chinese and English text to search terms, the same way for documents and queries.

Text is NFKC-normalised (full-width ＡＢＣ１２３ becomes ABC123) and lower-cased,
then segmented by jieba (the rjieba binding) with its HMM new-word guessing off:
with HMM on, a short query and a long document guess new words differently and
recall falls (to about 0.45 for 碳中和 or 俄乌冲突 in our measurements; a
dictionary entry does better, see userdict.txt). Documents use the
search mode, which adds the shorter words inside long ones (人工智能 gives
人工, 智能 and 人工智能); queries use the plain mode, and every query term is
required. A term is a run of letters and digits; punctuation, spaces, emoji and
operators never reach a database.
"""

import html
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import rjieba
from django.utils.html import strip_tags

USER_DICTIONARY = Path(__file__).with_name("userdict.txt")

# A term is a run of letters and digits (any script); everything else separates.
TERM = re.compile(r"[^\W_]+")
LONG_TERM = re.compile(r"[^\W_]{5,}")
# Longer "words" are base64, hashes or run-together URLs: not worth indexing,
# and they could exceed what a database index accepts for one word.
MAX_TERM_LENGTH = 40
# Every query term costs a little on each matching row; a 100-character query
# may segment into dozens of words, of which the first ones are kept.
MAX_QUERY_TERMS = 10

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


def _terms(words):
    """Runs of letters and digits in jieba's words, in order (spaces never join two words)."""
    return [term for term in TERM.findall(" ".join(words)) if len(term) <= MAX_TERM_LENGTH]


def document_terms(text):
    """The distinct terms of a document, in order of first appearance."""
    if not text:
        return []
    jieba = segmenter()
    words = " ".join(jieba.cut_for_search(normalize(text), hmm=False))
    terms = dict.fromkeys(TERM.findall(words))
    for term in LONG_TERM.findall(words):
        if len(term) > MAX_TERM_LENGTH:
            terms.pop(term, None)
        elif not term.isascii():
            # jieba's search mode adds only the two- and three-character words
            # inside a long word; add the longer ones too, so that
            # 生成式人工智能 also gives 人工智能.
            for size in range(4, len(term)):
                for start in range(len(term) - size + 1):
                    part = term[start : start + size]
                    if jieba.has_word(part):
                        terms.setdefault(part)
    return list(terms)


@dataclass(frozen=True)
class QueryTerm:
    text: str
    # A one-character term matches every word that starts with it (税 finds
    # 税收 and 税率): single characters are weak words on their own.
    prefix: bool


def query_terms(query):
    """The terms a query requires, at most MAX_QUERY_TERMS, without repeats."""
    if not query:
        return []
    words = segmenter().cut(normalize(query), hmm=False)
    terms = list(dict.fromkeys(_terms(words)))[:MAX_QUERY_TERMS]
    return [QueryTerm(term, prefix=len(term) == 1) for term in terms]


@dataclass(frozen=True)
class ArticleTerms:
    """What the index stores for one article: space-separated terms."""

    title: str
    text: str


def article_terms(title, standfirst, body):
    title_terms = document_terms(title)
    rest = document_terms(f"{standfirst or ''}\n{plain_text(body)}")
    return ArticleTerms(
        title=" ".join(title_terms),
        text=" ".join(dict.fromkeys(title_terms + rest)),
    )
