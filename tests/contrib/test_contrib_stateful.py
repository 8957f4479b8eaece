"""A stateful property test: any sequence of contributor and moderator actions over HTTP matches a model.

Hypothesis drives submits, replays, revisions, approvals, rejections and change
requests against the app (through FastAPI's test client); a plain dict is the
model. After every step the server agrees with the model, never answers 500,
and the audit log has exactly one entry per accepted state change.
"""

from __future__ import annotations

import json
import pathlib
import warnings

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from contrib_support import new_poi_doc  # noqa: E402
from heritage_kit.inbox import InboxSettings, SqliteStorage, create_app  # noqa: E402
from heritage_kit.packs import load_pack  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = "moderator-key-stateful-000"
TOKENS = ["device-token-state-aaaaaa", "device-token-state-bbbbbb"]
PACK = load_pack(ROOT / "content" / "perigueux")
LEGAL = {("pending", "approve"): "approved", ("pending", "reject"): "rejected",
         ("pending", "request-changes"): "changes_requested"}


class InboxMachine(RuleBasedStateMachine):
    submissions = Bundle("submissions")

    def __init__(self) -> None:
        super().__init__()
        self.storage = SqliteStorage(":memory:")
        app = create_app(self.storage, PACK, InboxSettings(moderator_keys={KEY: "m"}, submission_burst=10**6,
                                                           read_burst=10**6, address_burst=10**6))
        self.client = TestClient(app, raise_server_exceptions=True)
        self.model: dict[str, dict] = {}  # uuid -> {"doc", "token", "status"}
        self.changes = 0  # accepted state changes (= audit entries)

    def teardown(self) -> None:
        self.client.close()
        self.storage.close()

    def _post(self, doc: dict, token: str):
        return self.client.post("/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                                files=[("submission", (None, json.dumps(doc), "application/json"))])

    @rule(target=submissions, n=st.integers(0, 10**6), who=st.sampled_from(TOKENS))
    def submit(self, n, who):
        doc = new_poi_doc(name=f"Lavoir {n}")
        r = self._post(doc, who)
        assert r.status_code == 201, r.text
        self.model[doc["uuid"]] = {"doc": doc, "token": who, "status": "pending"}
        self.changes += 1
        return doc["uuid"]

    @rule(uid=submissions, same_device=st.booleans())
    def replay(self, uid, same_device):
        m = self.model[uid]
        token = m["token"] if same_device else next(t for t in TOKENS if t != m["token"])
        r = self._post(m["doc"], token)
        assert r.status_code == (200 if same_device else 409), r.text
        if same_device:
            assert r.json()["outcome"] == "replay" and r.json()["status"] == m["status"]

    @rule(uid=submissions, n=st.integers(0, 10**6))
    def revise(self, uid, n):
        m = self.model[uid]
        doc = {**m["doc"], "proposal": {**m["doc"]["proposal"], "dates": f"an {n}"}}
        if doc == m["doc"]:
            return
        r = self._post(doc, m["token"])
        if m["status"] in ("pending", "changes_requested"):
            assert r.status_code == 200 and r.json()["outcome"] == "revised", r.text
            m["doc"], m["status"] = doc, "pending"
            self.changes += 1
        else:
            assert r.status_code == 409

    @rule(uid=submissions, action=st.sampled_from(["approve", "reject", "request-changes"]))
    def moderate(self, uid, action):
        m = self.model[uid]
        body = {} if action == "approve" else {"reason": "Merci de préciser."}
        r = self.client.post(f"/v1/moderation/submissions/{uid}/{action}", headers={"X-API-Key": KEY}, json=body)
        new = LEGAL.get((m["status"], action))
        if new is None:
            assert r.status_code == 409, r.text
        else:
            assert r.status_code == 200 and r.json()["status"] == new, r.text
            m["status"] = new
            self.changes += 1

    @rule(uid=submissions)
    def status_is_private(self, uid):
        m = self.model[uid]
        other = next(t for t in TOKENS if t != m["token"])
        assert self.client.get(f"/v1/submissions/{uid}", headers={"Authorization": f"Bearer {other}"}
                               ).status_code == 404

    @rule(uid=submissions)
    def status_is_served_to_its_device(self, uid):
        m = self.model[uid]
        r = self.client.get(f"/v1/submissions/{uid}", headers={"Authorization": f"Bearer {m['token']}"})
        assert r.status_code == 200 and r.json()["status"] == m["status"]

    @invariant()
    def server_agrees_with_the_model(self):
        for uid, m in self.model.items():
            assert self.storage.get(uid).status == m["status"]
        assert self.storage.count() == len(self.model)
        assert len(self.storage.audit(limit=10**6)) == self.changes


InboxMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_inbox_state_machine = InboxMachine.TestCase
