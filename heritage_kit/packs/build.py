"""Build a content pack from a small declarative config (``content/<town>/build.json``).

This is an adapter: it reads source files through the importers, merges
Mérimée and OSM records, checks the curated trails, and writes the pack.

The pack keeps its recipe as ``build.json`` (listed and hashed in the
manifest like every file), so ``content/<town>/`` holds both the pack and the
config that rebuilds it in place::

    heritage-kit pack build --config content/monaco/build.json --out content/monaco

Config (JSON; relative paths are resolved against the recipe's folder, then
its parents — never the current folder — or against ``root`` when given)::

    {
      "town_id": "perigueux", "town_name": "Périgueux",
      "timezone": "Europe/Paris", "country": "FR", "languages": ["fr", "en"],
      "description": {"fr": "…", "en": "…"}, "centre": {"lat": 45.184, "lon": 0.7215},
      "version": 1, "created": "2026-07-21T00:00:00Z",          (optional: reproducible builds)
      "clip": {"bbox": "S,W,N,E", "polygon": {GeoJSON Polygon}}, (optional)
      "sources": [{"type": "merimee", "path": "data/raw/merimee/mh-perigueux-1500m.geojson"},
                  {"type": "osm", "path": "data/raw/osm/…", "lang": "fr", "require_name": true},
                  {"type": "overpass", "path": "answer.json"},               (a saved Overpass JSON answer)
                  {"type": "overpass", "url": "https://overpass-api.de/api/interpreter"}],
                                         (fetched at build time for clip.bbox; needs network access)
      "merge": {"max_distance_m": 80, "min_name_score": 80},     (optional)
      "keep": {"kinds": ["heritage", "commerce", "service"]},    (optional)
      "poi_overrides": {"merimee:PA00082725": {"name": {"en": "…"}, "description": {"fr": "…", "en": "…"}}},
      "trails": [{"id": "…", "title": {…}, "description": {…}, "stops": ["…"], "tags": ["heritage"]}],
      "streets": "data/raw/osm/monaco-2026-07.osm.pbf",          (optional; needs heritage_kit.routing)
      "basemap": true,                                            (optional; or an OSM / Overpass .json path)
      "events": "events.json",                (optional; {"events": [Event, …]}, the pack's events.json)
      "housed_in": "listed",                  (optional; "heritage" or "off": which buildings house shops)
      "attributions": [{"text": "…", "licence": "…", "url": "…"}]
    }

An ``overpass`` source reads a saved Overpass JSON answer (``path``) or asks an
Overpass endpoint (``url``) for ``clip.bbox`` at build time (needs network;
:func:`build_pack` takes the ``requests`` session). ``"streets": "overpass"``
builds the walking network from the ``highway`` ways of the Overpass sources
(:mod:`heritage_kit.routing.overpass_ways`); the query then asks for them too.
Heritage POIs without a human text get a French/English text composed from their sourced facts
(:func:`heritage_kit.compose.compose_pois`, after the overrides; ``text_origin`` says which).

Trail ``length_m`` is the walking length along the streets when the routing
module and a street file are available, otherwise the sum of straight-line
legs (a lower bound); ``duration_min`` is that length at 4.5 km/h.

``basemap``: ``true`` extracts the pack's ``basemap.geojson`` (buildings, sea, water, parks, pedestrian areas,
railways, labels: :mod:`heritage_kit.basemap`) from the recipe's first ``osm`` or ``overpass`` source; a path
reads that OSM file or Overpass answer instead. It is clipped to ``clip.bbox`` (else the clip polygon's box,
else the whole file). A recipe without OSM data gets no basemap (a note says so) and the pack works as before.

``events``: a file of dated events (markets, concerts, the European Heritage Days…; :mod:`heritage_kit.events`),
checked event by event (file, event id, field) and against the pack's POI ids, stored as the pack's
``events.json``. ``housed_in``: every shop whose point lies in a listed monument's footprint, or in the mapped
building of a monument known as a point, names it (:mod:`heritage_kit.housing`; ``"heritage"`` takes every
heritage POI, ``"off"`` none). A monument's ``support`` link (restoration fund, Fondation du patrimoine
campaign, donation page; https only) is set in ``poi_overrides``.

``audio``: ``true`` reads every heritage POI's text aloud in each pack language into ``media/audio/`` (espeak-ng and
sox must be installed on the build machine; :mod:`heritage_kit.export.audio`, byte-identical from one build to the
next). A guide's recording is added afterwards with ``heritage-kit pack audio PACK --record …``.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heritage_kit.errors import PackError
from heritage_kit.geo import geodesic_m
from heritage_kit.importers.clip import parse_bbox
from heritage_kit.importers.report import ImportReport
from heritage_kit.models.manifest import Attribution
from heritage_kit.models.text import LocalizedText
from heritage_kit.models.poi import POI
from heritage_kit.models.trail import Trail
from heritage_kit.types import LangCode, LatLon, ShortText

__all__ = ["BuildConfig", "BuildResult", "build_pack", "load_build_config", "WALKING_SPEED_KMH"]

WALKING_SPEED_KMH = 4.5


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["osm", "merimee", "overpass"]
    path: str | None = None
    url: str | None = None  # an Overpass API endpoint, queried for clip.bbox at build time
    lang: LangCode = "fr"
    require_name: bool = True

    @model_validator(mode="after")
    def _one_place(self) -> "SourceSpec":
        if self.url is not None and self.type != "overpass":
            raise ValueError(f"'url' is only for an overpass source, not {self.type!r}")
        if self.path is None and self.url is None:
            raise ValueError("give 'path'" + (" or 'url'" if self.type == "overpass" else ""))
        if self.path is not None and self.url is not None:
            raise ValueError("give 'path' or 'url', not both")
        return self


class ClipSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bbox: str | None = None
    polygon: dict | None = None


class MergeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_distance_m: Annotated[float, Field(gt=0, le=1000)] = 80.0
    min_name_score: Annotated[float, Field(ge=0, le=100)] = 80.0


class KeepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: list[Literal["heritage", "commerce", "service"]] = ["heritage", "commerce", "service"]


class BuildConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    town_id: str
    town_name: ShortText
    timezone: str = "Europe/Paris"
    country: str = "FR"
    languages: list[LangCode] = ["fr", "en"]
    description: LocalizedText | ShortText | None = None
    centre: LatLon | None = None
    version: Annotated[int, Field(ge=1)] = 1
    created: datetime | None = None
    clip: ClipSpec | None = None
    sources: Annotated[list[SourceSpec], Field(min_length=1)]
    merge: MergeSpec = MergeSpec()
    keep: KeepSpec = KeepSpec()
    poi_overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    trails: list[dict[str, Any]] = Field(default_factory=list)
    streets: str | None = None
    basemap: bool | str | None = None
    audio: bool = False
    events: str | None = None  # a file {"events": [Event, …]}
    housed_in: Literal["listed", "heritage", "off"] | None = None  # None: "listed"
    attributions: Annotated[list[Attribution], Field(min_length=1)]


@dataclass
class BuildResult:
    pack: Any  # ContentPack
    imports: list[ImportReport] = field(default_factory=list)
    merge: Any = None  # MergeReport | None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [str(r).splitlines()[0] for r in self.imports]
        if self.merge is not None:
            lines.append(str(self.merge).splitlines()[0])
        lines += self.notes
        kinds: dict[str, int] = {}
        for p in self.pack.pois:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        lines.append(f"pack {self.pack.manifest.town_id}: {len(self.pack.pois)} POIs "
                     f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), {len(self.pack.trails)} trail(s)")
        return "\n".join(lines)


def _read_json(path: Path, what: str) -> Any:
    """The JSON document at ``path``; a PackError naming the file and ``what`` it is otherwise."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise PackError(f"{path}: {what} is not valid JSON: {exc}") from None


