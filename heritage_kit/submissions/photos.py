"""Photo sanitising (pure: bytes in, bytes out).

Every contributed photo is:

* recognised by its content (JPEG, PNG or WebP magic bytes, then decoded by
  Pillow with only that format allowed), never by its name or declared type;
* refused above ``MAX_PHOTO_BYTES`` (15 MB) or ``MAX_PHOTO_PIXELS``
  (40 megapixels) — the pixel count is read from the header *before* decoding,
  so a decompression bomb costs nothing; Pillow's own bomb guard is an error too;
* turned upright (EXIF orientation applied), converted to sRGB when it carries
  an ICC profile, flattened onto white when transparent;
* re-encoded as a baseline JPEG with the long side at most ``MAX_SIDE`` (2048 px)
  and **no metadata at all**: no EXIF (GPS above all), no XMP, no ICC, no comments.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from heritage_kit.errors import PhotoError
from heritage_kit.submissions.messages import message

__all__ = ["CleanPhoto", "sanitise_photo", "sniff_format", "MAX_PHOTO_BYTES", "MAX_PHOTO_PIXELS", "MAX_SIDE"]

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_SIDE = 2048
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    """A sanitised photo: JPEG bytes without metadata, and their facts."""

    data: bytes
    width: int
    height: int
    sha256: str
    source_format: str  # "JPEG" | "PNG" | "WEBP"

    @property
    def size(self) -> int:
        return len(self.data)


def sniff_format(data: bytes) -> str | None:
    """"JPEG", "PNG" or "WEBP" from the magic bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _fail(field: str, code: str, detail: str, **params) -> PhotoError:
    m = message(code, **params)
    return PhotoError(f"{field}: {m.en} ({detail})", {field: m.en}, messages={field: m})


def _to_srgb(im: Image.Image) -> Image.Image:
    icc = im.info.get("icc_profile")
    if not icc:
        return im
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        dst = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(im, src, dst, outputMode="RGB")
    except Exception:  # noqa: BLE001 - a broken profile is dropped, the pixels are kept
        return im


_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(im: Image.Image) -> Image.Image:
    """``im`` turned upright by its EXIF orientation.

    Pillow's ``exif_transpose`` re-serialises every EXIF tag, so a mistyped tag elsewhere (a RATIONAL
    GPSDifferential) makes it fail; then only the orientation tag is read, and when even that is unreadable the
    pixels stay as stored. The metadata is dropped afterwards in every case.
    """
    try:
        return ImageOps.exif_transpose(im)
    except Exception:  # noqa: BLE001 - any metadata parser failure: fall back to the orientation tag alone
        pass
    try:
        method = _ORIENTATION.get(int(im.getexif().get(0x0112, 1)))
    except Exception:  # noqa: BLE001 - unreadable orientation: keep the pixels as stored
        method = None
    return im.transpose(method) if method is not None else im.copy()


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        im = im.point(lambda v: v / 256).convert("L") if im.mode != "F" else im.convert("L")
    return im.convert("RGB") if im.mode != "RGB" else im


def sanitise_photo(
    data: bytes,
    *,
    field: str = "photos",
    max_bytes: int = MAX_PHOTO_BYTES,
    max_pixels: int = MAX_PHOTO_PIXELS,
    max_side: int = MAX_SIDE,
    quality: int = JPEG_QUALITY,
) -> CleanPhoto:
    """A :class:`CleanPhoto` from untrusted image bytes, or :class:`PhotoError` (naming ``field``)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _fail(field, "photo_unreadable", "not bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise _fail(field, "photo_too_large", f"{len(data)} bytes", max_mb=max_bytes // (1024 * 1024))
    fmt = sniff_format(data)
    if fmt is None:
        raise _fail(field, "photo_format", "unrecognised content")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                w, h = im.size
                if w < 1 or h < 1:
                    raise _fail(field, "photo_unreadable", "empty image")
                if w * h > max_pixels:
                    raise _fail(field, "photo_too_many_pixels", f"{w}x{h}", max_mp=max_pixels // 1_000_000)
                if fmt == "JPEG":
                    im.draft("RGB", (max_side, max_side))  # DCT scaling: decode no more than needed
                im.load()
                upright = _upright(im)
                upright.info.setdefault("icc_profile", im.info.get("icc_profile"))
                rgb = _flatten(_to_srgb(upright))
                rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                # Pixels only: a fresh image has an empty ``info`` (Pillow writes a source's JPEG COM / PNG text
                # "comment" back on save if it travels in ``info``), so no comment, exif, xmp or profile survives.
                rgb = Image.frombytes("RGB", rgb.size, rgb.convert("RGB").tobytes())
                out = io.BytesIO()
                rgb.save(out, "JPEG", quality=quality, optimize=True)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _fail(field, "photo_too_many_pixels", str(exc), max_mp=max_pixels // 1_000_000) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError,
            KeyError, ZeroDivisionError, MemoryError, struct.error) as exc:
        raise _fail(field, "photo_unreadable", f"{type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any other failure of a decoder or metadata parser is the file's fault
        raise _fail(field, "photo_unreadable", f"{type(exc).__name__}: {exc}") from None
    clean = out.getvalue()
    return CleanPhoto(clean, rgb.width, rgb.height, hashlib.sha256(clean).hexdigest(), fmt)
