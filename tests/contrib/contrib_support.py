"""Helpers shared by the contributions tests (and the subprocess they start)."""

from __future__ import annotations

import io
import json
import pathlib
import socket
import uuid as _uuid
from datetime import datetime, timezone

from PIL import Image

CENTRE = {"lat": 45.1836, "lon": 0.7216}  # Périgueux, near Saint-Front


def _category(name: str) -> str:
    n = name.lower()
    for word, cat in (("cathédrale", "cathedral"), ("église", "church"), ("tour ", "tower"), ("château", "castle"),
                      ("amphithéâtre", "archaeological_site"), ("vestiges", "archaeological_site"),
                      ("musée", "museum"), ("maison", "house"), ("hôtel", "building"), ("palais", "palace")):
        if n.startswith(word) or f" {word}" in f" {n}":
            return cat
    return "monument"


def perigueux_pack(geojson_path: pathlib.Path):
    from heritage_kit.models import POI
    from heritage_kit.packs import ContentPack

    fc = json.loads(pathlib.Path(geojson_path).read_text(encoding="utf-8"))
    pois = []
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        name = f["properties"]["name"]
        pois.append(POI.model_validate({
            "id": f"merimee:{f['id']}",
            "kind": "heritage",
            "categories": [_category(name)],
            "name": {"fr": name},
            "location": {"lat": lat, "lon": lon},
            "refs": {"merimee": f["id"]},
            "sources": [{"name": "base Mérimée", "licence": "Licence Ouverte 2.0"}],
        }))
    return ContentPack.new(
        town_id="perigueux", town_name="Périgueux", pois=pois,
        attributions=[{"text": "Ministère de la Culture – base Mérimée", "licence": "Licence Ouverte 2.0"}],
        languages=["fr", "en"], created=datetime(2026, 7, 1, tzinfo=timezone.utc),
    )


def make_jpeg(width: int = 640, height: int = 480, *, gps: bool = True, orientation: int | None = None,
              colour=(180, 120, 60)) -> bytes:
    """A JPEG with EXIF (camera make, GPS position of Saint-Front, optional orientation)."""
    im = Image.new("RGB", (width, height), colour)
    # a marker in the top-left corner, to check orientation after transposition
    for x in range(width // 4):
        for y in range(height // 4):
            im.putpixel((x, y), (255, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Model 1"  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (45.0, 11.0, 1.0), 3: "E", 4: (0.0, 43.0, 22.0), 5: 0, 6: 86.0}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def new_poi_doc(name: str = "Lavoir de la rue Neuve", *, lat: float = 45.1850, lon: float = 0.7200,
                contributor: str = "Marie P.", uid: str | None = None) -> dict:
    return {
        "uuid": uid or str(_uuid.uuid4()),
        "kind": "new_poi",
        "proposal": {
            "name": {"fr": name},
            "description": {"fr": "Ancien lavoir couvert, restauré en 1998."},
            "category": "fountain",
            "location": {"lat": lat, "lon": lon},
            "dates": "XIXe siècle",
            "sources": [{"name": "Archives municipales", "url": "https://archives.perigueux.fr/lavoirs"}],
        },
        "contributor": contributor,
        "consent": True,
        "created": "2026-11-20T10:00:00+00:00",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