def load_build_config(path: str | os.PathLike) -> BuildConfig:
    path = Path(path)
    raw = _read_json(path, "build config")
    try:
        return BuildConfig.model_validate(raw)
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        where = ".".join(str(x) for x in e["loc"])
        raise PackError(f"{path}: build config field {where}: {e['msg']}"
                        + (f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else "")) from None


def _resolve(name: str, root: Path | None, config_dir: Path | None) -> Path:
    """A recipe's relative path: against ``root`` when one is given (``--root``); else against the recipe's
    folder, then its parents (a recipe in ``content/<town>/`` may name ``data/raw/…`` of the repository) —
    never the current folder, so a build gives the same pack from wherever it is run. A recipe given as an
    object (no file) resolves against ``root`` or the current folder."""
    p = Path(name)
    if p.is_absolute():
        return p
    if root is not None:
        bases = [root]
    elif config_dir is not None:
        here = config_dir.resolve()
        bases = [here, *here.parents]
    else:
        bases = [Path.cwd()]
    for base in bases:
        if (base / p).exists():
            return base / p
    return bases[0] / p


OVERPASS_STREETS = "overpass"  # "streets": "overpass" -> the highway ways of the Overpass sources


def _fetch_overpass(url: str, bbox, session: Any, *, streets: bool) -> dict:
    """The Overpass answer for the recipe's bbox (FetchError / SourceDataError when it fails)."""
    from heritage_kit.importers._overpass import build_query, fetch_overpass

    if bbox is None:
        raise PackError(f"build config: the overpass source {url} needs clip.bbox (the area to ask for)")
    if session is None:
        import requests

        with requests.Session() as own:
            return fetch_overpass(build_query(bbox, streets=streets), session=own, url=url)
    return fetch_overpass(build_query(bbox, streets=streets), session=session, url=url)


