"""Hypothesis fuzz of the pack loader (issue 15): every file type mutated, nothing but HeritageKitError escapes.

Seeds: the real Chambéry pack (manifest, pois, streets, basemap, trails, build) as a folder, and the same pack as a
zip. A mutation either flips/inserts/deletes bytes of one file, or replaces one JSON value deep inside it with an
odd one (huge, infinite, negative, wrong type, nested); the checksums are recomputed so the content checks are
reached (except for the manifest itself and the zip, whose raw bytes are mutated).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage_kit.errors import HeritageKitError
from heritage_kit.packs import load_pack

FILES = ["manifest.json", "pois.geojson", "streets.geojson", "basemap.geojson", "trails.json", "build.json"]
ODD = st.sampled_from([None, True, 0, -1, 1e308, 10**30, "", "x" * 300, [], {}, [[[]]], {"type": "Point"},
                       [500.0, -300.0], "1e999", [1e308, 1e308]])
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def seed(content_dir):
    root = content_dir / "chambery"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in list(value.items())[:20]:
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:8]):
            yield from _paths(v, prefix + (i,))


def _replace(doc, path, new):
    if not path:
        return new
    target = doc
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = new
    return doc


def _write(tmp_path, files, rehash=True):
    if rehash:
        m = json.loads(files["manifest.json"])
        m["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                      for n, d in files.items() if n != "manifest.json"}
        files = {**files, "manifest.json": json.dumps(m).encode()}
    root = tmp_path / "p"
    for n, d in files.items():
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(d)
    return root


def _load(path):
    try:
        load_pack(path)
    except HeritageKitError:
        pass


@pytest.mark.slow
@SETTINGS
@given(name=st.sampled_from(FILES), k=st.integers(0, 10**6), odd=ODD)
def test_json_value_mutations(tmp_path_factory, seed, name, k, odd):
    doc = json.loads(seed[name])
    paths = list(_paths(doc))
    path = paths[k % len(paths)]  # one fixed-shape draw (a data.draw over a per-file list replayed as flaky once)
    doc = _replace(doc, path, odd)
    files = {**seed, name: json.dumps(doc).replace('"1e999"', "1e999").encode()}
    _load(_write(tmp_path_factory.mktemp("j"), files, rehash=name != "manifest.json"))


@pytest.mark.slow
@SETTINGS
@given(name=st.sampled_from(FILES), i=st.integers(0, 10**6), junk=st.binary(max_size=12),
       cut=st.integers(0, 64))
def test_byte_mutations(tmp_path_factory, seed, name, i, junk, cut):
    raw = bytearray(seed[name])
    i %= len(raw)
    raw[i:i + cut] = junk
    _load(_write(tmp_path_factory.mktemp("b"), {**seed, name: bytes(raw)}, rehash=name != "manifest.json"))


@pytest.mark.slow
@SETTINGS
@given(i=st.integers(0, 10**6), junk=st.binary(min_size=1, max_size=8))
def test_zip_mutations(tmp_path_factory, seed, i, junk):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in seed.items():
            zf.writestr(n, d)
    raw = bytearray(out.getvalue())
    i %= len(raw)
    raw[i:i + len(junk)] = junk
    path = tmp_path_factory.mktemp("z") / "p.zip"
    path.write_bytes(bytes(raw))
    _load(path)
