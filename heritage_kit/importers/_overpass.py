"""Private Overpass API client: build the query, fetch it through a given requests session.

The HTTP session is passed in (never created deep inside), so tests and apps
choose the transport: a real ``requests.Session``, one with a mounted adapter
replaying a recorded answer, or a session pointed at a local server.
"""

from __future__ import annotations

from typing import Any

from heritage_kit.errors import FetchError, SourceDataError
from heritage_kit.importers.tags import TAG_TABLE
from heritage_kit.types import BBox

__all__ = ["DEFAULT_URL", "build_query", "fetch_overpass", "fetch_pois"]

DEFAULT_URL = "https://overpass-api.de/api/interpreter"
USER_AGENT = "heritage-kit/0.1 (+https://github.com/heritage-kit)"


def build_query(bbox: BBox, *, timeout_s: int = 90, streets: bool = False) -> str:
    """An Overpass QL query for every object the tag table keeps, inside ``bbox``, with geometry.

    With ``streets=True`` it also asks for every ``highway`` way (the walking
    network: :func:`heritage_kit.routing.overpass_ways.graph_from_overpass`).
    """
    box = f"{bbox.south},{bbox.west},{bbox.north},{bbox.east}"
    keys: list[str] = []
    for rule in TAG_TABLE:
        if rule.key not in keys:
            keys.append(rule.key)
    parts = "".join(f'  nwr["{k}"]({box});\n' for k in keys)
    if streets:
        parts += f'  way["highway"]({box});\n'
    return f"[out:json][timeout:{int(timeout_s)}];\n(\n{parts});\nout geom;\n"


def _retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (its HTTP-date form is not used by Overpass: ``None``)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None


def fetch_overpass(query: str, *, session: Any, url: str = DEFAULT_URL, timeout: float = 120.0) -> dict:
    """POST ``query`` to an Overpass endpoint; the decoded JSON answer.

    Raises :class:`FetchError` for network failures and refusals (429 rate
    limit, 504 overloaded, other HTTP errors; with ``status_code`` and the
    server's ``retry_after``), an answer cut off in transit, and
    :class:`SourceDataError` when the answer is not Overpass JSON (also when
    it stops before its JSON ends) or reports a runtime error in ``remark``.
    """
    import requests

    try:
        resp = session.post(url, data={"data": query}, timeout=timeout, headers={"User-Agent": USER_AGENT})
    except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
        raise FetchError(f"Overpass {url}: request failed: the answer was cut off before its end ({exc}); "
                         "try again") from None
    except requests.RequestException as exc:
        raise FetchError(f"Overpass {url}: request failed: {exc}") from None
    status = resp.status_code
    retry = _retry_after(resp.headers.get("Retry-After"))
    wait = f"wait {retry:g} s" if retry is not None else "wait"
    if status == 429:
        raise FetchError(f"Overpass {url}: rate limited (HTTP 429); {wait} and try again",
                         status_code=status, retry_after=retry)
    if status == 504:
        raise FetchError(f"Overpass {url}: server overloaded (HTTP 504); try again later",
                         status_code=status, retry_after=retry)
    if status != 200:
        raise FetchError(f"Overpass {url}: HTTP {status}: {resp.text[:200]}", status_code=status, retry_after=retry)
    try:
        doc = resp.json()
    except ValueError as exc:
        pos, size = getattr(exc, "pos", None), len(resp.text)
        at_end = pos is not None and (pos >= size - 1 or str(getattr(exc, "msg", "")).startswith("Unterminated"))
        if at_end and size and resp.text.lstrip().startswith("{"):
            raise SourceDataError(f"Overpass {url}: the answer is not JSON: it stops after {size} characters, "
                                  "before the JSON ends (a truncated answer); try again") from None
        raise SourceDataError(f"Overpass {url}: the answer is not JSON: {resp.text[:200]!r}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise SourceDataError(f"Overpass {url}: the answer has no 'elements' list")
    remark = str(doc.get("remark") or "")
    if "runtime error" in remark:
        # a timeout or memory exhaustion: the elements already printed are a partial answer
        raise SourceDataError(f"Overpass {url}: the query failed on the server ({len(doc['elements'])} elements "
                              f"of a partial answer dropped): {remark[:200]}")
    return doc


def fetch_pois(bbox: BBox, *, session: Any, url: str = DEFAULT_URL, lang: str = "fr", require_name: bool = True):
    """Fetch the POIs in ``bbox`` from Overpass: an :class:`~heritage_kit.importers.osm.OsmImport`."""
    from heritage_kit.importers.osm import import_overpass_json

    doc = fetch_overpass(build_query(bbox), session=session, url=url)
    return import_overpass_json(doc, bbox=bbox, lang=lang, require_name=require_name, label=f"Overpass {url}")
