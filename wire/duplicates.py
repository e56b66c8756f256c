"""
Near-duplicates: the same story received from several sources.

Each article's text (standfirst and body, plus the title when the text is
short) is normalized (NFKC, lower case, pinyin glosses and scraping debris
removed, only letters and digits kept) and cut into overlapping character
shingles; a MinHash signature of the shingle set (datasketch, NUM_PERM
permutations) estimates how much two texts share. Two texts are
near-duplicates when the estimated share of the *shorter* one found in the
other (containment: a trimmed reprint is contained in the full story) is at
least CONTAINMENT and their Jaccard similarity at least MIN_JACCARD (a
one-line brief quoting a long story is not a copy of it).

Candidates are found without comparing against every article: the signature
is cut into BANDS bands of ROWS values (locality-sensitive hashing), each
band hashed to one indexed integer (FingerprintBand); articles sharing any
band are candidates, and only they are compared. With ROWS=2, a pair with
Jaccard 0.3 shares a band with probability 1-(1-0.3²)^BANDS > 0.99.

Near-duplicates form a story cluster (StoryCluster); the desk shows an
article's cluster as "also received from …". The importer can skip an
incoming near-duplicate instead (WIRE_DUPLICATES / the feed's setting),
recording where it came from on the cluster (ClusterReceipt).

Measured on tests/data/near_duplicates (bench/near_duplicates.py): see
README, "Near-duplicates".
"""

import functools
import hashlib
import re
import struct
import unicodedata
import zlib

import numpy as np
from datasketch import LeanMinHash, MinHash
from django.db import transaction
from django.utils.html import strip_tags

from articles.reprint import GLOSS

NUM_PERM = 64
ROWS = 2
BANDS = NUM_PERM // ROWS
SHINGLE = 3
CONTAINMENT = 0.5
MIN_JACCARD = 0.2
SEED = 20241205
# datasketch's permutation scheme (its default since 2.0): stored signatures depend on it.
SCHEME = "affine32"
# Below this many characters of text the title joins it (feed items with a summary only).
SHORT_TEXT = 80
WORD = re.compile(r"[^\w]+", re.UNICODE)
UNDERSCORE = re.compile(r"_+")
ROW_OF_MARKS = re.compile(r"[?？\ufffd□■]{2,}")


def normalize(text):
    """Letters and digits only, lower case, NFKC, without pinyin glosses or placeholder runs."""
    text = unicodedata.normalize("NFKC", text or "")
    text = GLOSS.sub(r"\1", text)
    text = ROW_OF_MARKS.sub("", text)
    text = WORD.sub("", text.lower())
    return UNDERSCORE.sub("", text)


def article_text(title, standfirst, body):
    text = normalize(f"{standfirst} {strip_tags(body or '')}")
    if len(text) < SHORT_TEXT:
        text = normalize(title) + text
    return text


def shingles(text):
    if len(text) <= SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def _hash32(data):
    # CRC-32: in C, stable across processes and platforms; MinHash's random
    # affine permutations do the mixing.
    return zlib.crc32(data)


@functools.cache
def _permutations():
    # Made once: MinHash() draws them anew each time, which costs more than hashing a text.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


class Signature:
    """A text's MinHash and its shingle count."""

    def __init__(self, hashvalues, size):
        self.hashvalues = np.asarray(hashvalues, dtype=np.uint64)
        self.size = size

    @classmethod
    def of_text(cls, text):
        grams = shingles(text)
        minhash = MinHash(
            num_perm=NUM_PERM, hashfunc=_hash32, permutations=_permutations(), scheme=SCHEME
        )
        if grams:
            minhash.update_batch([g.encode("utf-8") for g in grams])
        return cls(LeanMinHash(minhash).hashvalues, len(grams))

    @classmethod
    def of_article(cls, title, standfirst, body):
        return cls.of_text(article_text(title, standfirst, body))

    @classmethod
    def from_bytes(cls, data, size):
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint64), size)

    def to_bytes(self):
        return self.hashvalues.astype("<u4").tobytes()

    def bands(self):
        """One signed 64-bit key per band (band number mixed in), for the index."""
        values = self.hashvalues.astype("<u4")
        keys = []
        for band in range(BANDS):
            chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
            digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
            keys.append(struct.unpack("<q", digest)[0])
        return keys

    def jaccard(self, other):
        if not self.size or not other.size:
            return 0.0
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def containment(self, other, jaccard=None):
        """Estimated share of the smaller shingle set found in the other."""
        j = self.jaccard(other) if jaccard is None else jaccard
        smaller = min(self.size, other.size)
        if not smaller:
            return 0.0
        common = j * (self.size + other.size) / (1 + j)
        return min(1.0, common / smaller)

    def similar(self, other):
        j = self.jaccard(other)
        return j >= MIN_JACCARD and self.containment(other, j) >= CONTAINMENT

    def score(self, other):
        j = self.jaccard(other)
        return self.containment(other, j) if j >= MIN_JACCARD else 0.0


