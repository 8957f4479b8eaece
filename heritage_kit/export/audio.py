"""Every POI's text by ear: audio files in the pack, synthesised offline or recorded by a guide.

``add_audio(pack, synthesise, langs)`` is pure: for each POI with a text in a language and no audio in that language
yet, it asks ``synthesise(text, lang)`` for the bytes and duration and returns a new pack whose POI has a ``Media(type="audio",
lang, transcript, origin="synthesised")`` and the file under ``media/audio/``. ``add_recording`` adds a guide's
recording the same way (``origin="recorded"``) and drops a synthesised file of the same language: a human voice wins,
and synthesis never replaces it. The adapter :class:`heritage_kit.export.espeak.EspeakSynthesiser` runs Debian's ``espeak-ng`` and ``sox``
(OGG Vorbis at 16 kHz, quality -1: played by Kivy's SDL2 audio on Android and desktop, ~15x smaller than espeak's
WAV; no dither and a stream serial derived from the text, so a rebuild is byte-identical).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from heritage_kit.errors import HeritageKitError
from heritage_kit.export.urls import slug
from heritage_kit.models import Media

if TYPE_CHECKING:  # pragma: no cover
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

__all__ = ["add_audio", "add_recording", "drop_stale_audio", "speech_text", "audio_for", "AudioReport", "AudioError", "SYNTH_LICENCE"]

Synthesise = Callable[[str, str], tuple[bytes, float]]  # (text, lang) -> (audio bytes, duration in s)
SYNTH_LICENCE = "CC0-1.0"  # machine speech of the pack's own text: no author's rights in the voice
MAX_RECORDING_BYTES = 30 * 1024 * 1024
_INTRO = {"fr": "{name}.", "en": "{name}."}


class AudioError(HeritageKitError, ValueError):
    """An audio file that cannot be used (wrong format, too large), naming the POI and the file."""


@dataclass
class AudioReport:
    added: list[tuple[str, str]] = field(default_factory=list)  # (poi id, lang)
    kept_recorded: list[tuple[str, str]] = field(default_factory=list)
    already: list[tuple[str, str]] = field(default_factory=list)
    no_text: int = 0


def speech_text(poi: "POI", lang: str) -> str | None:
    """What is read aloud: the POI's name, then its text in ``lang`` (None without a text in that language)."""
    if poi.description is None:
        return None
    text = poi.description.root.get(lang)  # this language only: never read French with an English voice
    if not text or not text.strip():
        return None
    return f"{_INTRO.get(lang, '{name}.').format(name=poi.name.get(lang))} {' '.join(text.split())}"


def audio_for(poi: "POI", lang: str) -> Media | None:
    """The audio to play for ``lang``: a recording first, else a synthesised file."""
    tracks = [m for m in poi.media if m.type == "audio" and m.lang == lang]
    return next((m for m in tracks if m.origin == "recorded"), tracks[0] if tracks else None)


def _path(poi_id: str, lang: str, origin: str, ext: str) -> str:
    return f"media/audio/{slug(poi_id)}.{lang}.{origin}.{ext}"


def add_audio(pack: "ContentPack", synthesise: Synthesise, *, langs: tuple[str, ...] = ("fr", "en"),
              kinds: tuple[str, ...] = ("heritage",), refresh: bool = False) -> tuple["ContentPack", AudioReport]:
    """A copy of ``pack`` where every POI of ``kinds`` with a text has audio in each of ``langs``.

    ``refresh`` re-synthesises files whose transcript no longer matches the text (a recorded one is never touched).
    """
    report = AudioReport()
    media = dict(pack.media)
    pois = []
    for poi in pack.pois:
        if poi.kind not in kinds:
            pois.append(poi)
            continue
        entries = list(poi.media)
        for lang in langs:
            text = speech_text(poi, lang)
            if text is None:
                report.no_text += 1
                continue
            current = audio_for(poi, lang)
            if current is not None and current.origin == "recorded":
                report.kept_recorded.append((poi.id, lang))
                continue
            if current is not None and (current.transcript == text or not refresh):
                report.already.append((poi.id, lang))
                continue
            if current is not None:
                entries.remove(current)
                media.pop(current.path or "", None)
            path = _path(poi.id, lang, "synth", "ogg")
            media[path], seconds = synthesise(text, lang)
            entries.append(Media(type="audio", path=path, licence=SYNTH_LICENCE, author="espeak-ng", lang=lang,
                                 transcript=text, origin="synthesised", duration_s=round(seconds, 2)))
            report.added.append((poi.id, lang))
        pois.append(poi.model_copy(update={"media": entries}) if entries != list(poi.media) else poi)
    return _with(pack, pois, media), report


def add_recording(pack: "ContentPack", poi_id: str, lang: str, data: bytes, *, author: str, licence: str,
                  transcript: str | None = None, source_name: str = "recording") -> "ContentPack":
    """A copy of ``pack`` where ``poi_id`` has a guide's recording in ``lang`` (its synthesised file removed)."""
    if len(data) > MAX_RECORDING_BYTES:
        raise AudioError(f"{source_name}: {len(data)} bytes, more than {MAX_RECORDING_BYTES} for POI {poi_id}")
    ext = "ogg" if data[:4] == b"OggS" else "mp3" if data[:3] == b"ID3" or data[:2] == b"\xff\xfb" else None
    if ext is None:
        raise AudioError(f"{source_name}: not an OGG or MP3 file (POI {poi_id}, field media)")
    poi = pack.poi(poi_id)
    media = dict(pack.media)
    entries = []
    for m in poi.media:
        if m.type == "audio" and m.lang == lang:
            media.pop(m.path or "", None)
            continue
        entries.append(m)
    path = _path(poi.id, lang, "recorded", ext)
    media[path] = data
    entries.append(Media(type="audio", path=path, licence=licence, author=author, lang=lang,
                         transcript=transcript if transcript is not None else speech_text(poi, lang),
                         origin="recorded"))
    pois = [p.model_copy(update={"media": entries}) if p.id == poi.id else p for p in pack.pois]
    return _with(pack, pois, media)


def drop_stale_audio(pack: "ContentPack") -> tuple["ContentPack", list[tuple[str, str]]]:
    """A copy of ``pack`` without the synthesised files whose text has changed since (e.g. an accepted edit).

    The app then reads the new text with the phone's own voice until ``heritage-kit pack audio`` runs again; a
    recorded file is kept (a guide's voice is not second-guessed). Returns the (POI id, lang) pairs dropped.
    """
    dropped: list[tuple[str, str]] = []
    media = dict(pack.media)
    pois = []
    for poi in pack.pois:
        keep = []
        for m in poi.media:
            if m.type == "audio" and m.origin == "synthesised" and m.transcript != speech_text(poi, m.lang or ""):
                media.pop(m.path or "", None)
                dropped.append((poi.id, m.lang or ""))
            else:
                keep.append(m)
        pois.append(poi.model_copy(update={"media": keep}) if len(keep) != len(poi.media) else poi)
    return (_with(pack, pois, media) if dropped else pack), dropped


def _with(pack: "ContentPack", pois: list, media: dict[str, bytes]) -> "ContentPack":
    from heritage_kit.packs import ContentPack

    return ContentPack(pack.manifest, pois, pack.trails, streets=pack.streets, media=media, source=pack.source,
                       build=pack.build, **{k: getattr(pack, k) for k in ("basemap", "events") if getattr(pack, k, None) is not None})
