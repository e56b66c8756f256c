"""
The evaluation set for near-duplicate detection (wire/duplicates.py):
twelve distinct stories on three topics (tests/data/near_duplicates), each
in six versions as they arrive from different sources:

- original: as written;
- edited: words swapped for synonyms, punctuation changed, a sentence
  dropped, a byline added;
- retitled: another headline, the lead folded into the body;
- trimmed: the last paragraph cut;
- glossed: scraped with pinyin glosses after one Han character in five, a
  row of placeholder marks and a 本文转自 line;
- combined: retitled, edited and trimmed at once.

Versions of one story are near-duplicates of each other (15 pairs a story);
any two versions of different stories are not, including the stories on the
same topic, which share their vocabulary. `evaluate` computes precision and
recall over all pairs, through the detector's own candidate search (bands)
and decision.
"""

import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin

STORIES = Path(__file__).parent / "data" / "near_duplicates" / "stories.jsonl"
SYNONYMS = {
    "表示": "称",
    "介绍": "说",
    "企业": "公司",
    "持续": "不断",
    "提高": "提升",
    "目前": "当前",
    "有关部门": "相关部门",
    "进一步": "更加",
    "明显": "显著",
    "部分": "一些",
    "已经": "已",
    "认为": "表示",
    "记者": "本报记者",
    "今年": "本年度",
    "多地": "各地",
}
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Doc:
    story: str
    version: str
    title: str
    standfirst: str
    body: str


def load_stories():
    with STORIES.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def html(paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def edited(paragraphs, rng):
    out = []
    for paragraph in paragraphs:
        for word, other in SYNONYMS.items():
            if word in paragraph and rng.random() < 0.7:
                paragraph = paragraph.replace(word, other, 1)
        paragraph = (
            paragraph.replace("，", ",").replace("。", ". ") if rng.random() < 0.3 else paragraph
        )
        out.append(paragraph)
    # Drop one sentence of a middle paragraph.
    middle = out[len(out) // 2]
    sentences = [s for s in re.split(r"(?<=[。.])", middle) if s.strip()]
    if len(sentences) > 1:
        del sentences[rng.randrange(len(sentences))]
        out[len(out) // 2] = "".join(sentences)
    out.append("（本报记者 李明 王芳）")
    return out


def glossed(paragraphs, rng):
    def gloss(text):
        chars = []
        for char in text:
            chars.append(char)
            if HAN.match(char) and rng.random() < 0.2:
                chars.append(f"({lazy_pinyin(char, style=Style.NORMAL)[0]})")
        return "".join(chars)

    return ["本文转自【人民网】;", *(gloss(p) for p in paragraphs), "? ? ? ? ? ? ? ? ?"]


def versions(story, rng):
    title, paragraphs = story["title"], story["paragraphs"]
    lead, rest = paragraphs[0], paragraphs[1:]
    sid = story["id"]
    edited_all = edited(paragraphs, rng)
    yield Doc(sid, "original", title, lead, html(rest))
    yield Doc(sid, "edited", title, edited_all[0], html(edited_all[1:]))
    yield Doc(sid, "retitled", f"【快讯】{title[4:]}，业内关注", "", html(paragraphs))
    yield Doc(sid, "trimmed", title, lead, html(rest[:-1]))
    gloss_all = glossed(paragraphs, rng)
    yield Doc(sid, "glossed", title, "", html(gloss_all))
    yield Doc(sid, "combined", f"{title[:6]}（综合）", "", html(edited(paragraphs, rng)[:-2]))


def build_set(seed=13):
    rng = random.Random(seed)
    return [doc for story in load_stories() for doc in versions(story, rng)]


def evaluate(docs=None):
    """Precision and recall of the detector over all pairs: {"precision", "recall", "tp", "fp", "fn", "pairs"}."""
    from wire.duplicates import Signature

    docs = docs or build_set()
    signatures = [Signature.of_article(d.title, d.standfirst, d.body) for d in docs]
    bands = [set(s.bands()) for s in signatures]
    tp = fp = fn = 0
    misses, false_alarms = [], []
    for i, j in itertools.combinations(range(len(docs)), 2):
        same = docs[i].story == docs[j].story
        # What the database search does: candidates share a band, then the decision.
        found = bool(bands[i] & bands[j]) and signatures[i].similar(signatures[j])
        if found and same:
            tp += 1
        elif found:
            fp += 1
            false_alarms.append((docs[i], docs[j]))
        elif same:
            fn += 1
            misses.append((docs[i], docs[j]))
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "pairs": len(docs) * (len(docs) - 1) // 2,
        "misses": misses,
        "false_alarms": false_alarms,
    }