def _overpass_streets(docs: list[Any], bbox):
    """The walking network of the Overpass sources' highway ways: (GeoJSON, graph)."""
    from heritage_kit.routing.overpass_ways import graph_from_overpass

    if not docs:
        raise PackError('build config streets: "overpass" needs an overpass source')
    answers = [d if isinstance(d, dict) else json.loads(Path(d).read_bytes()) for d in docs]
    graph = graph_from_overpass(answers, bbox=bbox, source="Overpass answer")
    return graph.to_geojson(), graph


def _streets(config: BuildConfig, path: Path, bbox, notes: list[str]):
    """The walking network as GeoJSON through heritage_kit.routing, or None with a note."""
    try:
        routing = importlib.import_module("heritage_kit.routing")
        graph_cls = routing.WalkingGraph
    except (ImportError, AttributeError):
        notes.append(f"streets: skipped — heritage_kit.routing.WalkingGraph is not available in this "
                     f"installation; the pack has no street network ({path} not read)")
        return None, None
    try:
        graph = graph_cls.from_osm(path, bbox=bbox)
        return graph.to_geojson(), graph
    except PackError:
        raise
    except Exception as exc:  # noqa: BLE001 - the routing module is another team's: report, never a traceback
        raise PackError(f"streets: building the walking network from {path} failed: "
                        f"{type(exc).__name__}: {exc}") from None


def _basemap(config: BuildConfig, base: Path | None, config_dir: Path | None, bbox, notes: list[str]):
    """The basemap document from the recipe's OSM data (see the module docstring), or None with a note."""
    import time

    from heritage_kit.basemap import extract_basemap, layer_counts

    if isinstance(config.basemap, str):
        name = config.basemap
    else:
        name = next((src.path for src in config.sources if src.type in ("osm", "overpass")), None)
        if name is None:
            notes.append("basemap: skipped — the recipe has no OSM source (no map layers in this pack)")
            return None
    path = _resolve(name, base, config_dir)
    if bbox is None and config.clip and config.clip.polygon:
        from shapely.geometry import shape

        from heritage_kit.types import BBox

        w, s, e, n = shape(config.clip.polygon).bounds
        bbox = BBox(south=s, west=w, north=n, east=e)
    start = time.perf_counter()
    doc = extract_basemap(path, bbox=bbox)
    counts = ", ".join(f"{k} {v}" for k, v in layer_counts(doc).items())
    notes.append(f"basemap: {len(doc['features'])} features ({counts or 'none'}) from {path.name} "
                 f"in {time.perf_counter() - start:.1f} s")
    return doc


def _walk_length(trail_pois: list[POI], graph) -> tuple[float, bool]:
    total = 0.0
    routed = graph is not None and hasattr(graph, "route")
    for a, b in zip(trail_pois, trail_pois[1:]):
        leg = None
        if routed:
            try:
                r = graph.route(a.location, b.location)
                leg = float(getattr(r, "length_m", r))
            except Exception:  # noqa: BLE001 - any routing failure falls back to straight line
                routed = False
        if leg is None:
            leg = geodesic_m(a.location.lat, a.location.lon, b.location.lat, b.location.lon)
        total += leg
    return total, routed


