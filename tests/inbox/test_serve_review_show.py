"""``inbox review show`` prints a labelled text view (issue 22 item 9), not a dict; ``--json`` keeps the record."""

from __future__ import annotations

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "contrib"))
from contrib_support import make_jpeg, new_poi_doc  # noqa: E402

from heritage_kit.cli import main
from heritage_kit.inbox import InboxService, SqliteStorage
from heritage_kit.packs import load_pack

ROOT = pathlib.Path(__file__).parents[2]


def test_show_is_text_with_both_languages_and_json_on_request(tmp_path, capsys):
    db = tmp_path / "inbox.sqlite"
    pack = load_pack(ROOT / "content" / "perigueux")
    svc = InboxService(SqliteStorage(db), pack)
    doc = new_poi_doc("Lavoir de la rue Neuve", lat=45.18366, lon=0.72280)
    doc["proposal"]["name"]["en"] = "Rue Neuve wash-house"
    svc.submit("device-token-show-0000001", doc, [make_jpeg(300, 200)])
    svc.approve(doc["uuid"], actor="moderator:alice", edits={"dates": "1850"})
    assert main(["inbox", "review", "show", "--db", str(db), doc["uuid"]]) == 0
    out = capsys.readouterr().out
    assert "{" not in out and "'fr'" not in out and '"fr"' not in out  # no dict or JSON anywhere
    assert "[fr] Lavoir de la rue Neuve" in out and "[en] Rue Neuve wash-house" in out
    assert "45.183660, 0.722800" in out and "300x200" in out and "[approved]" in out
    assert "Corrections / Edits:" in out and "dates: 1850" in out
    assert "moderator:alice  approve  pending → approved" in out and "edits.dates=1850" in out
    assert main(["inbox", "review", "show", "--db", str(db), doc["uuid"], "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["submission"]["proposal"]["name"] == {"fr": "Lavoir de la rue Neuve", "en": "Rue Neuve wash-house"}
