"""Issue 22 item 3: the pack format's extension points — namespaced ``extensions``, ``branding``, town categories
mapped to ours, and forward compatibility (a newer minor is read, a newer major refused)."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from heritage_kit.errors import PackError
from heritage_kit.models import POI
from heritage_kit.packs import ContentPack, load_pack, save_pack, validate_pack

ATTR = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]
TOWN_DATA = {"chartres": {"parcours": "vitraux", "numero": 12, "tags": ["xiie", None, 1.5]}}


def poi(pid="osm:node/1", cats=("memorial",), **kw):
    return POI.model_validate({"id": pid, "kind": "heritage", "categories": list(cats), "name": {"fr": "Plaque"},
                               "location": {"lat": 48.4478, "lon": 1.4874}, **kw})


def small_pack(**manifest) -> ContentPack:
    pack = ContentPack.new(town_id="chartres", town_name="Chartres", pois=[poi(extensions=TOWN_DATA)],
                           attributions=ATTR, created=None)
    if manifest:
        pack.manifest = type(pack.manifest).model_validate({**pack.manifest.model_dump(mode="json"), **manifest})
    return pack


BRANDING = {
    "name": {"fr": "Chartres, ville d'art", "en": "Chartres, city of art"},
    "colours": {"primary": "#1D3F8C", "accent": "#f2b705"},
    "logo": "https://www.chartres.fr/logo.png",
    "links": [{"label": {"fr": "Office de tourisme", "en": "Tourist office"}, "url": "https://www.chartres-tourisme.com"}],
    "organisation": "Ville de Chartres",
}


def test_extensions_and_branding_are_kept_through_save_and_load(tmp_path):
    pack = small_pack(branding=BRANDING, extensions={"chartres": {"insee": "28085"}})
    save_pack(pack, tmp_path / "p")
    raw = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert raw["format_version"] == "1.1"  # the fields of 1.1 are used: a 1.0 reader is told
    assert raw["extensions"] == {"chartres": {"insee": "28085"}} and raw["branding"]["colours"]["primary"] == "#1D3F8C"
    feature = json.loads((tmp_path / "p" / "pois.geojson").read_text())["features"][0]
    assert feature["properties"]["extensions"] == TOWN_DATA
    back = load_pack(tmp_path / "p")
    assert back.pois[0].extensions == TOWN_DATA
    assert back.manifest.branding.name.get("en") == "Chartres, city of art"
    save_pack(back, tmp_path / "q")
    assert (tmp_path / "q" / "pois.geojson").read_bytes() == (tmp_path / "p" / "pois.geojson").read_bytes()


def test_a_pack_without_the_new_fields_is_still_written_as_format_1(tmp_path, content_dir):
    pack = ContentPack.new(town_id="t", town_name="T", pois=[poi()], attributions=ATTR)
    save_pack(pack, tmp_path / "p")
    assert json.loads((tmp_path / "p" / "manifest.json").read_text())["format_version"] == 1
    assert json.loads((content_dir / "monaco" / "manifest.json").read_text())["format_version"] == 1


@pytest.mark.parametrize(
    ("extensions", "words"),
    [
        ({"Chartres": {}}, "namespace 'Chartres' must match"),
        ({"hk": {"x": 1}}, "reserved for heritage-kit"),
        ({"chartres": [1, 2]}, "extensions.chartres: must be a JSON object"),
        ({"chartres": {"blob": "x" * 20_000}}, "at most 16384"),
    ],
)
def test_bad_extensions_are_clear_errors(extensions, words):
    with pytest.raises(ValidationError, match=words):
        poi(extensions=extensions)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"colours": {"primary": "blue"}}, "String should match pattern"),
        ({"colours": {"primary": "#12345"}}, "String should match pattern"),
        ({"links": [{"label": {"fr": "Site"}, "url": "http://www.chartres.fr"}]}, "must be an https:// URL"),
        ({"logo": "javascript:alert(1)"}, "must be an https:// URL"),
        ({"logo": "media/../../etc/passwd.png"}, "a media/ path"),
        ({"slogan": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_branding_is_validated(change, words):
    from heritage_kit.models.extensions import Branding

    with pytest.raises(ValidationError, match=words):
        Branding.model_validate({**BRANDING, **change})


def test_a_branding_logo_must_be_in_the_pack(tmp_path):
    pack = small_pack(branding={**BRANDING, "logo": "media/logo.png"})
    save_pack(pack, tmp_path / "p")
    report = validate_pack(tmp_path / "p")
    assert any(p.field == "branding.logo" and "not in the pack" in p.message for p in report.errors)
    pack.media["media/logo.png"] = b"\x89PNG\r\n\x1a\n"
    save_pack(pack, tmp_path / "q")
    assert validate_pack(tmp_path / "q").ok


def test_the_app_about_box_shows_the_branding():
    from mobile.i18n import Translator
    from mobile.presenters.home import HomePresenter

    pack = small_pack(branding=BRANDING)
    text = HomePresenter([], Translator("fr")).pack_summary(pack)
    assert text.startswith("[b]Chartres, ville d'art[/b]\nVille de Chartres\nOffice de tourisme: https://www.chartres-tourisme.com")
    plain = HomePresenter([], Translator("en")).pack_summary(small_pack())
    assert plain.startswith("[b]Chartres[/b]\n")


# -- categories ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "ours"),
    [(["plaque"], ["memorial"]), (["Boulangerie"], ["bakery"]), (["park", "garden"], ["garden"]),
     (["palais"], ["palace"]), (["stèle", "memorial"], ["memorial"]), (["church"], ["church"])],
)
def test_town_categories_are_mapped_to_ours(given, ours):
    assert poi(cats=given).categories == ours


@pytest.mark.parametrize(
    ("given", "words"),
    [(["vitrail"], "unknown category 'vitrail'"), (["bakey"], "did you mean 'bakery'"),
     (["sculpture"], "ambiguous: it may mean artwork or statue")],
)
def test_unknown_or_ambiguous_categories_are_clear_errors(given, words):
    with pytest.raises(ValidationError, match=words):
        poi(cats=given)


def test_a_pack_file_with_a_synonym_loads_mapped(tmp_path):
    save_pack(small_pack(), tmp_path / "p")
    _edit(tmp_path / "p", "pois.geojson", lambda fc: fc["features"][0]["properties"].update(categories=["plaque"]))
    assert load_pack(tmp_path / "p").pois[0].categories == ["memorial"]


# -- forward compatibility ---------------------------------------------------------------------------
def _edit(folder, name, change):
    """Edit a file of a saved pack and re-hash it in the manifest (as `pack rehash` does)."""
    import hashlib

    path = folder / name
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False))
    manifest = json.loads((folder / "manifest.json").read_text())
    if name != "manifest.json":
        data = path.read_bytes()
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_newer_minor_format_is_read_and_its_unknown_fields_ignored(tmp_path):
    save_pack(small_pack(), tmp_path / "p")

    def newer(m):
        m.update(format_version="1.7", audio_guide_voice="Marie")

    _edit(tmp_path / "p", "manifest.json", newer)
    _edit(tmp_path / "p", "pois.geojson", lambda fc: fc["features"][0]["properties"].update(accessibility_score=4))
    report = validate_pack(tmp_path / "p")
    assert report.ok
    warned = {(p.file, p.field) for p in report.problems if p.severity == "warning"}
    assert ("manifest.json", "audio_guide_voice") in warned and ("pois.geojson", "accessibility_score") in warned
    pack = load_pack(tmp_path / "p")
    assert pack.manifest.format_minor == 7 and pack.pois[0].extensions == TOWN_DATA  # known fields kept
    save_pack(pack, tmp_path / "q")  # written as what this heritage-kit knows: the unknown fields were dropped
    m = json.loads((tmp_path / "q" / "manifest.json").read_text())
    assert m["format_version"] == "1.2" and "audio_guide_voice" not in m  # this heritage-kit knows up to 1.2


def test_unknown_fields_of_the_same_minor_are_still_errors(tmp_path):
    save_pack(small_pack(), tmp_path / "p")
    _edit(tmp_path / "p", "pois.geojson", lambda fc: fc["features"][0]["properties"].update(accessibility_score=4))
    with pytest.raises(PackError, match="accessibility_score.*Extra inputs are not permitted|Extra inputs"):
        load_pack(tmp_path / "p")


@pytest.mark.parametrize(("version", "words"), [
    ("2.0", "pack format 2.0 is newer than this heritage-kit, which reads format 1.0 to 1.x: upgrade heritage-kit"),
    (2, "pack format 2.0 is newer"),
    ("one", "format_version must be a number such as 1"),
])
def test_a_newer_major_format_is_refused_with_a_clear_message(tmp_path, version, words):
    save_pack(small_pack(), tmp_path / "p")
    _edit(tmp_path / "p", "manifest.json", lambda m: m.update(format_version=version))
    with pytest.raises(PackError, match=words.replace(".", r"\.")):
        load_pack(tmp_path / "p")
