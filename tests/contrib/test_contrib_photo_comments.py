"""Regression (red team, issue 15 item 1): text a source photo carries — a JPEG COM segment, PNG tEXt/iTXt/zTXt
chunks — must not survive sanitising; only pixels leave ``sanitise_photo``."""
import io

import pytest
from PIL import Image, PngImagePlugin

from heritage_kit.submissions.photos import sanitise_photo

SECRET = "GPS 48.8566N 2.3522E home of the contributor"


def _jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(out, "JPEG", comment=SECRET.encode())
    return out.getvalue()


def _png_with_text(kind: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    if kind == "tEXt":
        info.add_text("comment", SECRET)
    elif kind == "zTXt":
        info.add_text("comment", SECRET, zip=True)
    else:
        info.add_itxt("comment", SECRET, lang="en", tkey="comment")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.parametrize("source", ["jpeg-com", "png-tEXt", "png-zTXt", "png-iTXt"])
def test_no_source_text_survives(source):
    data = _jpeg_with_comment() if source == "jpeg-com" else _png_with_text(source.split("-")[1])
    assert SECRET.encode() in data or source == "png-zTXt"  # the fixture really carries the text
    clean = sanitise_photo(data)
    assert SECRET.encode() not in clean.data
    assert b"\xff\xfe" not in clean.data.split(b"\xff\xda", 1)[0]  # no COM segment before the scan
    with Image.open(io.BytesIO(clean.data)) as im:
        assert "comment" not in im.info and "exif" not in im.info and "xmp" not in im.info
        assert im.size == (64, 48)