# Storage and clusters --------------------------------------------------------------


def candidates(signature, *, exclude=None):
    """Fingerprints sharing a band with `signature` that are near-duplicates of it, best first."""
    from .models import Fingerprint, FingerprintBand

    ids = FingerprintBand.objects.filter(key__in=signature.bands()).values("fingerprint_id")
    found = []
    rows = Fingerprint.objects.filter(pk__in=ids).exclude(article_id=exclude)
    for fingerprint in rows.select_related("article"):
        other = Signature.from_bytes(bytes(fingerprint.minhash), fingerprint.size)
        score = signature.score(other)
        if score >= CONTAINMENT:
            found.append((score, fingerprint))
    found.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [fingerprint for _, fingerprint in found]


def fingerprint_articles(ids):
    """
    (Re)compute the fingerprints of the articles `ids` whose text changed, and
    put each in the story cluster of its closest near-duplicate. Working
    copies and trashed articles are left out. Returns the fingerprints written.
    """
    from articles.models import Article

    from .models import Fingerprint

    written = []
    articles = (
        Article.objects.filter(pk__in=ids, working_copy_of__isnull=True)
        .only("pk", "title", "standfirst", "body", "deleted_at")
        .order_by("pk")
    )
    existing = {f.article_id: f for f in Fingerprint.objects.filter(article_id__in=ids)}
    for article in articles:
        text = article_text(article.title, article.standfirst, article.body)
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        current = existing.get(article.pk)
        if current is not None and current.text_hash == digest:
            continue
        with transaction.atomic():
            written.append(_store(article, Signature.of_text(text), digest, current))
    return written


def _store(article, signature, digest, current):
    from .models import Fingerprint, FingerprintBand, StoryCluster

    if current is None:
        current = Fingerprint(article=article)
    current.minhash = signature.to_bytes()
    current.size = signature.size
    current.text_hash = digest
    matches = [f for f in candidates(signature, exclude=article.pk) if f.pk != current.pk]
    cluster = next((f.cluster for f in matches if f.cluster_id), None)
    if matches and cluster is None:
        cluster = StoryCluster.objects.create()
    current.cluster = cluster
    current.save()
    FingerprintBand.objects.filter(fingerprint=current).delete()
    FingerprintBand.objects.bulk_create(
        [FingerprintBand(fingerprint=current, key=key) for key in signature.bands()]
    )
    if cluster is not None:
        # The matches join too; a match in another cluster brings that cluster along.
        others = {f.cluster_id for f in matches if f.cluster_id and f.cluster_id != cluster.pk}
        Fingerprint.objects.filter(pk__in=[f.pk for f in matches if not f.cluster_id]).update(
            cluster=cluster
        )
        if others:
            Fingerprint.objects.filter(cluster_id__in=others).update(cluster=cluster)
            from .models import ClusterReceipt

            ClusterReceipt.objects.filter(cluster_id__in=others).update(cluster=cluster)
            StoryCluster.objects.filter(pk__in=others).delete()
    return current


class ImportScreen:
    """
    The importer's screen for near-duplicates (Importer(screen=...)): with
    policy "skip", an incoming item whose text is a near-duplicate of an
    article here (not in the trash), or of an item accepted earlier in the
    same run, is refused, and the receipt is kept on the story cluster so
    the desk still shows that it was also received from this source.
    With "link" nothing is refused: the article is written and joins the
    cluster when its fingerprint is computed (after commit).
    """

    def __init__(self, policy, *, feed=None):
        self.policy = policy
        self.feed = feed
        self.accepted = []  # signatures accepted in this run

    def refuse(self, item, row):
        if self.policy != "skip":
            return None
        signature = Signature.of_article(row["title"], row["standfirst"], row["body"])
        match = next(
            (f for f in candidates(signature) if f.article.deleted_at is None),
            None,
        )
        if match is None:
            if any(signature.similar(other) for other in self.accepted):
                from django.utils.translation import gettext

                return gettext("near-duplicate of another item in this import: skipped")
            self.accepted.append(signature)
            return None
        self._keep_receipt(match, item, row)
        from django.utils.translation import gettext

        return gettext("near-duplicate of “%(title)s” (#%(id)s): skipped") % {
            "title": match.article.title,
            "id": match.article_id,
        }

    def _keep_receipt(self, match, item, row):
        from .models import ClusterReceipt, StoryCluster

        if match.cluster_id is None:
            match.cluster = StoryCluster.objects.create()
            match.save(update_fields=["cluster"])
        ClusterReceipt.objects.create(
            cluster=match.cluster,
            source_id=row["source_id"],
            feed=self.feed,
            title=row["title"][:200],
            url=(row["source_url"] or "")[:500],
        )
