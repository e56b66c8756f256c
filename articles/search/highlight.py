"""
Highlighted titles and snippets for search results, as escaped HTML.

Matching is done on the normalised text (NFKC, lower case, as in the index)
while the reader sees the original characters: each original character is
normalised on its own and the positions are mapped back, so ＣｈａｔＧＰＴ in an
article is highlighted for the query chatgpt and Chinese punctuation stays
full-width. Every piece of text is escaped; only <mark> is added.
"""

import unicodedata

from django.utils.html import escape, format_html, format_html_join

from .tokenize import segmenter

SNIPPET_LENGTH = 120
# How much text to show before the first match.
SNIPPET_LEAD = 30
# How far around a cut the text is segmented to find a word boundary.
BOUNDARY_WINDOW = 12
ELLIPSIS = "…"


def _normalized_with_positions(text):
    """The normalised text, and for each of its characters the original index."""
    chars, positions = [], []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower()
        chars.append(folded)
        positions.extend([index] * len(folded))
    return "".join(chars), positions


def _is_ascii_alnum(char):
    return char.isascii() and char.isalnum()


def find_matches(text, terms):
    """
    Non-overlapping (start, end) spans of `text` where the query's parts
    (words, characters, whole phrases: 张江, never a lone 张) occur, in order.
    A Latin part only matches whole words (5g is not inside 15g); a Chinese
    one anywhere, since Chinese has no spaces (药 inside 医药).
    """
    folded, positions = _normalized_with_positions(text)
    spans = []
    # Longer parts first, so 人工智能 wins over a part 人.
    for term in sorted({t.text for t in terms}, key=len, reverse=True):
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            ascii_word = _is_ascii_alnum(term[0])
            clear_before = not (ascii_word and start > 0 and _is_ascii_alnum(folded[start - 1]))
            clear_after = not (
                ascii_word
                and end < len(folded)
                and _is_ascii_alnum(folded[end])
                and _is_ascii_alnum(term[-1])
            )
            if clear_before and clear_after:
                span = (positions[start], positions[end - 1] + 1)
                if all(span[1] <= s or span[0] >= e for s, e in spans):
                    spans.append(span)
            start = folded.find(term, start + 1)
    return sorted(spans)


def highlight(text, terms):
    """`text` escaped, with the query terms in <mark> elements."""
    return _render(text, find_matches(text, terms), 0, len(text))


def snippet(text, terms, length=SNIPPET_LENGTH):
    """
    About `length` characters of `text` around the first match (the start of
    the text when nothing matches), escaped, with the terms highlighted.
    """
    text = " ".join(text.split())
    spans = find_matches(text, terms)
    start = max(0, spans[0][0] - SNIPPET_LEAD) if spans else 0
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    # Never cut a highlighted match, nor a word: 人民日… becomes 人民日报 or goes.
    for span_start, span_end in spans:
        if span_start < end < span_end:
            end = span_end
    if start > 0:
        start = _word_boundary(text, start, spans)
    if end < len(text):
        end = _word_boundary(text, end, spans)
    return _render(text, spans, start, end)


def _word_boundary(text, position, spans):
    """The word boundary (jieba's words) at or just before `position`."""
    if any(s < position < e for s, e in spans):
        return position
    left = max(0, position - BOUNDARY_WINDOW)
    window = text[left : position + BOUNDARY_WINDOW]
    boundaries = {left + start for _, start, _ in segmenter().tokenize(window, "default", False)}
    # The window's own edges are not known boundaries unless they are the text's.
    boundaries = {b for b in boundaries if b > left or left == 0}
    before = [b for b in boundaries if b <= position]
    return max(before) if before else position


def _render(text, spans, start, end):
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[position:span_start]))
        parts.append(format_html("<mark>{}</mark>", text[span_start:span_end]))
        position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    # Each part is escaped text or <mark> around escaped text.
    return format_html_join("", "{}", ((part,) for part in parts))
