"""Issue 21: a pack's manifest notes the lowest heritage-kit release that reads it (format 1.1 and later), the
publish step carries it into the catalogue's ``min_app_version``, and the app compares it with its own version."""

from __future__ import annotations

import json

import pytest

import heritage_kit
from heritage_kit.models import POI
from heritage_kit.models.manifest import FORMAT_MINOR, FORMAT_READERS, FORMAT_VERSION, reader_min_version, release_tuple
from heritage_kit.packs import ContentPack, load_pack, save_pack, validate_pack
from heritage_kit.packs.publish import publish_pack

ATTR = [{"text": "© OpenStreetMap contributors", "licence": "ODbL 1.0"}]
BRANDING = {"name": {"fr": "Chartres, ville d'art", "en": "Chartres, city of art"},
            "colours": {"primary": "#1D3F8C", "accent": "#F2B705"}}


def pack(**manifest) -> ContentPack:
    p = POI.model_validate({"id": "osm:node/1", "kind": "heritage", "categories": ["memorial"], "name": {"fr": "Plaque"},
                            "location": {"lat": 48.4478, "lon": 1.4874}})
    out = ContentPack.new(town_id="chartres", town_name="Chartres", pois=[p], attributions=ATTR, created=None)
    if manifest:
        out.manifest = type(out.manifest).model_validate({**out.manifest.model_dump(mode="json"), **manifest})
    return out


def test_every_format_this_library_knows_has_its_first_reader_and_this_release_reads_them():
    known = [(FORMAT_VERSION, minor) for minor in range(FORMAT_MINOR + 1)]
    assert sorted(FORMAT_READERS) == known  # a new minor must add its row
    firsts = [release_tuple(FORMAT_READERS[k]) for k in known]
    assert firsts == sorted(firsts)  # a later minor never needs an older release
    assert max(firsts) <= release_tuple(heritage_kit.__version__)
    assert release_tuple("0.2.0.dev3") == (0, 2, 0) and release_tuple("1.4") == (1, 4, 0)
    with pytest.raises(ValueError, match="not a version"):
        release_tuple("latest")


def test_a_format_1_1_pack_says_which_release_reads_it_and_a_1_0_pack_says_nothing(tmp_path):
    save_pack(pack(branding=BRANDING), tmp_path / "new")
    raw = json.loads((tmp_path / "new" / "manifest.json").read_text())
    assert raw["format_version"] == "1.1" and raw["reader_min_version"] == FORMAT_READERS[(1, 1)] == "0.2.0"
    assert load_pack(tmp_path / "new").manifest.reader_min_version == "0.2.0"
    # a 1.0 pack stays readable by 0.1.0, which refused any key it did not know: no note is written
    save_pack(pack(reader_min_version="0.2.0"), tmp_path / "old")
    raw = json.loads((tmp_path / "old" / "manifest.json").read_text())
    assert raw["format_version"] == 1 and "reader_min_version" not in raw
    assert reader_min_version(1) == "0.1.0"


def test_a_pack_asking_for_a_later_release_is_read_with_a_warning_naming_the_field(tmp_path):
    p = pack(branding=BRANDING)
    save_pack(p, tmp_path / "p")
    path = tmp_path / "p" / "manifest.json"
    raw = json.loads(path.read_text())
    raw["reader_min_version"] = "9.0.0"
    path.write_text(json.dumps(raw))
    report = validate_pack(tmp_path / "p")
    assert report.ok, report
    warned = [w for w in report.warnings if w.field == "reader_min_version"]
    assert warned and "9.0.0" in warned[0].message and heritage_kit.__version__ in warned[0].message


def test_publish_sets_min_app_version_to_at_least_the_pack_reader(tmp_path):
    save_pack(pack(branding=BRANDING), tmp_path / "p")
    entry = publish_pack(tmp_path / "p", tmp_path / "pub").entry
    assert entry.min_app_version == "0.2.0"
    entry = publish_pack(tmp_path / "p", tmp_path / "pub2", min_app_version="0.1.0").entry
    assert entry.min_app_version == "0.2.0"  # asking for less than the format needs is raised
    entry = publish_pack(tmp_path / "p", tmp_path / "pub3", min_app_version="0.3.1").entry
    assert entry.min_app_version == "0.3.1"


def test_the_app_reads_every_format_this_library_writes():
    from mobile.presenters.towns import APP_VERSION

    assert release_tuple(APP_VERSION) == release_tuple(heritage_kit.__version__)
    assert all(release_tuple(v) <= release_tuple(APP_VERSION) for v in FORMAT_READERS.values())
