"""Bad and odd image files, all made here: one per case the library must answer clearly."""

import io
import struct
import zlib

from PIL import Image as PILImage

from tests.factories import jpeg_bytes


def truncated_jpeg():
    data = jpeg_bytes(1200, 900)
    return data[: len(data) // 2]


def bomb_png(width=10_000, height=6_000):
    """A tiny PNG that claims 60 megapixels (a decompression bomb): header and one IDAT."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script>
<rect width="100" height="100" fill="red"/></svg>"""


def polyglot_jpeg():
    """A valid JPEG that also carries an HTML page (in a comment segment)."""
    data = jpeg_bytes(400, 300)
    comment = b"<html><body><script>alert(document.cookie)</script></body></html>"
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:2] + segment + data[2:]


def cmyk_jpeg():
    return jpeg_bytes(640, 480, mode="CMYK")


def png16():
    picture = PILImage.new("I;16", (320, 240))
    for x in range(320):
        for y in range(0, 240, 8):
            picture.putpixel((x, y), x * 200)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif():
    frames = [PILImage.new("RGB", (64, 64), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def heic():
    """The start of an iPhone HEIC file: an ftyp box with the heic brand (enough to be known)."""
    ftyp = b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic"
    box = struct.pack(">I", len(ftyp) + 4) + ftyp
    return box + b"\x00\x00\x00\x08mdat" + b"\x00" * 2048


def exif_rotated_jpeg_with_gps():
    """A landscape picture stored sideways (EXIF orientation 6) with a GPS position in its EXIF."""
    picture = PILImage.new("RGB", (300, 200), (20, 120, 200))
    picture.paste((255, 255, 0), (0, 0, 60, 60))  # a yellow corner to check the turn
    exif = PILImage.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 23.0, 0.0)}
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def not_an_image():
    return "这不是图片,只是一段文字。\n".encode() * 50
