"""The Mérimée importer on the real open data (data/raw/merimee)."""

import gzip
import json
from collections import Counter

import pytest

from heritage_kit.errors import SourceDataError
from heritage_kit.importers.merimee import (
    import_merimee,
    merimee_categories,
    protection_from_act,
    read_merimee,
)
from heritage_kit.types import BBox


@pytest.fixture(scope="module")
def perigueux(raw_dir):
    return read_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson")


def test_perigueux_has_its_30_monuments_and_saint_front(perigueux):
    assert len(perigueux) == 30
    ids = {p.id for p in perigueux}
    assert len(ids) == 30
    front = next(p for p in perigueux if p.id == "merimee:PA00082725")
    assert front.name.get("fr") == "Cathédrale Saint-Front"
    assert front.kind == "heritage"
    assert front.categories == ["cathedral"]
    assert front.refs.merimee == "PA00082725"
    assert front.heritage.protection_act == "liste"
    assert front.heritage.protection == "classé"
    assert front.heritage.dates == "1150"
    assert abs(front.location.lat - 45.18364) < 1e-4 and abs(front.location.lon - 0.72279) < 1e-4
    src = front.sources[0]
    assert src.licence == "Licence Ouverte 2.0"
    assert "RECH_S=PA00082725" in src.url and src.url.startswith("https://archives-map.culture.gouv.fr/")


def test_whole_france_imports_every_record_with_a_reason_for_each_category(raw_dir):
    result = import_merimee(raw_dir / "merimee" / "mh-france-all.geojson.gz")
    assert result.report.read == 44_480 and result.report.imported == 44_480
    assert not result.report.problems
    pois = result.pois
    assert len({p.id for p in pois}) == 44_480
    # Corsican references (PA2A…, PA2B…) are real references, not bad data.
    corsica = [p for p in pois if p.refs.merimee.startswith(("PA2A", "PA2B"))]
    assert len(corsica) == 76
    cats = Counter(p.categories[0] for p in pois)
    assert cats["church"] > 9_000 and cats["castle"] > 4_000 and cats["house"] > 4_000
    # Most monuments get a real category, not the catch-all.
    assert cats["heritage_other"] < 0.1 * len(pois)
    # protection is only set where the act says classement; never "inscrit" by guess.
    prot = Counter(p.heritage.protection for p in pois if p.heritage)
    assert set(prot) == {None, "classé"}
    assert prot["classé"] == 2_259
    # The archives URL is rebuilt from the ref when the file omits it.
    assert all("RECH_S=" + p.refs.merimee in p.sources[0].url for p in pois[:100])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Église Saint-Etienne-de-la-Cité", ["church"]),
        ("Ancienne église Notre-Dame", ["church"]),
        ("Cathédrale Saint-Front", ["cathedral"]),
        ("Château Barrière", ["castle"]),
        ("Maison des Consuls", ["house"]),
        ("Hôtel de la Préfecture", ["building"]),
        ("Chapelle des Pénitents", ["chapel"]),
        ("Fontaine des Quatre-Saisons", ["fountain"]),
        ("Pont Valentré", ["bridge"]),
        ("Porte Mars", ["town_gate"]),
        ("Tour Mataguerre", ["tower"]),
        ("Abbaye de Cluny", ["monastery"]),
        ("Couvent des Cordeliers", ["monastery"]),
        ("Croix de cimetière", ["memorial"]),
        ("Monument aux morts", ["memorial"]),
        ("Théâtre municipal", ["theatre"]),
        ("Vestiges de la citadelle gallo-romaine de Vésone", ["archaeological_site", "fort"]),
        ("Ruines du château", ["archaeological_site", "castle"]),
        ("Site archéologique", ["archaeological_site"]),
        ("Deux maisons", ["house"]),
        ("Palais de Justice", ["building"]),
        ("Canal du Midi", ["heritage_other"]),
    ],
)
def test_categories_from_names(name, expected):
    assert merimee_categories(name) == expected


@pytest.mark.parametrize(
    ("act", "expected"),
    [("liste", "classé"), ("décret", "classé"), ("arrêté;liste", "classé"), ("avis de classement", "classé"),
     ("arrêté", None), ("journal officiel", None), (None, None), ("", None)],
)
def test_protection_only_where_the_act_says_so(act, expected):
    assert protection_from_act(act) == expected


