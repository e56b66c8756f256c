"""
How long an upload of a 4000×3000 JPEG takes: checking, decoding, turning
upright, the 25 renditions (WebP and JPEG, five crops), the master copy and
writing them all to the storage (a temporary MEDIA_ROOT), through the same
function the desk calls (images.services.add_image).

    .venv/bin/python bench/images.py [--runs 5] [--photo PATH]

Without --photo it draws a photo-like picture (shapes, gradients, grain);
each run uses a slightly different picture so the content hash never
short-cuts the work.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--photo", help="a JPEG to use instead of a drawn one")
    parser.add_argument(
        "--pages",
        type=int,
        default=300,
        help="renders of the home and article pages, without then with images (0: skip)",
    )
    args = parser.parse_args()

    import django
    from django.conf import settings

    with tempfile.TemporaryDirectory() as media:
        os.environ["MEDIA_ROOT"] = media
        django.setup()
        settings.MEDIA_ROOT = media
        settings.PAGE_CACHE = False
        settings.COUNT_CACHE = False
        settings.DATABASES["default"] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(media) / "bench.sqlite3"),
        }
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from PIL import Image as PILImage

        from images import processing
        from images.demo import photo_like
        from images.services import add_image

        base = Path(args.photo).read_bytes() if args.photo else photo_like(4000, 3000, seed=1)
        picture = PILImage.open(io.BytesIO(base))
        print(f"source: {picture.size[0]}×{picture.size[1]} JPEG, {len(base):,} bytes")
        timings, decode_times = [], []
        for run in range(args.runs):
            data = base + bytes([run])  # a new hash each run; JPEG decoders ignore trailing bytes
            start = time.perf_counter()
            processing.decode_upload(data)
            decode_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            image = add_image(data, filename=f"bench{run}.jpg").image
            timings.append(time.perf_counter() - start)
        files = len(processing.names_in(image.renditions)) + 1
        size = sum(p.stat().st_size for p in Path(media, "images").rglob("*") if p.is_file())
        print(f"files per upload: {files} ({size // args.runs:,} bytes stored per upload)")
        print(f"check + decode only: median {statistics.median(decode_times):.2f} s")
        print(
            f"whole upload (check, decode, {files - 1} renditions, master, storage writes): "
            f"median {statistics.median(timings):.2f} s, min {min(timings):.2f} s, "
            f"max {max(timings):.2f} s over {args.runs} runs"
        )
        if args.pages:
            pages(args.pages)
        print(f"load average: {os.getloadavg()[0]:.1f} (2 cores)")


def pages(renders):
    """
    Render time and queries of the home page and an article page (Django
    test client, page cache off), 40 articles without images, then the same
    articles with lead images and two body figures each.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from articles.models import Article, Topic
    from images.demo import panel
    from images.services import add_image

    topic = Topic.objects.create(name="基准")
    articles = [
        Article.objects.create(
            title=f"基准文章{i}",
            standfirst="导语" * 20,
            body="<p>正文段落。</p>" * 8,
            topic=topic,
            status="published",
            published_at=timezone.now(),
            featured=i < 4,
        )
        for i in range(40)
    ]
    client = Client()

    def measure(label):
        results = {}
        for name, url in (("home", "/"), ("article", articles[0].get_absolute_url())):
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            start = time.perf_counter()
            for _ in range(renders):
                client.get(url)
            results[name] = (
                (time.perf_counter() - start) / renders * 1000,
                len(ctx.captured_queries),
            )
        print(
            f"{label}: home {results['home'][0]:.2f} ms ({results['home'][1]} queries), "
            f"article {results['article'][0]:.2f} ms ({results['article'][1]} queries)"
        )
        return results

    before = measure("without images")
    images = [
        add_image(panel(f"图{i}", seed=i, size=(1200, 800)), filename=f"p{i}.jpg").image
        for i in range(6)
    ]
    for i, article in enumerate(articles):
        article.lead_image = images[i % 6]
        article.body += "".join(
            f'<figure data-image-id="{images[(i + k) % 6].pk}"></figure>' for k in (1, 2)
        )
        article.save()
    after = measure("with images")
    for name in ("home", "article"):
        print(f"{name}: {after[name][0] / before[name][0] * 100 - 100:+.0f} % time with images")


if __name__ == "__main__":
    main()
