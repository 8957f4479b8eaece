"""Download and install a published pack (adapter: network + file I/O).

``fetch_catalogue`` reads ``index.json``; ``install_pack`` downloads the town's
zip to ``<dest>/<town>.zip.part`` (resuming with HTTP Range after a dropped
connection), verifies size + SHA-256 (``catalogue.verify_download``) and the
pack's own integrity (``load_pack``: with the town's ``public_key``, its
signature too) and only then renames it over ``<dest>/<town>.zip``: the old
pack stays usable until the new one is valid. The pack parsed by that check is
handed back (``InstallResult.pack``): the app opens it without reading the zip
a second time.
When the catalogue lists a delta from the installed zip (``packs.delta``), it is
downloaded and applied first; the rebuilt zip must match the catalogue's SHA-256,
else the full zip is downloaded.
"""

from __future__ import annotations

import errno
import hashlib
import os
import zipfile
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from heritage_kit.errors import PackDownloadError, PackError, PackSignatureError
from heritage_kit.packs.catalogue import (Catalogue, delta_for, entry_for, parse_catalogue, update_available,
                                          verify_download)

__all__ = ["InstallResult", "fetch_catalogue", "install_pack", "install_result", "installed_version", "make_session"]

TIMEOUT = (5.0, 15.0)  # connect, read (seconds)
CHUNK = 16 * 1024  # bytes lost at most on a dropped connection (the partial chunk)
ATTEMPTS = 5  # body downloads resumed after a dropped connection