def build_pack(
    config: BuildConfig | str | os.PathLike,
    *,
    root: str | os.PathLike | None = None,
    progress: bool = False,
    session: Any = None,
) -> BuildResult:
    """Build the pack a config describes (in memory; see :func:`heritage_kit.save_pack`).

    ``session`` is the ``requests.Session`` used for Overpass sources with a
    ``url`` (a new one when ``None``).
    """
    from heritage_kit.importers.merge import merge_pois
    from heritage_kit.importers.merimee import import_merimee
    from heritage_kit.importers.osm import import_osm, import_overpass_json
    from heritage_kit.packs.pack import ContentPack

    config_dir = None
    if not isinstance(config, BuildConfig):
        config_dir = Path(config).parent
        config = load_build_config(config)
    recipe = config.model_dump(mode="json", exclude_none=True)
    base = Path(root) if root is not None else None
    try:
        bbox = parse_bbox(config.clip.bbox) if config.clip and config.clip.bbox else None
    except ValueError as exc:
        raise PackError(f"build config clip.bbox: {exc}") from None
    polygon = config.clip.polygon if config.clip else None

    result_imports: list[ImportReport] = []
    merimee: list[POI] = []
    osm: list[POI] = []
    overpass_docs: list[Any] = []  # answers (dicts) or answer files, for "streets": "overpass"
    for src in config.sources:
        if src.url is not None:
            doc = _fetch_overpass(src.url, bbox, session, streets=config.streets == OVERPASS_STREETS)
            res = import_overpass_json(doc, bbox=bbox, clip=polygon, lang=src.lang, require_name=src.require_name,
                                       label=f"Overpass {src.url}")
            osm += res.pois
            overpass_docs.append(doc)
            result_imports.append(res.report)
            continue
        path = _resolve(src.path, base, config_dir)
        if src.type == "merimee":
            res = import_merimee(path, bbox=bbox, clip=polygon, strict=True, progress=progress)
            merimee += res.pois
        elif src.type == "overpass":
            res = import_overpass_json(path, bbox=bbox, clip=polygon, lang=src.lang, require_name=src.require_name)
            osm += res.pois
            overpass_docs.append(path)
        else:
            res = import_osm(path, bbox=bbox, clip=polygon, lang=src.lang, require_name=src.require_name,
                             progress=progress)
            osm += res.pois
        result_imports.append(res.report)

    merge_report = None
    if merimee and osm:
        pois, merge_report = merge_pois(merimee, osm, max_distance_m=config.merge.max_distance_m,
                                        min_name_score=config.merge.min_name_score)
    else:
        pois = merimee + osm
    # the same OSM object read from two sources: keep the first
    seen: set[str] = set()
    unique: list[POI] = []
    for p in pois:
        if p.id not in seen and p.kind in config.keep.kinds:
            seen.add(p.id)
            unique.append(p)
    pois = unique

    by_id = {p.id: i for i, p in enumerate(pois)}
    for pid, changes in config.poi_overrides.items():
        if pid not in by_id:
            raise PackError(f"build config poi_overrides: {pid!r} is not a POI of the pack")
        old = pois[by_id[pid]]
        data = old.model_dump()
        for key, value in changes.items():
            if key in ("name", "description") and isinstance(value, dict):
                data[key] = {**(data.get(key) or {}), **value}
            else:
                data[key] = value
        try:
            pois[by_id[pid]] = POI.model_validate(data)
        except ValidationError as err:
            e = err.errors(include_url=False)[0]
            raise PackError(f"build config poi_overrides[{pid!r}] field "
                            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}") from None

    notes: list[str] = []
    streets = graph = None
    if config.streets == OVERPASS_STREETS:
        streets, graph = _overpass_streets(overpass_docs, bbox)
    elif config.streets:
        spath = _resolve(config.streets, base, config_dir)
        if not spath.is_file():
            raise PackError(f"build config streets: no such file {spath}")
        streets, graph = _streets(config, spath, bbox, notes)
    basemap = _basemap(config, base, config_dir, bbox, notes) if config.basemap else None
    pois = _housed(pois, basemap, config.housed_in or "listed", notes)
    # texts composed from the sourced facts where no human text exists (heritage_kit.compose)
    from heritage_kit.compose import compose_pois

    pois = compose_pois(pois, config.languages, streets=streets)
    origins = [p.text_origin for p in pois if p.kind == "heritage"]
    notes.append(f"texts: {origins.count('composed')} composed from the sources' facts, {origins.count('human')} "
                 f"human, {origins.count(None)} heritage POI(s) whose sources say nothing to compose from")

    trails: list[Trail] = []
    for i, t in enumerate(config.trails):
        stops = t.get("stops") or []
        missing = [s for s in stops if s not in by_id]
        if missing:
            raise PackError(f"build config trails[{i}] ({t.get('id')!r}): stop {missing[0]!r} is not a POI of the pack")
        data = dict(t)
        if "length_m" not in data and len(stops) >= 2:
            length, routed = _walk_length([pois[by_id[s]] for s in stops], graph)
            data["length_m"] = round(length)
            data.setdefault("duration_min", round(length / (WALKING_SPEED_KMH * 1000 / 60)))
            if not routed:
                notes.append(f"trail {t.get('id')}: length is the sum of straight-line legs (no street routing)")
        try:
            trails.append(Trail.model_validate(data))
        except ValidationError as err:
            e = err.errors(include_url=False)[0]
            raise PackError(f"build config trails[{i}] field {'.'.join(str(x) for x in e['loc'])}: {e['msg']}") from None

    try:
        pack = ContentPack.new(
            town_id=config.town_id,
            town_name=config.town_name,
            pois=pois,
            trails=trails,
            attributions=[a.model_dump(exclude_none=True) for a in config.attributions],
            timezone=config.timezone,
            country=config.country,
            languages=config.languages,
            version=config.version,
            streets=streets,
            basemap=basemap,
            centre=config.centre.model_dump() if config.centre else None,
            description=config.description,
            created=config.created,
        )
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        raise PackError(f"build config field {'.'.join(str(x) for x in e['loc'])}: {e['msg']}") from None
    if config.audio:
        pack = _audio(pack, notes)
    if config.events:
        pack.events = _events(_resolve(config.events, base, config_dir), {p.id for p in pack.pois})
        notes.append(f"events: {len(pack.events)} from {Path(config.events).name}")
    pack.build = recipe
    return BuildResult(pack, result_imports, merge_report, notes)


