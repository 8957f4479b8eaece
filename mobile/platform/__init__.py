"""Platform services picked once at start-up: plyer on a phone, desktop fallbacks elsewhere.

Like Electrum's ``nfc_scanner`` (an Android module and a dummy one), each
service has a plyer implementation and a desktop one; :func:`detect` chooses.
Nothing here blocks the UI thread: GPS callbacks and file loading come back
through the ``schedule`` function the app passes in (``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from mobile.platform.audio import AudioPlayer
from typing import Callable

__all__ = ["Services", "detect", "is_mobile", "Notifier", "Speaker", "Camera"]

log = logging.getLogger(__name__)


def is_mobile() -> bool:
    try:
        from kivy.utils import platform
    except ImportError:  # pragma: no cover
        return False
    return platform in ("android", "ios")


class Notifier:
    """Arrival alerts: a system notification and a vibration on a phone.

    On desktop there is no notification daemon to rely on: the app shows its
    in-app banner and plays a chime (``in_app`` is True).
    """

    in_app = True

    def notify(self, title: str, message: str) -> None:  # desktop: the banner does it
        log.info("alert: %s — %s", title, message)

    def vibrate(self, seconds: float = 0.6) -> None:
        pass


class PlyerNotifier(Notifier):
    in_app = True  # the banner is shown too, it is the in-app view of the alert

    def notify(self, title: str, message: str) -> None:
        from plyer import notification

        try:
            notification.notify(title=title, message=message, app_name="heritage-kit", timeout=8)
        except Exception as exc:  # noqa: BLE001 - a missing service must not break the walk
            log.warning("notification failed: %s", exc)

    def vibrate(self, seconds: float = 0.6) -> None:
        from plyer import vibrator

        try:
            vibrator.vibrate(seconds)
        except Exception as exc:  # noqa: BLE001
            log.warning("vibration failed: %s", exc)


class Speaker:
    """Text-to-speech; ``available`` is False when the platform has none."""

    available = False

    def speak(self, text: str, lang: str) -> bool:
        return False

    def stop(self) -> None:
        pass


class PlyerSpeaker(Speaker):
    available = True

    def speak(self, text: str, lang: str) -> bool:
        from plyer import tts

        try:
            tts.speak(message=text)
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("tts failed: %s", exc)
            return False


class EspeakSpeaker(Speaker):
    """Desktop speech through espeak-ng / espeak when installed (runs in the background)."""

    def __init__(self, exe: str) -> None:
        self.exe = exe
        self.available = True
        self._proc: subprocess.Popen | None = None

    def speak(self, text: str, lang: str) -> bool:
        self.stop()
        try:
            self._proc = subprocess.Popen([self.exe, "-v", lang, text[:4000]], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL)
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
        self._proc = None


class Camera:
    available = False

    def take_picture(self, filename: str, on_complete: Callable[[str], None]) -> bool:
        return False


class PlyerCamera(Camera):
    available = True

    def take_picture(self, filename: str, on_complete: Callable[[str], None]) -> bool:
        from plyer import camera

        try:
            camera.take_picture(filename=filename, on_complete=lambda path: on_complete(path) or False)
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("camera failed: %s", exc)
            return False


@dataclass
class Services:
    notifier: Notifier
    speaker: Speaker
    camera: Camera
    gps_available: bool
    name: str
    player: "AudioPlayer | None" = None  # the pack's audio files (set by detect())


def detect() -> Services:
    """The services of this platform (plyer on Android/iOS, desktop fallbacks elsewhere)."""
    from mobile.platform.audio import AudioPlayer
    from mobile.platform.storage import user_dir

    player = AudioPlayer(user_dir() / "audio-cache")
    if is_mobile():
        return Services(PlyerNotifier(), PlyerSpeaker(), PlyerCamera(), True, "mobile", player)
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    speaker: Speaker = EspeakSpeaker(exe) if exe else Speaker()
    return Services(Notifier(), speaker, Camera(), False, f"desktop ({sys.platform})", player)
