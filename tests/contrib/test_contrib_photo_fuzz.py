"""Hypothesis fuzz of ``sanitise_photo`` over mutated real files (issue 15 item 2).

Seeds: the repository's test photo (``tests/data/mobile/photo.jpg``), a JPEG with EXIF GPS and orientation, the
red team's mistyped-GPS JPEG, a PNG with alpha and text chunks, a palette PNG, a 16-bit greyscale PNG, a WebP and a
CMYK JPEG, all made with Pillow. Bytes are flipped, overwritten, inserted, deleted, truncated and spliced: whatever
comes out, ``sanitise_photo`` returns a clean JPEG or raises a ``HeritageKitError`` (a ``PhotoError``), nothing else.
"""

from __future__ import annotations

import io
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from contrib_support import make_jpeg
from test_contrib_photo_metadata import mistyped_gps_jpeg
from heritage_kit.errors import HeritageKitError
from heritage_kit.submissions.photos import sanitise_photo

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def _seeds() -> list[bytes]:
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "GPS 45.18N 0.72E")
    rgba = Image.new("RGBA", (48, 32), (10, 200, 30, 128))
    return [
        (ROOT / "tests" / "data" / "mobile" / "photo.jpg").read_bytes(),
        make_jpeg(64, 48, orientation=6),
        mistyped_gps_jpeg(),
        _save(rgba, "PNG", pnginfo=info),
        _save(Image.new("P", (40, 40), 3), "PNG", transparency=3),
        _save(Image.new("I;16", (32, 24), 4000), "PNG"),
        _save(Image.new("RGB", (50, 30), (200, 10, 10)), "WEBP", quality=60),
        _save(Image.new("CMYK", (30, 30), (0, 50, 100, 0)), "JPEG"),
    ]


SEEDS = _seeds()


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate", "splice"]))
        i = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[i] = draw(st.sampled_from([0, 1, 0x7F, 0x80, 0xFF, 0xD8, 0xDA, 0xE1]))
        elif op == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[max(3, i):]
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS))
            j = draw(st.integers(0, len(other) - 1))
            data[i:i + 32] = other[j:j + 32]
    return bytes(data)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_no_exception_outside_the_hierarchy_escapes(data):
    try:
        clean = sanitise_photo(data)
    except HeritageKitError:
        return
    with Image.open(io.BytesIO(clean.data)) as im:  # a success is a clean JPEG without metadata
        assert im.format == "JPEG" and not im.getexif() and "comment" not in im.info