def test_bbox_clips(raw_dir):
    # a box around the cathedral only
    box = BBox(south=45.1830, west=0.7220, north=45.1842, east=0.7235)
    pois = read_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson", bbox=box)
    assert "merimee:PA00082725" in {p.id for p in pois}
    assert 1 <= len(pois) < 30
    res = import_merimee(raw_dir / "merimee" / "mh-perigueux-1500m.geojson", bbox="45.1830,0.7220,45.1842,0.7235")
    assert res.report.skipped["outside the clip area"] == 30 - len(pois)


def _write(tmp_path, features, gz=False):
    doc = {"type": "FeatureCollection", "features": features}
    path = tmp_path / ("bad.geojson.gz" if gz else "bad.geojson")
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _feat(ref="PA00082725", lon=0.72, lat=45.18, name="Cathédrale Saint-Front", **props):
    return {"type": "Feature", "id": ref, "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"ref_merimee": ref, "name": name, "protection_act": "liste", **props}}


@pytest.mark.parametrize(
    ("feature", "field", "fragment"),
    [
        (_feat(ref="XX"), "ref_merimee", "Mérimée reference"),
        (_feat(name=""), "name", "missing or empty"),
        (_feat(lat=95.0), "geometry.coordinates", "out of range"),
        ({**_feat(), "geometry": None}, "geometry", "Point"),
        ({**_feat(), "geometry": {"type": "Point", "coordinates": ["a", 1]}}, "geometry.coordinates", "numbers"),
        (_feat(protection_act=3), "protection_act", "not text"),
    ],
)
def test_bad_record_names_file_record_and_field(tmp_path, feature, field, fragment):
    good = _feat(ref="PA00082724", name="Amphithéâtre")
    path = _write(tmp_path, [good, feature], gz=True)
    with pytest.raises(SourceDataError) as err:
        read_merimee(path)
    msg = str(err.value)
    assert str(path) in msg and "record #1" in msg and f"field {field}" in msg and fragment in msg
    # not strict: the good record is kept, the bad one is reported, nothing lost silently
    res = import_merimee(path, strict=False)
    assert [p.id for p in res.pois] == ["merimee:PA00082724"]
    assert len(res.report.problems) == 1
    prob = res.report.problems[0]
    assert prob.record.startswith("#1") and prob.field == field


def test_duplicate_ref_and_unreadable_files(tmp_path):
    path = _write(tmp_path, [_feat(), _feat()])
    with pytest.raises(SourceDataError, match="record #1 .*twice"):
        read_merimee(path)
    (tmp_path / "x.geojson").write_text("{not json")
    with pytest.raises(SourceDataError, match="not valid JSON"):
        read_merimee(tmp_path / "x.geojson")
    (tmp_path / "y.geojson").write_text('{"type": "Feature"}')
    with pytest.raises(SourceDataError, match="FeatureCollection"):
        read_merimee(tmp_path / "y.geojson")
    with pytest.raises(SourceDataError, match="cannot read"):
        read_merimee(tmp_path / "missing.geojson")


@pytest.mark.parametrize(("raw", "clean"), [
    # real Chartres value (PA00097004), as the base exports it
    ('"Maison dite aussi ancienne salle de justice et hôtel de ville ou "du Perron" ou "le Parloir aux Bourgeois" '
     'ou "des Trois Rois""',
     "Maison dite aussi ancienne salle de justice et hôtel de ville ou « du Perron » ou « le Parloir aux Bourgeois » "
     "ou « des Trois Rois »"),
    ('Boucherie "Pinson"', "Boucherie « Pinson »"),
    ('"""Menhir de ""la Queue"" (également sur commune de Tannois)"""', "Menhir de « la Queue » (également sur commune de Tannois)"),
    ('"Abri Patate"', "Abri Patate"),
    ('"Maison" dite "X"', "« Maison » dite « X »"),
    ('Villa "Sans Souci', "Villa Sans Souci"),
    ("Église  Saint-Front", "Église Saint-Front"),
])
def test_merimee_names_lose_their_csv_quotes(raw, clean):
    from heritage_kit.importers.merimee import clean_name

    assert clean_name(raw) == clean


def test_no_imported_chartres_name_keeps_a_straight_quote(raw_dir):
    from heritage_kit.importers.merimee import import_merimee

    names = [p.name.get("fr") for p in import_merimee(raw_dir / "merimee" / "mh-chartres-1500m.geojson").pois]
    assert len(names) == 40 and not [n for n in names if '"' in n]
