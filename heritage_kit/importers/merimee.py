"""Importer for the base Mérimée (French protected monuments) as GeoJSON.

Input: a GeoJSON FeatureCollection (``.geojson`` or ``.geojson.gz``) of Points
whose properties carry ``ref_merimee`` (``PA…``), ``name``, ``protection_act``
and optionally ``dates`` and ``archives_url`` — the form of
``data/raw/merimee/``. Each record becomes one heritage :class:`POI` with id
``merimee:<ref>``.

Protection. The open list does not say "classé" or "inscrit"; it gives the kind
of legal act(s) that protected the building (``protection_act``, several joined
by ``;``). Across the 44,480 records the values are: ``arrêté`` 42,041,
``liste`` 1,422, ``décret`` 424, combinations such as ``liste;arrêté`` 190,
``décret;arrêté`` 77, ``arrêté;décret`` 73, ``journal officiel`` 53,
``avis de classement`` 16, ``certificat`` 3, ``loi`` 1, ``I`` 1, and none 115.
Only some acts determine the protection level:

* ``liste`` — the historic lists of 1840–1875 were lists of *classement*;
* ``décret`` — a decree is only used to classify (inscription is always by
  *arrêté*);
* ``avis de classement`` — says so.

A record with any of these acts gets ``protection="classé"`` (at least part of
it is classified). An ``arrêté`` alone is used both to classify and to inscribe,
and ``journal officiel``/``certificat``/``loi`` do not say which: those records
keep ``protection=None`` and the raw ``protection_act``. Nothing is guessed.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from heritage_kit.compose.facts import CLASSE_ACTS
from heritage_kit.errors import SourceDataError
from heritage_kit.importers.clip import Clip
from heritage_kit.importers.report import ImportReport
from heritage_kit.models.poi import POI
from heritage_kit.types import BBox

__all__ = [
    "read_merimee",
    "import_merimee",
    "MerimeeImport",
    "merimee_categories",
    "protection_from_act",
    "ARCHIVES_URL",
    "MERIMEE_ATTRIBUTION",
]

ARCHIVES_URL = (
    "https://archives-map.culture.gouv.fr/archive/recherche/simple/n:19?RECH_S={ref}"
    "&RECH_DocumentsNumerises=0&Archives.RECH_Valid=&type=simple"
)
MERIMEE_ATTRIBUTION = {
    "text": "Ministère de la Culture – base Mérimée",
    "licence": "Licence Ouverte 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
_SOURCE_NAME = "base Mérimée (Ministère de la Culture)"
_REF_RE = re.compile(r"^[A-Z]{2}(\d{2}|2[AB])\d{6}$")  # PA00082725, PA2A000003 (Corsica)
_CLASSE_ACTS = CLASSE_ACTS

# First matching word of the name -> categories. Plurals are matched too.
_WORDS: dict[str, tuple[str, ...]] = {}


def _add(cats: tuple[str, ...], *words: str) -> None:
    for w in words:
        _WORDS[w] = cats


_add(("church",), "église", "basilique", "collégiale", "temple")
_add(("cathedral",), "cathédrale")
_add(("place_of_worship",), "synagogue", "mosquée")
_add(("castle",), "château", "forteresse", "donjon", "manoir")
_add(("fort",), "fort", "citadelle", "enceinte", "rempart", "remparts", "fortification", "fortifications", "bastion")
_add(("palace",), "palais")
_add(("house",), "maison", "logis", "villa", "ferme", "demeure", "chaumière")
_add(("building",), "hôtel", "immeuble", "pavillon", "hôpital", "halle", "halles", "presbytère", "moulin",
     "domaine", "bâtiment", "lycée", "collège", "école", "gare", "usine", "mairie", "bibliothèque", "grange",
     "pigeonnier", "colombier", "maladrerie", "hospice", "séminaire", "évêché", "ensemble", "magasin", "grenier",
     "poudrière", "arsenal", "caserne", "tribunal", "archevêché", "marché", "boutique", "café", "faïencerie")
_add(("chapel",), "chapelle", "oratoire")
_add(("fountain",), "fontaine", "lavoir", "puits")
_add(("bridge",), "pont", "viaduc", "aqueduc")
_add(("town_gate",), "porte", "portail")
_add(("tower",), "tour", "beffroi", "phare", "clocher", "campanile")
_add(("monastery",), "abbaye", "couvent", "prieuré", "monastère", "chartreuse", "commanderie", "cloître")
_add(("memorial",), "croix", "calvaire", "stèle", "obélisque", "mausolée", "tombeau")
_add(("monument",), "monument", "colonne", "borne", "arc")
_add(("theatre",), "théâtre", "opéra")
_add(("archaeological_site",), "vestiges", "vestige", "ruines", "ruine", "restes", "site", "dolmen", "dolmens",
     "menhir", "menhirs", "tumulus", "oppidum", "gisement", "grotte", "motte", "camp", "amphithéâtre",
     "thermes", "nécropole", "cromlech", "alignement", "alignements", "allée", "mégalithe", "abri")
_add(("cemetery",), "cimetière")
_add(("museum",), "musée")
_add(("garden",), "jardin", "parc")
_add(("statue",), "statue")
_SITE_WORDS = {"vestiges", "vestige", "ruines", "ruine", "restes", "site"}
_STOP = {"de", "du", "des", "la", "le", "les", "l", "d", "et", "ou", "ancien", "ancienne", "anciens",
         "anciennes", "deux", "trois", "partie", "parties"}


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFC", name).lower().replace("’", "'")
    return [w for w in re.split(r"[^\w]+", text) if w]


_QUOTED = re.compile(r'"\s*([^"]*?)\s*"')
_QUOTED_FIRST = re.compile(r'^"[^"]+"\s')  # '"Maison" dite "X"': quoted words, not a wrapped name


def clean_name(name: str) -> str:
    """A Mérimée name without the CSV quoting it was exported with, quotes as French guillemets.

    A whole name wrapped in quotes with its inner quotes doubled (the base's CSV export, e.g. Chartres's
    PA00097004) loses the wrapping: ``Maison dite « du Perron » ou « des Trois Rois »``; a quote left
    without its pair is dropped.
    Spaces are collapsed.
    """
    text = " ".join(name.split())
    while True:
        before = text
        if len(text) > 1 and text.startswith('"') and text.endswith('"') and not _QUOTED_FIRST.match(text):
            text = text[1:-1].strip()
        text = text.replace('""', '"')
        if text == before:
            break
    if text.count('"') % 2:
        text = text.replace('"', "")
    text = _QUOTED.sub(lambda m: f"« {m.group(1)} »" if m.group(1) else "", text)
    return " ".join(text.split()) or " ".join(name.split())


def merimee_categories(name: str) -> list[str]:
    """Categories read from a monument's name (``Église Saint-Front`` → church).

    The first word that names a kind of building decides; ruins and sites also
    get the category of what they were (``Ruines du château`` →
    archaeological_site, castle). ``Monument aux morts`` is a memorial.
    Unknown names give ``heritage_other``.
    """
    words = _words(name)
    cats: list[str] = []
    for i, w in enumerate(words):
        hit = _WORDS.get(w)
        if hit is None and len(w) > 3 and w[-1] in "sx":
            hit = _WORDS.get(w[:-1])
        if hit is None:
            continue
        if w == "monument" and words[i + 1:i + 3] == ["aux", "morts"]:
            hit = ("memorial",)
        if w == "palais" and i + 1 < len(words) and words[i + 1] in ("de", "du", "des") and any(
            x in words[i + 1:i + 4] for x in ("justice", "congrès", "sports", "bourse", "expositions")
        ):
            hit = ("building",)
        for c in hit:
            if c not in cats:
                cats.append(c)
        if w in _SITE_WORDS or hit == ("archaeological_site",) and w in _SITE_WORDS:
            continue  # "Vestiges de l'abbaye": keep looking for what it was
        break
    return cats or ["heritage_other"]


def protection_from_act(act: str | None) -> str | None:
    """``"classé"`` when the act(s) can only be a classement, else None (see module doc)."""
    if not act:
        return None
    acts = {a.strip() for a in act.split(";")}
    return "classé" if acts & _CLASSE_ACTS else None


@dataclass
class MerimeeImport:
    pois: list[POI]
    report: ImportReport


def _load(path: Path) -> Any:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError) as exc:
        raise SourceDataError(f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceDataError(f"{path}: not valid JSON: {exc}") from None


def _record(feat: Any, i: int, path: Path) -> tuple[str, dict]:
    """(label, POI data) for one feature; raises _Bad(field, message)."""
    if not isinstance(feat, dict):
        raise _Bad(f"#{i}", None, "record is not a GeoJSON Feature object")
    props = feat.get("properties")
    if not isinstance(props, dict):
        raise _Bad(f"#{i}", "properties", "missing or not an object")
    ref = props.get("ref_merimee", feat.get("id"))
    label = f"#{i} ({ref})" if isinstance(ref, str) and len(ref) < 40 else f"#{i}"
    if not isinstance(ref, str) or not _REF_RE.match(ref):
        raise _Bad(label, "ref_merimee", f"missing or not a Mérimée reference like PA00082725: {ref!r:.60}")
    fid = feat.get("id")
    if fid is not None and fid != ref:
        raise _Bad(label, "id", f"feature id {fid!r:.60} differs from ref_merimee {ref!r}")
    geom = feat.get("geometry")
    if not isinstance(geom, dict) or geom.get("type") != "Point":
        raise _Bad(label, "geometry", "missing or not a GeoJSON Point")
    coords = geom.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in coords[:2])
    ):
        raise _Bad(label, "geometry.coordinates", f"not [lon, lat] numbers: {coords!r:.60}")
    lon, lat = float(coords[0]), float(coords[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Bad(label, "geometry.coordinates", f"out of range: lon {lon}, lat {lat}")
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Bad(label, "name", "missing or empty")
    act = props.get("protection_act")
    if act is not None and not isinstance(act, str):
        raise _Bad(label, "protection_act", f"not text: {act!r:.60}")
    dates = props.get("dates")
    if dates is not None and not isinstance(dates, (str, int)):
        raise _Bad(label, "dates", f"not text: {dates!r:.60}")
    url = props.get("archives_url") or ARCHIVES_URL.format(ref=ref)
    heritage: dict[str, Any] = {}
    if act:
        heritage["protection_act"] = act
        prot = protection_from_act(act)
        if prot:
            heritage["protection"] = prot
    if dates is not None and str(dates).strip():
        heritage["dates"] = str(dates).strip()
    data = {
        "id": f"merimee:{ref}",
        "kind": "heritage",
        "categories": merimee_categories(clean_name(name)),
        "name": {"fr": clean_name(name)},
        "location": {"lat": lat, "lon": lon},
        "refs": {"merimee": ref},
        "heritage": heritage or None,
        "sources": [
            {
                "name": _SOURCE_NAME,
                "url": url,
                "licence": MERIMEE_ATTRIBUTION["licence"],
                "attribution": MERIMEE_ATTRIBUTION["text"],
            }
        ],
    }
    return label, data


class _Bad(Exception):
    def __init__(self, record: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.record, self.field, self.message = record, field, message


def import_merimee(
    path: str | os.PathLike,
    *,
    bbox: BBox | str | None = None,
    clip: Any = None,
    strict: bool = True,
    progress: bool = False,
) -> MerimeeImport:
    """Read a Mérimée GeoJSON file into POIs with an :class:`ImportReport`.

    ``strict=True`` raises :class:`SourceDataError` on the first bad record
    (naming the file, the record index and ref, and the field); with
    ``strict=False`` bad records are listed in the report and the rest is kept.
    ``progress=True`` shows a progress bar (tqdm, on stderr).
    """
    path = Path(path)
    where = Clip(bbox=bbox, polygon=clip)
    doc = _load(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise SourceDataError(f"{path}: not a GeoJSON FeatureCollection with a 'features' list")
    report = ImportReport(str(path))
    pois: list[POI] = []
    seen: set[str] = set()
    from heritage_kit.extras import require

    tqdm = require("tqdm", feature="the Mérimée importer").tqdm

    for i, feat in enumerate(tqdm(doc["features"], desc=f"reading {path.name}", unit=" monuments",
                                  disable=not progress, mininterval=0.5)):
        report.read += 1
        try:
            label, data = _record(feat, i, path)
            if data["id"] in seen:
                raise _Bad(label, "ref_merimee", "the same reference appears twice in the file")
            loc = data["location"]
            if where.active and not where.contains(loc["lat"], loc["lon"]):
                report.skip("outside the clip area")
                continue
            try:
                poi = POI.model_validate(data)
            except ValidationError as err:
                e = err.errors(include_url=False)[0]
                raise _Bad(label, ".".join(str(x) for x in e["loc"]) or None, e["msg"]) from None
        except _Bad as bad:
            if strict:
                field = f", field {bad.field}" if bad.field else ""
                raise SourceDataError(f"{path}: record {bad.record}{field}: {bad.message}") from None
            report.add(bad.message, record=bad.record, field=bad.field)
            continue
        seen.add(poi.id)
        pois.append(poi)
        report.imported += 1
    return MerimeeImport(pois, report)


def read_merimee(
    path: str | os.PathLike,
    *,
    bbox: BBox | str | None = None,
    clip: Any = None,
) -> list[POI]:
    """The monuments of a Mérimée GeoJSON file as heritage POIs (strict: bad data raises)."""
    return import_merimee(path, bbox=bbox, clip=clip, strict=True).pois
