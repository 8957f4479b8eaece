"""Pack deltas: a small patch from one published pack zip to the next (pure: bytes in, bytes out).

Format (``<town>-<from>-<to>-<sha12>.delta.zip``, a zip written by
:func:`heritage_kit.packs.storage.write_zip`):

* ``delta.json`` — ``{"format": 1, "town_id", "base_version", "base_sha256",
  "target_version", "target_sha256", "target_size", "removed": [names],
  "files": {name: sha256}}``;
* ``files/<name>`` — every pack file that is new or changed in the target
  (for a new contribution: ``pois.geojson``, ``manifest.json`` and its photos).

Applying it (:func:`apply_delta`) takes the installed base zip's files, drops
``removed``, adds ``files/*`` and writes the zip again with the same
deterministic writer that ``pack publish`` uses, so the result is the
published zip byte for byte: its SHA-256 must equal ``target_sha256`` (the
catalogue's). Any difference — another base, a damaged delta, another zlib
that deflates differently — raises :class:`DeltaMismatch` and the installer
downloads the full zip instead. A delta is only published when it is at most
:data:`MAX_RATIO` of the full zip.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from heritage_kit.errors import PackDownloadError
from heritage_kit.packs.storage import MAX_FILE_BYTES, MAX_FILES, MAX_UNCOMPRESSED_BYTES, check_member_name, write_zip

__all__ = ["DELTA_FORMAT", "MAX_RATIO", "DeltaMismatch", "DeltaPlan", "apply_delta", "make_delta", "plan_delta",
           "read_zip_files"]

DELTA_FORMAT = 1
MAX_RATIO = 0.5  # a delta larger than half the full zip is not worth publishing
_DOC = "delta.json"
_FILES = "files/"


class DeltaMismatch(PackDownloadError):
    """A delta does not turn the installed pack into the published one (the full zip is downloaded instead)."""

    def __init__(self, message: str, *, town_id: str | None = None) -> None:
        super().__init__(message, town_id=town_id, reason="delta")


@dataclass(frozen=True)
class DeltaPlan:
    """What changes from a base pack to a target pack."""

    changed: dict[str, bytes]  # new or changed files, with their target bytes
    removed: tuple[str, ...]  # files of the base that the target no longer has


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_zip_files(data: bytes, *, what: str = "zip") -> dict[str, bytes]:
    """Every file of a zip held in memory (names checked, sizes capped)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise DeltaMismatch(f"{what}: not a readable zip ({exc})") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
            raise DeltaMismatch(f"{what}: too large")
        out: dict[str, bytes] = {}
        for info in infos:
            why = check_member_name(info.filename)
            if why or info.file_size > MAX_FILE_BYTES:
                raise DeltaMismatch(f"{what}: entry {info.filename!r} refused ({why or 'too large'})")
            try:
                out[info.filename] = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:  # CRC error, truncated data
                raise DeltaMismatch(f"{what}: entry {info.filename!r} unreadable ({exc})") from None
    return out


def plan_delta(base: dict[str, bytes], target: dict[str, bytes]) -> DeltaPlan:
    """The files to add or replace and the files to remove to turn ``base`` into ``target``."""
    changed = {n: d for n, d in target.items() if base.get(n) != d}
    removed = tuple(sorted(n for n in base if n not in target))
    return DeltaPlan(changed, removed)


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    write_zip(files, buf)
    return buf.getvalue()


def make_delta(base_zip: bytes, target_zip: bytes, *, town_id: str, base_version: int,
               target_version: int) -> bytes:
    """The delta file (bytes) turning the published ``base_zip`` into ``target_zip``."""
    base = read_zip_files(base_zip, what="base pack")
    target = read_zip_files(target_zip, what="target pack")
    plan = plan_delta(base, target)
    doc = {
        "format": DELTA_FORMAT,
        "town_id": town_id,
        "base_version": base_version,
        "base_sha256": _sha(base_zip),
        "target_version": target_version,
        "target_sha256": _sha(target_zip),
        "target_size": len(target_zip),
        "removed": list(plan.removed),
        "files": {n: _sha(d) for n, d in sorted(plan.changed.items())},
    }
    files = {_FILES + n: d for n, d in plan.changed.items()}
    files[_DOC] = (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    return _zip_bytes(files)


def apply_delta(base_zip: bytes, delta: bytes, *, town_id: str | None = None) -> bytes:
    """The target zip rebuilt from the installed ``base_zip`` and ``delta``, byte-identical to the
    published one, or :class:`DeltaMismatch` saying what differs."""
    files = read_zip_files(delta, what="delta")
    try:
        doc = json.loads(files.pop(_DOC))
        base_sha, target_sha = doc["base_sha256"], doc["target_sha256"]
        target_size, removed, listed = int(doc["target_size"]), list(doc["removed"]), dict(doc["files"])
        if doc["format"] != DELTA_FORMAT:
            raise ValueError(f"format {doc['format']!r}, this app reads {DELTA_FORMAT}")
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise DeltaMismatch(f"delta: delta.json unreadable ({exc})", town_id=town_id) from None
    if _sha(base_zip) != base_sha:
        raise DeltaMismatch(f"delta: made for the base {base_sha[:12]}…, the installed pack is "
                            f"{_sha(base_zip)[:12]}…", town_id=town_id)
    changed = {n[len(_FILES):]: d for n, d in files.items() if n.startswith(_FILES)}
    if set(changed) != set(listed) or any(_sha(changed[n]) != listed[n] for n in listed):
        raise DeltaMismatch("delta: its files differ from its own list", town_id=town_id)
    result = read_zip_files(base_zip, what="installed pack")
    for name in removed:
        result.pop(name, None)
    result.update(changed)
    out = _zip_bytes(result)
    if len(out) != target_size or _sha(out) != target_sha:
        raise DeltaMismatch(f"delta: the rebuilt pack ({len(out)} bytes, SHA-256 {_sha(out)[:12]}…) is not the "
                            f"published one ({target_size} bytes, {target_sha[:12]}…)", town_id=town_id)
    return out
