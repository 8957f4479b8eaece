"""``pack publish``: put a pack into a publish folder (adapter: file I/O only).

Writes the immutable zip ``<town>-<version>-<sha256[:12]>.zip`` and rewrites
``index.json`` (plus ``index.schema.json``) atomically (temp file + rename), so
a static host serving the folder never shows a half-written index.
(``heritage_kit.inbox.publish`` is different: it builds a pack from accepted
contributions; this module ships an existing pack.)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from heritage_kit.errors import CatalogueError, PackError
from heritage_kit.packs.catalogue import (Catalogue, CatalogueEntry, DeltaEntry, catalogue_schema, delta_file_name,
                                          entry_for, pack_file_name, parse_catalogue, upsert_entry)

__all__ = ["INDEX", "PublishResult", "publish_pack", "read_index", "write_atomic"]

INDEX = "index.json"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    entry: CatalogueEntry
    reused: bool  # the same bytes were already published


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # served by a static host
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _publish_delta(folder: Path, old: CatalogueEntry, data: bytes, version: int) -> list[DeltaEntry]:
    """A delta from the previous published zip to ``data`` (written to ``folder``), if it is worth it."""
    from heritage_kit.packs.delta import MAX_RATIO, make_delta

    base = folder / old.file
    if not base.is_file() or old.version >= version:
        return []
    delta = make_delta(base.read_bytes(), data, town_id=old.town_id, base_version=old.version, target_version=version)
    if len(delta) > MAX_RATIO * len(data):
        return []
    sha = hashlib.sha256(delta).hexdigest()
    name = delta_file_name(old.town_id, old.version, version, sha)
    if not (folder / name).is_file():
        write_atomic(folder / name, delta)
    return [DeltaEntry(from_version=old.version, from_sha256=old.sha256, file=name, size=len(delta), sha256=sha)]


def read_index(folder: Path) -> Catalogue:
    path = folder / INDEX
    if not path.is_file():
        return Catalogue(updated=datetime.now(timezone.utc))
    return parse_catalogue(path.read_bytes(), url=str(path))


def _min_app_version(asked: str | None, reader: str | None) -> str:
    from heritage_kit.models.manifest import release_tuple

    floor = reader or "0.1.0"
    if asked is None or release_tuple(asked) < release_tuple(floor):
        return floor
    return asked


def publish_pack(pack_path: str | os.PathLike, to: str | os.PathLike, *, min_app_version: str | None = None,
                 now: datetime | None = None, sign_key: str | None = None,
                 deltas_enabled: bool = True) -> PublishResult:
    """Validate the pack at ``pack_path``, copy it as a content-addressed zip into ``to``, update the index.

    With ``sign_key`` (the town's private Ed25519 key, hex) the zip carries ``manifest.sig``, the signature of
    the manifest it holds (:mod:`heritage_kit.packs.signing`). With ``deltas_enabled`` and the previous
    version's zip in ``to``, a patch from it (``packs.delta``) is published too when it is small enough;
    phones on that version download it instead of the whole zip.

    ``min_app_version`` (the catalogue's "oldest app that reads it") is at least the pack's own
    ``reader_min_version`` (format 1.1 and later), whatever is passed; by default exactly that.
    """
    from heritage_kit.packs import load_pack, validate_pack
    from heritage_kit.packs.pack import pack_files
    from heritage_kit.packs.storage import write_pack_files

    report = validate_pack(pack_path)
    if not report.ok:
        raise PackError(f"{pack_path}: not published, the pack is invalid", report)
    pack = load_pack(pack_path)
    folder = Path(to)
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = read_index(folder)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".publish-") as tmp:
        staged = Path(tmp) / "pack.zip"
        files = pack_files(pack)
        min_app_version = _min_app_version(min_app_version, pack.manifest.reader_min_version)
        if sign_key is not None:
            from heritage_kit.packs.signing import SIGNATURE, sign_manifest

            files[SIGNATURE] = (sign_manifest(files["manifest.json"], sign_key) + "\n").encode("ascii")
        write_pack_files(files, staged)
        data = staged.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        name = pack_file_name(pack.manifest.town_id, pack.manifest.version, sha)
        target = folder / name
        reused = target.is_file()
        if not reused:
            os.replace(staged, target)
    try:
        old: CatalogueEntry | None = entry_for(catalogue, pack.manifest.town_id)
        if old.sha256 == sha:
            return PublishResult(target, old, True)
    except CatalogueError:  # not yet in the catalogue
        old = None
    deltas = [] if old is None or not deltas_enabled else _publish_delta(folder, old, data, pack.manifest.version)
    catalogue = upsert_entry(catalogue, pack.manifest, file=name, size=len(data), sha256=sha,
                             published=now or datetime.now(timezone.utc), min_app_version=min_app_version,
                             deltas=deltas, public_key=_public_key(sign_key))
    write_atomic(folder / "index.schema.json",
                 (json.dumps(catalogue_schema(), ensure_ascii=False, indent=2) + "\n").encode())
    write_atomic(folder / INDEX, (catalogue.model_dump_json(indent=1) + "\n").encode())
    return PublishResult(target, entry_for(catalogue, pack.manifest.town_id), reused)


def _public_key(sign_key: str | None) -> str | None:
    """The public half of the signing key, listed in the catalogue for the app to pin (issue 15)."""
    if sign_key is None:
        return None
    from heritage_kit.packs.signing import public_key_of

    return public_key_of(sign_key)