def make_session(total_retries: int = 3, backoff: float = 0.2) -> requests.Session:
    """A session retrying connection errors and 429/5xx with back-off (urllib3 ``Retry``)."""
    session = requests.Session()
    retry = Retry(total=total_retries, connect=total_retries, read=total_retries, backoff_factor=backoff,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  respect_retry_after_header=True, raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _net_error(url: str, exc: Exception, town_id: str | None = None) -> PackDownloadError:
    return PackDownloadError(f"{url}: {type(exc).__name__}: {exc} (réseau indisponible / network unavailable); "
                             f"the installed pack is kept", town_id=town_id, url=url, reason="network")


def _http_error(url: str, resp: requests.Response, town_id: str | None = None) -> PackDownloadError:
    return PackDownloadError(f"{url}: HTTP {resp.status_code} (serveur indisponible / server unavailable); "
                             f"the installed pack is kept", town_id=town_id, url=url, reason="http",
                             status_code=resp.status_code)


def fetch_catalogue(url: str, *, session: requests.Session | None = None) -> Catalogue:
    """The parsed, validated catalogue at ``url``."""
    session = session or make_session()
    try:
        resp = session.get(url, timeout=TIMEOUT, headers={"Cache-Control": "no-cache"})
    except requests.RequestException as exc:
        raise _net_error(url, exc) from None
    if resp.status_code != 200:
        raise _http_error(url, resp)
    return parse_catalogue(resp.content, url=url)


def installed_version(dest_dir: str | os.PathLike, town_id: str) -> tuple[int | None, str | None]:
    """(version, sha256) of the pack installed in ``dest_dir``, or (None, None)."""
    path = Path(dest_dir) / f"{town_id}.zip"
    if not path.is_file():
        return None, None
    try:
        with zipfile.ZipFile(path) as zf:
            version = int(json.loads(zf.read("manifest.json"))["version"])
    except (OSError, zipfile.BadZipFile, KeyError, ValueError):
        return None, None
    return version, _file_sha256(path)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _open_writer(path: Path, mode: str):
    """The file the download is written to (a seam the disk-full tests replace)."""
    return path.open(mode)


def _download(session, url: str, part: Path, size: int, town_id: str,
              progress: Callable[[int, int], None] | None) -> None:
    last: Exception | None = None
    for _attempt in range(ATTEMPTS):
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if have == size:
            return
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with session.get(url, timeout=TIMEOUT, headers=headers, stream=True) as resp:
                if resp.status_code == 200:
                    have, mode = 0, "wb"
                elif resp.status_code == 206 and have:
                    mode = "ab"
                elif resp.status_code == 416:
                    part.unlink(missing_ok=True)
                    continue
                else:
                    raise _http_error(url, resp, town_id)
                with _open_writer(part, mode) as fh:
                    for chunk in resp.iter_content(CHUNK):
                        fh.write(chunk)
                        have += len(chunk)
                        if progress:
                            progress(have, size)
            if have >= size:
                return
            last = ConnectionError(f"connection closed after {have} of {size} bytes")
        except OSError as exc:
            if isinstance(exc, PackDownloadError):
                raise
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                part.unlink(missing_ok=True)
                raise PackDownloadError(f"{part.parent}: disk full (espace disque insuffisant / no space left); "
                                        f"the installed pack is kept", town_id=town_id, url=url,
                                        reason="disk") from None
            last = exc  # requests' ConnectionError / ChunkedEncodingError are OSError / RequestException
        except requests.RequestException as exc:
            last = exc
    raise _net_error(url, last or ConnectionError("no data"), town_id)


@dataclass(frozen=True)
class InstallResult:
    """What :func:`install_result` did: ``method`` is ``"none"`` (up to date), ``"delta"`` or ``"full"``;
    ``downloaded`` the bytes fetched (the index aside); ``fallback`` why a delta was not used; ``pack`` the
    :class:`~heritage_kit.packs.ContentPack` the integrity check loaded (None when nothing was installed)."""

    path: Path
    version: int
    sha256: str
    method: str
    downloaded: int = 0
    fallback: str | None = None
    pack: object | None = field(default=None, compare=False, repr=False)


def install_pack(catalogue_url: str, town_id: str, dest_dir: str | os.PathLike, *,
                 session: requests.Session | None = None,
                 progress: Callable[[int, int], None] | None = None, force: bool = False,
                 public_key: str | None = None) -> Path:
    """Install (or update) ``town_id``'s pack into ``dest_dir``; the path of the installed, verified zip.

    With ``public_key`` (the town's Ed25519 key, hex) the pack must be signed by it, else it is not installed.
    """
    return install_result(catalogue_url, town_id, dest_dir, session=session, progress=progress, force=force,
                          public_key=public_key).path


def install_result(catalogue_url: str, town_id: str, dest_dir: str | os.PathLike, *,
                   session: requests.Session | None = None, progress: Callable[[int, int], None] | None = None,
                   force: bool = False, catalogue: Catalogue | None = None, use_delta: bool = True,
                   public_key: str | None = None) -> InstallResult:
    """:func:`install_pack` with the details: a published delta from the installed zip is tried first
    (applied, then checked byte for byte against the catalogue's SHA-256); on any mismatch the full zip
    is downloaded. ``catalogue`` skips fetching the index again (the app has just read it)."""
    session = session or make_session()
    catalogue = catalogue or fetch_catalogue(catalogue_url, session=session)
    entry = entry_for(catalogue, town_id, url=catalogue_url)
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / f"{town_id}.zip"
    version, sha = installed_version(dest, town_id)
    if not force and final.is_file() and not update_available(entry, version, sha):
        return InstallResult(final, version or entry.version, sha or entry.sha256, "none")
    for stale in dest.glob(f"{town_id}.*.part"):
        if entry.sha256[:12] not in stale.name:
            stale.unlink(missing_ok=True)
    fallback = None
    delta = delta_for(entry, sha) if use_delta and final.is_file() else None
    if delta is not None:
        try:
            pack = _install_delta(session, catalogue_url, entry, delta, final, progress, public_key)
            return InstallResult(final, entry.version, entry.sha256, "delta", delta.size, pack=pack)
        except PackDownloadError as exc:  # a damaged or mismatched delta, or the network: the whole zip next
            if exc.reason == "signature":  # the published bytes themselves are not the town's: no retry
                raise
            fallback = str(exc)
    url = urljoin(catalogue_url, entry.file)
    part = dest / f"{town_id}.{entry.sha256[:12]}.zip.part"
    _download(session, url, part, entry.size, town_id, progress)
    pack = _verify_and_swap(entry, part, final, url, public_key)
    return InstallResult(final, entry.version, entry.sha256, "full", entry.size, fallback, pack=pack)


def _verify_and_swap(entry, part: Path, final: Path, url: str, public_key: str | None = None):
    """Size + SHA-256 against the catalogue, then the pack's own check (one parse: the loaded pack is
    returned), then the atomic rename. A signature that fails is ``reason="signature"``."""
    from heritage_kit.packs import load_pack

    try:
        verify_download(entry, part.stat().st_size, _file_sha256(part), url)
    except PackDownloadError:
        part.unlink(missing_ok=True)  # never resume from bad bytes
        raise
    try:
        pack = load_pack(part, public_key=public_key)
    except PackSignatureError as exc:
        part.unlink(missing_ok=True)
        raise PackDownloadError(f"{url}: {exc} (signature refusée / signature refused)", town_id=entry.town_id,
                                url=url, reason="signature") from None
    except PackError as exc:
        part.unlink(missing_ok=True)
        detail = exc.report if exc.report is not None and exc.report.problems else exc
        raise PackDownloadError(f"{url}: the pack fails its integrity check (paquet invalide / invalid pack): "
                                f"{detail}", town_id=entry.town_id, url=url, reason="invalid") from None
    os.replace(part, final)
    pack.source = str(final)
    return pack


def _install_delta(session, catalogue_url: str, entry, delta, final: Path, progress, public_key=None):
    from heritage_kit.packs.delta import apply_delta

    url = urljoin(catalogue_url, delta.file)
    dpart = final.with_name(f"{entry.town_id}.{entry.sha256[:12]}.delta.part")
    try:
        _download(session, url, dpart, delta.size, entry.town_id, progress)
        verify_download(delta, dpart.stat().st_size, _file_sha256(dpart), url)
        rebuilt = apply_delta(final.read_bytes(), dpart.read_bytes(), town_id=entry.town_id)
    finally:
        dpart.unlink(missing_ok=True)
    part = final.with_name(f"{entry.town_id}.{entry.sha256[:12]}.zip.part")
    try:
        with _open_writer(part, "wb") as fh:
            fh.write(rebuilt)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise PackDownloadError(f"{part.parent}: disk full (espace disque insuffisant / no space left); "
                                    f"the installed pack is kept", town_id=entry.town_id, url=url,
                                    reason="disk") from None
        raise
    return _verify_and_swap(entry, part, final, url, public_key)
