"""Decode pack photos off the UI thread (Pillow), make the texture on the UI thread."""

from __future__ import annotations

import io
import threading
from typing import Callable

from kivy.clock import Clock
from kivy.graphics.texture import Texture

MAX_SIDE = 1024


def _decode(data: bytes, max_side: int = MAX_SIDE) -> tuple[tuple[int, int], bytes] | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as im:
            im = ImageOps.exif_transpose(im).convert("RGBA")
            im.thumbnail((max_side, max_side))
            return im.size, im.tobytes()
    except Exception:  # noqa: BLE001 - a broken photo is skipped, never a crash
        return None


def decode_async(data: bytes, done: Callable[[Texture], None], max_side: int = MAX_SIDE) -> None:
    def work():
        result = _decode(data, max_side)
        if result is None:
            return
        size, raw = result

        def make(_dt):
            tex = Texture.create(size=size, colorfmt="rgba")
            tex.blit_buffer(raw, colorfmt="rgba", bufferfmt="ubyte")
            tex.flip_vertical()
            done(tex)

        Clock.schedule_once(make)

    threading.Thread(target=work, name="photo-decode", daemon=True).start()


THUMB_SIDE = 192
_thumbs: dict[str, Texture] = {}  # media path -> small texture (lists recycle rows: decode each photo once)
_waiting: dict[str, list[Callable[[Texture], None]]] = {}


def thumbnail(key: str, data: bytes, done: Callable[[Texture], None]) -> None:
    """A small texture of a pack photo for list rows, decoded once (off the UI thread) and kept."""
    if key in _thumbs:
        done(_thumbs[key])
        return
    if key in _waiting:
        _waiting[key].append(done)
        return
    _waiting[key] = [done]

    def ready(tex: Texture) -> None:
        if len(_thumbs) > 400:
            _thumbs.clear()
        _thumbs[key] = tex
        for cb in _waiting.pop(key, []):
            cb(tex)

    decode_async(data, ready, THUMB_SIDE)
