"""Decode pack photos off the UI thread (Pillow), make the texture on the UI thread."""

from __future__ import annotations

import io
import threading
from typing import Callable

from kivy.clock import Clock
from kivy.graphics.texture import Texture

MAX_SIDE = 1024


def _decode(data: bytes) -> tuple[tuple[int, int], bytes] | None:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as im:
            im = ImageOps.exif_transpose(im).convert("RGBA")
            im.thumbnail((MAX_SIDE, MAX_SIDE))
            return im.size, im.tobytes()
    except Exception:  # noqa: BLE001 - a broken photo is skipped, never a crash
        return None


def decode_async(data: bytes, done: Callable[[Texture], None]) -> None:
    def work():
        result = _decode(data)
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
