"""Offline speech synthesis for :mod:`heritage_kit.export.audio`: espeak-ng → WAV → sox → OGG Vorbis (adapter).

Runs two Debian programs through pipes and touches no file. OGG Vorbis at 16 kHz, quality -1: played by Kivy's
SDL2 audio on Android and desktop, ~15x smaller than espeak's WAV; no dither and a stream serial derived from the
text, so a rebuild is byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import struct
import subprocess
import wave

from heritage_kit.errors import HeritageKitError
from heritage_kit.export.audio import AudioError

__all__ = ["EspeakSynthesiser", "AudioToolMissing", "with_ogg_serial"]


class AudioToolMissing(HeritageKitError, FileNotFoundError):
    def __init__(self, tool: str) -> None:
        self.tool = tool
        super().__init__(f"{tool} is not installed (apt-get install espeak-ng sox libsox-fmt-all)")



class EspeakSynthesiser:
    """espeak-ng → WAV → sox → OGG Vorbis, in memory (adapter: runs two programs, touches no file)."""

    VOICES = {"fr": "fr-fr", "en": "en-gb"}

    def __init__(self, *, words_per_minute: int = 150, quality: int = -1, rate: int = 16_000) -> None:
        for tool in ("espeak-ng", "sox"):
            if shutil.which(tool) is None:
                raise AudioToolMissing(tool)
        self.wpm = words_per_minute
        self.quality = quality
        self.rate = rate

    def __call__(self, text: str, lang: str) -> tuple[bytes, float]:
        voice = self.VOICES.get(lang, lang)
        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(self.wpm), "--stdout"], input=text.encode(),
                             capture_output=True, check=True, timeout=120).stdout
        with wave.open(io.BytesIO(_fix_wav_sizes(wav))) as w:
            seconds = w.getnframes() / w.getframerate()
        ogg = subprocess.run(["sox", "-D", "-t", "wav", "-", "-r", str(self.rate), "-t", "ogg", "-C", str(self.quality), "-"],
                             input=wav, capture_output=True, check=True, timeout=120).stdout
        serial = int.from_bytes(hashlib.sha256(f"{lang}:{text}".encode()).digest()[:4], "little")
        return with_ogg_serial(ogg, serial), seconds


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else (crc << 1)
            crc &= 0xFFFFFFFF
    return crc


def with_ogg_serial(ogg: bytes, serial: int) -> bytes:
    """The same Ogg stream with its (random, per run) serial number set to ``serial``: byte-identical rebuilds."""
    out = bytearray(ogg)
    i = 0
    while i + 27 <= len(out):
        if out[i:i + 4] != b"OggS":
            raise AudioError("sox produced a malformed Ogg stream")
        nseg = out[i + 26]
        size = 27 + nseg + sum(out[i + 27:i + 27 + nseg])
        out[i + 14:i + 18] = struct.pack("<I", serial)
        out[i + 22:i + 26] = b"\0\0\0\0"
        out[i + 22:i + 26] = struct.pack("<I", _ogg_crc(bytes(out[i:i + size])))
        i += size
    return bytes(out)


def _fix_wav_sizes(wav: bytes) -> bytes:
    """espeak-ng writing to a pipe leaves the RIFF and data sizes at 0x7fffffff: set them from the real length."""
    if wav[:4] != b"RIFF" or len(wav) < 44:
        raise AudioError("espeak-ng did not produce a WAV stream")
    i = wav.find(b"data", 12)
    if i < 0:
        raise AudioError("espeak-ng's WAV stream has no data chunk")
    body = len(wav) - (i + 8)
    return (wav[:4] + struct.pack("<I", len(wav) - 8) + wav[8:i + 4] + struct.pack("<I", body) + wav[i + 8:])
