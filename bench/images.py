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
    args = parser.parse_args()

    import django
    from django.conf import settings

    with tempfile.TemporaryDirectory() as media:
        os.environ["MEDIA_ROOT"] = media
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(media) / 'bench.sqlite3'}"
        django.setup()
        settings.MEDIA_ROOT = media
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
        print(f"load average: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
