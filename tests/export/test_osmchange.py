"""``heritage-kit inbox osm-changes``: accepted hours edits of real Monaco shops, out as an osmChange file that
pyosmium reads back, or as a task list; conflicts with mappers' newer edits are never overwritten.

Data: the real pack ``content/monaco`` and ``tests/data/osm_changes/monaco-shops.osm``, a cut of the same OSM
extract (© OpenStreetMap contributors, ODbL 1.0; see the README next to it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

import osmium
import pytest

from heritage_kit.cli import main
from heritage_kit.export.osmchange import HoursChange, OsmElement, osmchange_xml, plan, task_rows, tasks_csv
from heritage_kit.inbox import InboxService, SqliteStorage, publish

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "osm_changes" / "monaco-shops.osm"
TOKEN = "device-token-osm-changes-01"
APPROVED = datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)

MARCHE_U = "node/267885935"
SPAR = "node/268113123"
CARREFOUR = "node/274497719"
EPI_DOR = "node/1712696722"
TOURIST_OFFICE = "way/94399465"
LAMBORGHINI = "node/1661205474"  # in the pack, not in the OSM cut


def read_osm(path) -> dict[str, dict]:
    """Every element of an OSM file as pyosmium reads it (a change file too)."""
    out = {}
    for o in osmium.FileProcessor(str(path)):
        kind = {"n": "node", "w": "way", "r": "relation"}[o.type_str()]
        el = {"version": o.version, "tags": dict(o.tags), "deleted": o.deleted}
        if kind == "node":
            el["lat"], el["lon"] = o.location.lat, o.location.lon
        elif kind == "way":
            el["nodes"] = [n.ref for n in o.nodes]
        out[f"{kind}/{o.id}"] = el
    return out


def osm_copy(tmp_path, name="current.osm", **changes: tuple[str, int]) -> pathlib.Path:
    """The fixture with some elements edited since (``node_123=(new opening_hours, new version)``)."""
    tree = ET.parse(FIXTURE)
    for key, (hours, version) in changes.items():
        kind, _, num = key.partition("_")
        el = tree.getroot().find(f"{kind}[@id='{num}']")
        el.set("version", str(version))
        el.find("tag[@k='opening_hours']").set("v", hours)
    path = tmp_path / name
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path


@pytest.fixture(scope="module")
def monaco(content_dir):
    from heritage_kit.packs import load_pack

    return load_pack(content_dir / "monaco")


@pytest.fixture
def inbox(tmp_path, monaco):
    db = tmp_path / "inbox.sqlite"
    storage = SqliteStorage(db)
    yield InboxService(storage, monaco), db
    storage.close()


def accept(svc, ref: str, proposal: dict, *, at=APPROVED, decide="approve") -> str:
    doc = {"uuid": str(uuid.uuid4()), "kind": "edit", "target": f"osm:{ref}", "contributor": "Marie P.",
           "consent": True, "proposal": proposal}
    st, _ = svc.submit(TOKEN, doc)
    if decide == "approve":
        svc.approve(st.uuid, actor="moderator:alice", at=at)
    elif decide == "reject":
        svc.reject(st.uuid, actor="moderator:alice", reason="pas vérifié", at=at)
    return st.uuid


NEW = {
    MARCHE_U: "Mo-Sa 08:30-19:30; Su 09:00-12:30; PH off",
    TOURIST_OFFICE: "Mo-Sa 09:00-18:00; Su 10:00-16:00",
    SPAR: "Mo-Sa 07:30-20:30; Su 09:00-13:00",
    CARREFOUR: "Mo-Sa 08:00-21:00; Su 09:00-13:00",
    LAMBORGHINI: "Mo-Fr 09:00-12:30,14:00-19:00",
}


def fill(svc):
    for ref, hours in NEW.items():
        accept(svc, ref, {"opening_hours": hours})
    accept(svc, EPI_DOR, {"opening_hours": "Mo-Sa 06:30-19:00"}, decide="none")  # still pending
    accept(svc, EPI_DOR, {"opening_hours": "Mo-Fr 07:00-19:00"}, decide="reject")
    accept(svc, EPI_DOR, {"description": {"fr": "Boulangerie de la rue Grimaldi."}})  # no hours


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["inbox", "osm-changes", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_osmchange_read_back_by_osmium_modifies_only_what_can_be_written(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    fill(svc)
    # since the import: a mapper changed Carrefour's hours (v14); someone already put Spar's new hours in (v9)
    current = osm_copy(tmp_path, node_274497719=("Mo-Sa 08:00-20:00; Su 09:00-12:00", 14),
                       node_268113123=(NEW[SPAR], 9))
    out = tmp_path / "changes.osc"
    code, stdout, err = run(capsys, "--db", db, "--pack", content_dir / "monaco", "--osm", current, "--out", out)
    assert code == 0, err

    before, after = read_osm(FIXTURE), read_osm(out)
    assert set(after) == {MARCHE_U, TOURIST_OFFICE}
    for ref, el in after.items():
        assert el["version"] == before[ref]["version"] and not el["deleted"]
        expected = {**before[ref]["tags"], "opening_hours": NEW[ref], "check_date:opening_hours": "2026-12-01"}
        assert el["tags"] == expected  # every current tag kept: a modify replaces all of them
    assert (after[MARCHE_U]["lat"], after[MARCHE_U]["lon"]) == (before[MARCHE_U]["lat"], before[MARCHE_U]["lon"])
    assert after[TOURIST_OFFICE]["nodes"] == before[TOURIST_OFFICE]["nodes"]
    root = ET.parse(out).getroot()
    assert (root.tag, root.get("version"), [c.tag for c in root]) == ("osmChange", "0.6", ["modify"])

    lines = {ln.split()[1]: ln for ln in stdout.splitlines() if ln.strip().startswith("skipped")}
    assert set(lines) == {SPAR, CARREFOUR, LAMBORGHINI}
    assert "already has these hours" in lines[SPAR]
    assert "mapper changed the hours since the import" in lines[CARREFOUR] and "Su 09:00-12:00" in lines[CARREFOUR]
    assert "not in the OSM file" in lines[LAMBORGHINI]
    review = (tmp_path / "changes.md").read_text(encoding="utf-8")
    assert "https://www.openstreetmap.org/way/94399465" in review and "non écrasé" in review

    # the file just written, read as the state of OSM after its upload: nothing left to do
    again = tmp_path / "again.osc"
    code, stdout, _ = run(capsys, "--db", db, "--pack", content_dir / "monaco", "--osm", out, "--out", again)
    assert code == 0 and read_osm(again) == {}
    assert stdout.count("already has these hours") == 2


def test_pbf_input_keeps_versions_and_check_date_is_the_towns_day(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    accept(svc, MARCHE_U, {"opening_hours": NEW[MARCHE_U]}, at=datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc))
    pbf = tmp_path / "monaco-shops.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for o in osmium.FileProcessor(str(FIXTURE)):
            writer.add(o)
    out = tmp_path / "pbf.osc"
    code, _, err = run(capsys, "--database", f"sqlite:///{db}", "--pack", content_dir / "monaco", "--osm", pbf,
                       "--out", out)
    assert code == 0, err
    el = read_osm(out)[MARCHE_U]
    assert el["version"] == 12
    assert el["tags"]["check_date:opening_hours"] == "2026-12-02"  # 00:30 in Monaco


def test_after_publish_the_base_pack_gives_the_imported_hours(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    accept(svc, MARCHE_U, {"opening_hours": NEW[MARCHE_U]})
    result = publish(svc.storage, content_dir / "monaco", tmp_path / "v2", actor="cli:test")
    assert result.applied
    args = ["--db", db, "--pack", tmp_path / "v2", "--osm", FIXTURE]
    code, stdout, _ = run(capsys, *args, "--out", tmp_path / "a.osc")
    assert code == 0 and read_osm(tmp_path / "a.osc") == {}
    assert "imported value unknown" in stdout  # v2 already carries the new hours: a conflict cannot be ruled out
    code, _, err = run(capsys, *args, "--base-pack", content_dir / "monaco", "--out", tmp_path / "b.osc")
    assert code == 0, err
    assert read_osm(tmp_path / "b.osc")[MARCHE_U]["tags"]["opening_hours"] == NEW[MARCHE_U]


def test_a_second_export_after_the_first_was_uploaded(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    first, second = NEW[MARCHE_U], "Mo-Sa 08:30-20:00; Su 09:00-12:30; PH off"
    accept(svc, MARCHE_U, {"opening_hours": first})
    publish(svc.storage, content_dir / "monaco", tmp_path / "v2", actor="cli:test")
    accept(svc, MARCHE_U, {"opening_hours": second}, at=datetime(2026, 12, 20, 9, tzinfo=timezone.utc))
    # the town uploaded the first export: OSM now holds our first value at version 13
    current = osm_copy(tmp_path, node_267885935=(first, 13))
    code, stdout, err = run(capsys, "--db", db, "--pack", tmp_path / "v2", "--osm", current,
                            "--out", tmp_path / "c.osc")
    assert code == 0, err
    el = read_osm(tmp_path / "c.osc")[MARCHE_U]
    assert (el["version"], el["tags"]["opening_hours"], el["tags"]["check_date:opening_hours"]) == (
        13, second, "2026-12-20")
    assert "replaced by a later change" in stdout  # the first one, already in OSM


def test_task_list_without_osm_data(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    accept(svc, MARCHE_U, {"opening_hours": NEW[MARCHE_U]})
    accept(svc, TOURIST_OFFICE, {"opening_hours": NEW[TOURIST_OFFICE]}, at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    code, stdout, err = run(capsys, "--db", db, "--pack", content_dir / "monaco", "--out", tmp_path / "tasks.json",
                            "--since", "2026-11-15")
    assert code == 0, err
    assert "not checked against OpenStreetMap" in stdout
    doc = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 1  # the tourist office is older
    f = doc["features"][0]
    p = f["properties"]
    assert (p["osm_url"], p["old"], p["new"], p["status"]) == (
        "https://www.openstreetmap.org/node/267885935", "Mo-Sa 08:30-19:30; Su off", NEW[MARCHE_U], "ready")
    assert p["name"] == "Marché U" and p["check_date"] == "2026-12-01"
    # what MapComplete's tag_apply needs: the element, and the tags to set as a JSON object
    assert (f["id"], p["id"], p["osm_id"]) == ("hk-hours/node/267885935", "hk-hours/node/267885935", MARCHE_U)
    assert json.loads(p["tags"]) == {"opening_hours": NEW[MARCHE_U], "check_date:opening_hours": "2026-12-01"}
    assert doc["skipped"] == []
    assert "dimanche" in p["new_fr"].lower() and "09:00–12:30" in p["new_fr"]
    assert "Sunday" in p["new_en"] and "public holidays" in p["new_en"].lower()
    marche_u = next(poi for poi in svc.pack.pois if poi.refs.osm == MARCHE_U)
    assert f["geometry"]["coordinates"] == [marche_u.lon, marche_u.lat]
    with (tmp_path / "tasks.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["osm"], r["new"]) for r in rows] == [(MARCHE_U, NEW[MARCHE_U])]
    md = (tmp_path / "tasks.md").read_text(encoding="utf-8")
    assert "[node/267885935](https://www.openstreetmap.org/node/267885935)" in md and "Marché U" in md


def test_tasks_with_osm_data_show_what_osm_has_now(inbox, tmp_path, capsys, content_dir):
    svc, db = inbox
    accept(svc, CARREFOUR, {"opening_hours": NEW[CARREFOUR]})
    current = osm_copy(tmp_path, node_274497719=("Mo-Sa 08:00-20:00", 14))
    code, _, err = run(capsys, "--db", db, "--pack", content_dir / "monaco", "--osm", current, "--tasks",
                       "--out", tmp_path / "tasks.md")
    assert code == 0, err
    doc = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert doc["features"] == []  # a conflict is no task to do
    p = doc["skipped"][0]
    assert (p["status"], p["reason"], p["osm_now"], p["tags"]) == ("skipped", "conflict", "Mo-Sa 08:00-20:00", None)


def test_a_postgresql_inbox(tmp_path, capsys, content_dir, monaco):
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_cluster import PgCluster

    from heritage_kit.inbox.storage import open_storage

    cluster = PgCluster()
    try:
        url = cluster.new_database()
        storage = open_storage(url)
        try:
            accept(InboxService(storage, monaco), TOURIST_OFFICE, {"opening_hours": NEW[TOURIST_OFFICE]})
        finally:
            storage.close()
        code, _, err = run(capsys, "--database", url, "--pack", content_dir / "monaco", "--osm", FIXTURE,
                           "--out", tmp_path / "pg.osc")
    finally:
        cluster.stop()
    assert code == 0, err
    way = read_osm(tmp_path / "pg.osc")[TOURIST_OFFICE]
    assert (way["version"], way["tags"]["opening_hours"]) == (7, NEW[TOURIST_OFFICE])


@pytest.mark.parametrize(("name", "content", "words"), [
    ("broken.osm", b"<osm version='0.6'><node id='1' ", "cannot read OSM data"),
    ("broken.osm.pbf", b"not a pbf", "cannot read OSM data"),
    ("shops.txt", b"", "not an OSM file"),
    ("missing.osm", None, "no such file"),
])
def test_a_bad_osm_file_is_a_clear_error(inbox, tmp_path, capsys, content_dir, name, content, words):
    svc, db = inbox
    accept(svc, MARCHE_U, {"opening_hours": NEW[MARCHE_U]})
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    code, _, err = run(capsys, "--db", db, "--pack", content_dir / "monaco", "--osm", bad, "--out", tmp_path / "x.osc")
    assert code == 1 and f"--osm {bad}" in err and words in err
    assert not (tmp_path / "x.osc").exists()


def test_bad_arguments_name_what_is_wrong(tmp_path, capsys, content_dir):
    code, _, err = run(capsys, "--db", tmp_path / "none.sqlite", "--pack", content_dir / "monaco", "--out",
                       tmp_path / "x.osc")
    assert code == 1 and "none.sqlite: no such inbox database" in err
    SqliteStorage(tmp_path / "inbox.sqlite").close()
    code, _, err = run(capsys, "--db", tmp_path / "inbox.sqlite", "--pack", content_dir / "monaco", "--out",
                       tmp_path / "x.osc", "--since", "last week")
    assert code == 1 and "--since 'last week'" in err
    code, _, err = run(capsys, "--database", f"sqlite:///{tmp_path}/nope.sqlite", "--pack", content_dir / "monaco",
                       "--out", tmp_path / "x.json")
    assert code == 1 and "nope.sqlite: no such inbox database" in err
    assert not (tmp_path / "nope.sqlite").exists()


def test_the_installed_command_prints_no_traceback(tmp_path, content_dir):
    SqliteStorage(tmp_path / "inbox.sqlite").close()
    (tmp_path / "bad.osm").write_text("<osm>", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "heritage_kit", "inbox", "osm-changes", "--db",
                           str(tmp_path / "inbox.sqlite"), "--pack", str(content_dir / "monaco"), "--osm",
                           str(tmp_path / "bad.osm"), "--out", str(tmp_path / "x.osc")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "bad.osm: cannot read OSM data" in proc.stderr


# -- the pure core ---------------------------------------------------------------------
WHEN = datetime(2026, 12, 1, tzinfo=timezone.utc)


def change(ref="node/1", new="Mo-Fr 09:00-18:00", old="Mo-Fr 09:00-17:00", when=WHEN, **kw) -> HoursChange:
    return HoursChange(poi_id=f"osm:{ref}", osm_ref=ref, old_value=old, new_value=new, when=when, **kw)


def element(ref="node/1", hours="Mo-Fr 09:00-17:00", version=3, **kw) -> OsmElement:
    kind, _, num = ref.partition("/")
    extra = {"lat": 43.7, "lon": 7.4} if kind == "node" else {}
    return OsmElement(type=kind, id=int(num), version=version, tags={"shop": "bakery", "opening_hours": hours},
                      **{**extra, **kw})


def test_plan_refuses_invalid_values_and_keeps_the_latest_change_per_element():
    later = datetime(2026, 12, 3, tzinfo=timezone.utc)
    result = plan([change(new="Mo-Fr 9h-18h"), change(new="Mo-Sa 09:00-18:00", when=later), change()],
                  {"node/1": element()})
    assert [r.change.new_value for r in result.ready] == ["Mo-Sa 09:00-18:00"]
    assert sorted(s.reason for s in result.skipped) == ["invalid", "superseded"]
    invalid = next(s for s in result.skipped if s.reason == "invalid")
    assert "Mo-Fr 9h-18h" in invalid.message("fr") and "refusée" in invalid.message("fr")


def test_plan_skips_deleted_unversioned_and_unknown_old_values():
    result = plan([change("node/1"), change("node/2"), change("node/3", old_known=False), change("node/4", old=None)],
                  {"node/1": element("node/1", deleted=True), "node/2": element("node/2", version=0),
                   "node/3": element("node/3"), "node/4": element("node/4", hours="Mo-Fr 08:00-12:00")})
    assert not result.ready
    assert {s.change.osm_ref: s.reason for s in result.skipped} == {
        "node/1": "deleted", "node/2": "no_version", "node/3": "old_unknown", "node/4": "conflict"}


def test_relation_members_are_repeated_and_a_task_list_has_no_osmchange():
    rel = OsmElement(type="relation", id=9, version=2, tags={"type": "multipolygon", "shop": "mall",
                                                               "opening_hours": "Mo-Fr 09:00-17:00"},
                     members=(("way", 5, "outer"), ("way", 6, "inner")))
    result = plan([change("relation/9")], {"relation/9": rel})
    xml = osmchange_xml(result)
    parsed = ET.fromstring(xml).find("modify/relation")
    assert [(m.get("type"), m.get("ref"), m.get("role")) for m in parsed.findall("member")] == [
        ("way", "5", "outer"), ("way", "6", "inner")]
    assert parsed.get("version") == "2"
    tasks = plan([change("relation/9")])
    assert not tasks.checked_against_osm and task_rows(tasks)[0]["status"] == "ready"
    with pytest.raises(ValueError, match="relation/9: no OSM element"):
        osmchange_xml(tasks)


def test_an_earlier_accepted_value_in_osm_is_no_conflict():
    later = datetime(2026, 12, 3, tzinfo=timezone.utc)
    ours = [change(new="Mo-Fr 09:00-18:00"), change(new="Mo-Sa 09:00-18:00", when=later)]
    result = plan(ours, {"node/1": element(hours="Mo-Fr 09:00-18:00", version=4)})
    assert [(r.change.new_value, r.element.version) for r in result.ready] == [("Mo-Sa 09:00-18:00", 4)]
    mapper = plan(ours, {"node/1": element(hours="Mo-Fr 10:00-18:00", version=4)})
    assert not mapper.ready and [s.reason for s in mapper.skipped] == ["superseded", "conflict"]


def test_a_place_not_in_osm_is_reported_in_both_modes_never_exported():
    local = HoursChange(poi_id="hk:chez-lou", osm_ref="", old_value=None, new_value="Tu-Su 10:00-18:00", when=WHEN,
                        name="Chez Lou")
    for elements in ({"node/1": element()}, None):
        result = plan([change(), local], elements)
        assert [r.change.osm_ref for r in result.ready] == ["node/1"]
        (skip,) = result.skipped
        assert skip.change is local and skip.reason == "not_in_osm" and "map it first" in skip.message("en")
    rows = task_rows(result)
    assert [(r["status"], r["osm_url"]) for r in rows] == [
        ("ready", "https://www.openstreetmap.org/node/1"), ("skipped", "")]
    assert b"Chez Lou" not in osmchange_xml(plan([local], {})) and b"<node" not in osmchange_xml(plan([local], {}))


def test_the_csv_task_list_never_hands_a_spreadsheet_a_formula():
    hostile = change(name='=HYPERLINK("http://evil.example","Marché U")', note="@attacker's contribution")
    (row,) = list(csv.DictReader(io.StringIO(tasks_csv(task_rows(plan([hostile]))))))
    assert row["name"] == "'" + hostile.name and row["note"] == "'@attacker's contribution"
    assert row["new"] == "Mo-Fr 09:00-18:00" and row["osm"] == "node/1"  # ordinary cells untouched
