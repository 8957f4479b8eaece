"""Photo sanitising: content sniffing, caps, bombs refused, orientation, no EXIF at all."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from contrib_support import make_jpeg
from heritage_kit.errors import PhotoError, SubmissionError
from heritage_kit.submissions.photos import MAX_PHOTO_BYTES, sanitise_photo


def _open(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_exif_gps_is_removed_and_checked_with_pillow():
    original = make_jpeg(gps=True)
    before = Image.open(io.BytesIO(original)).getexif()
    assert before.get_ifd(0x8825)[2] == (45.0, 11.0, 1.0)  # the fixture really carries GPS
    clean = sanitise_photo(original)
    im = _open(clean.data)
    assert im.format == "JPEG"
    exif = im.getexif()
    assert len(exif) == 0 and not exif.get_ifd(0x8825)
    assert "exif" not in im.info and "icc_profile" not in im.info and "xmp" not in im.info
    assert b"Exif" not in clean.data and b"TestCam" not in clean.data
    assert clean.sha256 and clean.size == len(clean.data)


def test_orientation_is_applied():
    data = make_jpeg(640, 480, orientation=6, gps=False)  # 6 = rotate 90° clockwise to display
    clean = sanitise_photo(data)
    im = _open(clean.data)
    assert im.size == (480, 640)
    r, g, b = im.convert("RGB").getpixel((470, 10))  # the red top-left marker is now top-right
    assert r > 200 and g < 60 and b < 60
    assert len(im.getexif()) == 0


def test_long_side_is_capped_at_2048():
    clean = sanitise_photo(make_jpeg(3000, 1000, gps=False))
    assert (clean.width, clean.height) == (2048, 683)
    assert _open(clean.data).size == (2048, 683)
    small = sanitise_photo(make_jpeg(300, 200, gps=False))
    assert (small.width, small.height) == (300, 200)


def test_png_with_alpha_and_webp_are_recognised_and_become_jpeg():
    rgba = Image.new("RGBA", (100, 80), (0, 0, 255, 0))
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    clean = sanitise_photo(buf.getvalue())
    assert clean.source_format == "PNG"
    im = _open(clean.data)
    assert im.format == "JPEG" and im.mode == "RGB"
    assert im.getpixel((50, 40))[0] > 240  # transparent areas become white, not black
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (10, 200, 10)).save(buf, "WEBP")
    assert sanitise_photo(buf.getvalue()).source_format == "WEBP"


def test_format_is_recognised_by_content_not_name():
    with pytest.raises(PhotoError) as info:
        sanitise_photo(b"<html><body>not an image</body></html>", field="photos.2")
    assert info.value.messages["photos.2"].code == "photo_format"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(PhotoError):
        sanitise_photo(gif.getvalue())  # GIF is not accepted
    # PNG magic followed by garbage: recognised, then refused as unreadable
    with pytest.raises(PhotoError) as info:
        sanitise_photo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert info.value.messages["photos"].code == "photo_unreadable"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bombs_are_refused_before_decoding():
    bomb = _png_header_only(50_000, 50_000)  # 2.5 gigapixels declared in a few hundred bytes
    assert len(bomb) < 2000
    with pytest.raises(PhotoError) as info:
        sanitise_photo(bomb)
    assert info.value.messages["photos"].code == "photo_too_many_pixels"
    # a real, fully valid 1-bit PNG of 48 MP that compresses to a few KB
    buf = io.BytesIO()
    Image.new("1", (8000, 6000), 0).save(buf, "PNG")
    assert len(buf.getvalue()) < 200_000
    with pytest.raises(PhotoError) as info:
        sanitise_photo(buf.getvalue())
    assert "40" in info.value.messages["photos"].en and "40" in info.value.messages["photos"].fr


def test_oversized_files_and_truncated_images_are_refused():
    with pytest.raises(PhotoError) as info:
        sanitise_photo(b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO_BYTES)
    assert info.value.messages["photos"].code == "photo_too_large"
    data = make_jpeg(800, 600)
    with pytest.raises(SubmissionError) as info:
        sanitise_photo(data[: len(data) // 3])
    assert info.value.messages["photos"].code == "photo_unreadable"


def test_cmyk_and_greyscale_jpegs_are_converted():
    for mode in ("CMYK", "L"):
        buf = io.BytesIO()
        Image.new(mode, (64, 48)).save(buf, "JPEG")
        assert _open(sanitise_photo(buf.getvalue()).data).mode == "RGB"
