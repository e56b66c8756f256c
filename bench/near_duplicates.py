"""
Near-duplicate detection (wire/duplicates.py) on the evaluation set of
tests/near_duplicate_set.py: precision, recall, the margin between the
lowest same-story and the highest different-story score, and the time to
sign one article.

    .venv/bin/python bench/near_duplicates.py
"""

import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from tests.near_duplicate_set import build_set, evaluate  # noqa: E402
from wire.duplicates import Signature  # noqa: E402


def main():
    docs = build_set()
    result = evaluate(docs)
    signatures = [Signature.of_article(d.title, d.standfirst, d.body) for d in docs]
    same, other = [], []
    for i, j in itertools.combinations(range(len(docs)), 2):
        score = signatures[i].containment(signatures[j])
        (same if docs[i].story == docs[j].story else other).append(score)
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for d in docs:
            Signature.of_article(d.title, d.standfirst, d.body)
    per_doc = (time.perf_counter() - started) / rounds / len(docs) * 1000
    print(f"documents {len(docs)}, pairs {result['pairs']} ({len(same)} same story)")
    print(
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  (tp {result['tp']}, fp {result['fp']}, fn {result['fn']})"
    )
    print(
        f"lowest same-story containment {min(same):.2f}, highest different-story {max(other):.2f}"
    )
    print(f"signature: {per_doc:.2f} ms per article")


if __name__ == "__main__":
    main()
