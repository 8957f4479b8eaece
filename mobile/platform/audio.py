"""Playing a pack's audio files (Kivy's SoundLoader: SDL2 audio on Android and desktop).

SoundLoader opens files, not bytes: a track is written once to the app's cache folder under its SHA-256 (a pack
update with a new recording gets a new file). One track plays at a time; ``toggle`` pauses and resumes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import tempfile

log = logging.getLogger(__name__)

__all__ = ["AudioPlayer"]


class AudioPlayer:
    def __init__(self, cache_dir: pathlib.Path) -> None:
        self.cache_dir = cache_dir
        self._sound = None
        self._key: str | None = None
        self._paused_at = 0.0

    @property
    def playing_key(self) -> str | None:
        """The key of the track now playing (None when stopped or paused)."""
        return self._key if self._sound is not None and self._sound.state == "play" else None

    def _file_for(self, data: bytes, suffix: str) -> pathlib.Path:
        digest = hashlib.sha256(data).hexdigest()[:24]
        path = self.cache_dir / f"{digest}{suffix}"
        if not path.is_file():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=suffix)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        return path

    def toggle(self, key: str, data: bytes, suffix: str = ".ogg") -> str:
        """Play ``key`` (or pause / resume it if it is the current track); returns "play", "pause" or "error"."""
        try:
            from kivy.core.audio import SoundLoader

            if self._sound is not None and self._key == key:
                if self._sound.state == "play":
                    self._paused_at = self._sound.get_pos()
                    self._sound.stop()
                    return "pause"
                self._sound.play()
                if self._paused_at:
                    self._sound.seek(self._paused_at)
                return "play"
            self.stop()
            sound = SoundLoader.load(str(self._file_for(data, suffix)))
            if sound is None:
                return "error"
            self._sound, self._key, self._paused_at = sound, key, 0.0
            sound.play()
            return "play"
        except Exception as exc:  # noqa: BLE001 - no audio device, unreadable file: the page says so
            log.warning("audio playback failed: %s", exc)
            return "error"

    def stop(self) -> None:
        if self._sound is not None:
            try:
                self._sound.stop()
                self._sound.unload()
            except Exception:  # noqa: BLE001
                pass
        self._sound, self._key, self._paused_at = None, None, 0.0