def _housed(pois: list[POI], basemap, hosts: str, notes: list[str]) -> list[POI]:
    """Shops in listed buildings name them (heritage_kit.housing)."""
    from heritage_kit.housing import apply_housed_in, basemap_buildings, housed_in

    if hosts == "off":
        return pois
    links = housed_in(pois, buildings=basemap_buildings(basemap), hosts=hosts)  # type: ignore[arg-type]
    shops = sum(1 for p in pois if p.kind == "commerce")
    notes.append(f"housed_in: {len(links)} of {shops} shops lie in a{' listed' if hosts == 'listed' else ''} "
                 f"heritage building ({len(set(links.values()))} buildings)")
    return apply_housed_in(pois, links)


def _events(path: Path, poi_ids: set[str]) -> list:
    """The recipe's events file, checked: a PackError names the file, the event and the field."""
    from heritage_kit.models.event import Event

    doc = _read_json(path, "the recipe's events file")
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise PackError(f"build config events: {path} must be an object with an 'events' list")
    events, seen = [], set()
    for i, raw in enumerate(doc["events"]):
        label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{i}"
        try:
            ev = Event.model_validate(raw)
        except ValidationError as err:
            e = err.errors(include_url=False)[0]
            where = ".".join(str(x) for x in e["loc"]) or "(event)"
            raise PackError(f"{path}: event {label[:100]!r} field {where}: {e['msg']}") from None
        if ev.poi is not None and ev.poi not in poi_ids:
            raise PackError(f"{path}: event {ev.id!r} field poi: {ev.poi!r} is not a POI of the pack")
        if ev.id in seen:
            raise PackError(f"{path}: event {ev.id!r} field id: duplicate event id")
        seen.add(ev.id)
        events.append(ev)
    return events


def _audio(pack, notes: list[str]):
    """Every heritage text read aloud into the pack (espeak-ng + sox on the build machine)."""
    from heritage_kit.export.audio import add_audio
    from heritage_kit.export.espeak import EspeakSynthesiser

    pack, report = add_audio(pack, EspeakSynthesiser(), langs=tuple(pack.manifest.languages))
    size = sum(len(pack.media[m.path]) for p in pack.pois for m in p.media if m.type == "audio" and m.path)
    notes.append(f"audio: {len(report.added)} files synthesised ({size // 1024} KiB), {report.no_text} texts missing")
    return pack
