"""Audio in the pack: espeak-ng + sox for real, durations read back with soxi, recordings win over synthesis."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from heritage_kit.cli import main
from heritage_kit.export.audio import AudioError, add_audio, add_recording, audio_for, speech_text
from heritage_kit.export.espeak import EspeakSynthesiser
from heritage_kit.packs import load_pack, save_pack, validate_pack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("espeak-ng", "sox", "soxi")),
                                reason="scripts/setup.sh installs espeak-ng, sox and libsox-fmt-all")


@pytest.fixture()
def perigueux(tmp_path):
    """The Périgueux pack without its audio (the bundled pack is built with ``"audio": true``)."""
    pack = load_pack(ROOT / "content" / "perigueux")
    pack.pois = [p.model_copy(update={"media": [m for m in p.media if m.type != "audio"]}) for p in pack.pois]
    pack.media = {k: v for k, v in pack.media.items() if not k.startswith("media/audio/")}
    dest = tmp_path / "perigueux"
    save_pack(pack, dest)
    return dest


def test_the_bundled_packs_carry_audio_for_every_heritage_text():
    for town in ("monaco", "perigueux", "chambery", "chartres"):
        pack = load_pack(ROOT / "content" / town)
        for poi in pack.pois:
            for lang in ("fr", "en"):
                if poi.kind == "heritage" and speech_text(poi, lang):
                    track = audio_for(poi, lang)
                    assert track is not None and track.transcript == speech_text(poi, lang), (town, poi.id, lang)
                    assert pack.media[track.path][:4] == b"OggS"


def test_every_heritage_text_gets_audio_whose_length_is_measured(perigueux):
    assert main(["pack", "audio", str(perigueux)]) == 0
    pack = load_pack(perigueux)
    assert validate_pack(perigueux).ok
    with_text = [(p, lang) for p in pack.pois if p.kind == "heritage" for lang in ("fr", "en")
                 if speech_text(p, lang)]
    assert with_text
    for poi, lang in with_text:
        track = audio_for(poi, lang)
        assert track is not None and track.origin == "synthesised" and track.transcript == speech_text(poi, lang)
        data = pack.media[track.path]
        assert data[:4] == b"OggS"
        f = perigueux / track.path
        seconds = float(subprocess.run(["soxi", "-D", str(f)], capture_output=True, text=True, check=True).stdout)
        assert abs(seconds - track.duration_s) < 0.1
        words = len(track.transcript.split())
        assert 0.15 < seconds / words < 1.0  # speech, not silence or a truncated file
    # nothing in a language without a text (no French read with an English voice)
    for poi in pack.pois:
        for m in poi.media:
            if m.type == "audio":
                assert poi.description.root.get(m.lang)


def test_second_run_changes_nothing_and_refresh_follows_the_text(perigueux):
    synth = EspeakSynthesiser()
    pack, first = add_audio(load_pack(perigueux), synth)
    again, second = add_audio(pack, synth)
    assert first.added and not second.added and len(second.already) == len(first.added)
    poi_id, lang = first.added[0]
    poi = again.poi(poi_id)
    edited = poi.model_copy(update={"description": poi.description.model_copy(
        update={"root": {**poi.description.root, lang: "Un texte corrigé."}})})
    again.pois = [edited if p.id == poi_id else p for p in again.pois]
    refreshed, third = add_audio(again, synth, refresh=True)
    assert third.added == [(poi_id, lang)]
    assert audio_for(refreshed.poi(poi_id), lang).transcript.endswith("Un texte corrigé.")


def test_a_recording_wins_and_is_never_resynthesised(perigueux, tmp_path):
    synth = EspeakSynthesiser()
    pack, report = add_audio(load_pack(perigueux), synth)
    poi_id, lang = report.added[0]
    synth_path = audio_for(pack.poi(poi_id), lang).path
    voice, _ = synth("Enregistrement de la guide.", "fr")
    pack = add_recording(pack, poi_id, lang, voice, author="Office de tourisme", licence="CC-BY-4.0")
    track = audio_for(pack.poi(poi_id), lang)
    assert track.origin == "recorded" and track.author == "Office de tourisme"
    assert synth_path not in pack.media
    pack, report = add_audio(pack, synth, refresh=True)
    assert (poi_id, lang) in report.kept_recorded and audio_for(pack.poi(poi_id), lang).origin == "recorded"
    with pytest.raises(AudioError, match="not an OGG or MP3"):
        add_recording(pack, poi_id, lang, b"<html>", author="x", licence="CC0-1.0", source_name="evil.ogg")
