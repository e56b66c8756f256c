"""
Pictures for the demo site, drawn here with Pillow (never downloaded):
coloured panels with a topic's name, a few shapes and a little grain, so
they compress like simple photographs rather than flat colour.
"""

import io
import random
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter, ImageFont

CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
PALETTE = [
    (179, 38, 30),
    (21, 101, 192),
    (46, 125, 50),
    (239, 108, 0),
    (106, 27, 154),
    (0, 121, 107),
]


def font(size):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def panel(text, subtitle="", *, seed=0, size=(1600, 1000)):
    """JPEG bytes: a panel in one of the palette's colours with `text` written large."""
    rng = random.Random(seed)
    width, height = size
    base = PALETTE[seed % len(PALETTE)]
    picture = PILImage.new("RGB", size, base)
    draw = ImageDraw.Draw(picture)
    for _ in range(14):
        shade = tuple(min(255, max(0, c + rng.randint(-70, 70))) for c in base)
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(height // 10, height // 2)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=shade)
    picture = picture.filter(ImageFilter.GaussianBlur(6))
    draw = ImageDraw.Draw(picture)
    big, has_cjk = font(height // 6)
    small, _ = font(height // 16)
    if not has_cjk:  # no CJK font installed: the panel says so in Latin letters
        text, subtitle = "Newsroom", subtitle.encode("ascii", "ignore").decode() or "demo"
    draw.text((width // 2, height // 2), text, font=big, fill="white", anchor="mm")
    if subtitle:
        draw.text(
            (width // 2, height // 2 + height // 6), subtitle, font=small, fill="white", anchor="mm"
        )
    grain = PILImage.effect_noise(size, 12).convert("RGB")
    picture = PILImage.blend(picture, grain, 0.06)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def photo_like(width, height, seed=0):
    """JPEG bytes with the detail of a photograph (shapes, gradients, grain): for tests and benchmarks."""
    rng = random.Random(seed)
    picture = PILImage.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = PILImage.new("RGB", (width, height), tuple(rng.randrange(60, 200) for _ in range(3)))
    picture = PILImage.blend(picture, tint, 0.6)
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 20, width // 4), rng.randrange(height // 20, height // 4)
        color = tuple(rng.randrange(256) for _ in range(3))
        (draw.rectangle if rng.random() < 0.6 else draw.ellipse)([x, y, x + w, y + h], fill=color)
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    grain = PILImage.effect_noise((width, height), 18).convert("RGB")
    picture = PILImage.blend(picture, grain, 0.12)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
