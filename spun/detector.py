"""
Finding spun copy: known spinner swaps (dictionary.csv), scored by how many
and how sure.

Two kinds of swap. A *swap* (野生智能, 权势巨子性, 经由过程) is not real Chinese:
each occurrence is evidence. A *word* (构造, 感化, 本领) is a real word that a
spinner also produces: it counts only where its context fits (发挥…感化,
国际构造), and even then it is only shown in an article the swaps already make
suspect, so a real 分子构造 or 感化教育 is never flagged. Nothing is replaced
here without an editor choosing the phrases (see restore()).
"""

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DICTIONARY = Path(__file__).with_name("dictionary.csv")
# An article is suspected when it holds at least SUSPECT_DISTINCT different
# swaps, or its score (a swap 1, a word in context 1/2 each occurrence)
# reaches SUSPECT_SCORE.
SUSPECT_DISTINCT = 2
SUSPECT_SCORE = 3
WORD_WEIGHT = 0.5
CONTEXT_CHARS = 8
# How far a context pattern may look around a form (see find()).
CONTEXT_WINDOW = 24


@dataclass(frozen=True)
class Swap:
    spun: str
    original: str
    kind: str  # "swap" or "word"
    pattern: re.Pattern
    contextual: bool = False  # found only in a fitting context

    @property
    def certain(self):
        return self.kind == "swap"


class DictionaryError(ValueError):
    pass


def read_dictionary(path=DICTIONARY):
    """The swaps of a dictionary file (see its header for the format)."""
    swaps = []
    with path.open(encoding="utf-8", newline="") as stream:
        lines = (line for line in stream if line.strip() and not line.startswith("#"))
        for number, row in enumerate(csv.DictReader(lines), start=2):
            spun, original = (row.get("spun") or "").strip(), (row.get("original") or "").strip()
            kind, context = (row.get("kind") or "swap").strip(), (row.get("context") or "").strip()
            if not spun or not original or kind not in ("swap", "word"):
                raise DictionaryError(f"{path.name}: entry {number} needs spun, original, kind")
            # Each ~ becomes a group hit0, hit1 … (one per alternative).
            pieces = (context or "~").split("~")
            source = pieces[0] + "".join(
                f"(?P<hit{n}>{re.escape(spun)}){piece}" for n, piece in enumerate(pieces[1:])
            )
            try:
                pattern = re.compile(source)
            except re.error as exc:
                raise DictionaryError(f"{path.name}: entry {number} ({spun}): {exc}") from exc
            if len(pieces) < 2:
                raise DictionaryError(f"{path.name}: entry {number} ({spun}): context lacks ~")
            swaps.append(Swap(spun, original, kind, pattern, contextual=bool(context)))
    return swaps


@cache
def dictionary():
    return tuple(read_dictionary())


@dataclass(frozen=True)
class Hit:
    swap: Swap
    start: int
    end: int


def find(text, swaps=None):
    """Non-overlapping hits in `text`, longest first where two overlap, in order."""
    if not text:
        return []
    candidates = []
    for swap in swaps if swaps is not None else dictionary():
        # Each occurrence of the form (a fast substring search), then its
        # context in a small window around it: a context pattern run over the
        # whole text costs far more.
        start = text.find(swap.spun)
        while start != -1:
            end = start + len(swap.spun)
            window = swap.pattern.finditer(
                text, max(0, start - CONTEXT_WINDOW), min(len(text), end + CONTEXT_WINDOW)
            )
            for match in window:
                name = next(n for n, v in match.groupdict().items() if n.startswith("hit") and v)
                if match.start(name) == start:
                    candidates.append(Hit(swap, start, end))
                    break
            start = text.find(swap.spun, start + 1)
    candidates.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    hits, last_end = [], 0
    for hit in candidates:
        if hit.start >= last_end:
            hits.append(hit)
            last_end = hit.end
    return hits


@dataclass
class Phrase:
    """One suspect phrase of an article, with its likely original."""

    spun: str
    original: str
    kind: str
    contextual: bool = False
    count: int = 0
    example: str = ""  # the first occurrence in context, for the editor

    @property
    def certain(self):
        return self.kind == "swap"

    @property
    def likely(self):
        """A swap, or a real word found in a context that fits the swap."""
        return self.certain or self.contextual

    def as_dict(self):
        return {
            "spun": self.spun,
            "original": self.original,
            "kind": self.kind,
            "contextual": self.contextual,
            "count": self.count,
            "example": self.example,
        }


@dataclass
class Report:
    suspected: bool = False
    score: float = 0.0
    phrases: list = field(default_factory=list)

    def summary(self):
        """野生智能→人工智能 ×32, 构造→组织 ×2 (in context), …"""
        parts = []
        for phrase in self.phrases:
            text = f"{phrase.spun}→{phrase.original} ×{phrase.count}"
            parts.append(text if phrase.likely else f"{text} (?)")
        return ", ".join(parts)

    def pairs(self, *, likely_only=False):
        return [(p.spun, p.original) for p in self.phrases if p.likely or not likely_only]


def detect(*texts):
    """Score the texts of one article (title, standfirst, body as text) as spun copy."""
    phrases, examples = {}, {}
    for text in texts:
        for hit in find(text):
            key = (hit.swap.spun, hit.swap.original)
            phrase = phrases.setdefault(
                key,
                Phrase(hit.swap.spun, hit.swap.original, hit.swap.kind, hit.swap.contextual),
            )
            phrase.count += 1
            if key not in examples:
                start = max(0, hit.start - CONTEXT_CHARS)
                examples[key] = text[start : hit.end + CONTEXT_CHARS].replace("\n", " ")
    for key, phrase in phrases.items():
        phrase.example = examples[key]
    swaps = [p for p in phrases.values() if p.certain]
    score = sum(p.count for p in swaps) + WORD_WEIGHT * sum(
        p.count for p in phrases.values() if not p.certain
    )
    suspected = len(swaps) >= SUSPECT_DISTINCT or (bool(swaps) and score >= SUSPECT_SCORE)
    if not suspected:
        return Report(score=score)
    ordered = sorted(phrases.values(), key=lambda p: (not p.certain, -p.count, p.spun))
    return Report(suspected=True, score=score, phrases=ordered)


def restore(text, pairs):
    """
    `text` with the hits of the chosen (spun, original) pairs replaced by the
    originals, found exactly as detect() finds them (in context): a 构造 that
    is not a spun 组织 stays. Returns (text, Counter of pairs replaced).
    """
    chosen = set(pairs)
    swaps = [swap for swap in dictionary() if (swap.spun, swap.original) in chosen]
    done = Counter()
    if not text or not swaps:
        return text, done
    parts, position = [], 0
    for hit in find(text, swaps):
        parts.append(text[position : hit.start])
        parts.append(hit.swap.original)
        position = hit.end
        done[(hit.swap.spun, hit.swap.original)] += 1
    parts.append(text[position:])
    return "".join(parts), done
