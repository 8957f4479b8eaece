"""Contribute and "My submissions": per-field validation in French and English, consent, duplicate
warning, photo from a file (EXIF removed), place at my position or a tapped map point, saved offline
to the outbox; statuses, and "Send now" with no server, a fake client and a real inbox on 127.0.0.1."""

from __future__ import annotations

import io
import pathlib
import sys

import pytest
from PIL import Image

from heritage_kit.errors import SubmissionRefused, SyncError
from heritage_kit.submissions import Outbox
from heritage_kit.submissions.client import StatusResult, SubmitResult
from heritage_kit.submissions.messages import message
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.contribute import ContributePresenter, form_field
from mobile.presenters.location import Position
from mobile.presenters.map_view import MapScene

PALACE = LatLon(lat=43.7314, lon=7.4198)  # Palais Princier in the mini pack
NEAR_PALACE = LatLon(lat=43.7315, lon=7.4200)
TOKEN = "device-token-mobile-0000000"


def _jpeg_with_gps(path: pathlib.Path) -> pathlib.Path:
    im = Image.new("RGB", (320, 240), (180, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (43.0, 43.0, 53.0), 3: "E", 4: (7.0, 25.0, 11.0)}
    im.save(path, "JPEG", exif=exif.tobytes(), quality=90)
    with Image.open(path) as check:
        assert check.getexif()  # the file really carries EXIF and GPS
    return path


def _presenter(pack, tmp_path, lang="en", outbox=None) -> ContributePresenter:
    box = outbox if outbox is not None else (lambda: Outbox(tmp_path / "outbox.sqlite", pack=pack))
    return ContributePresenter(pack, Translator(lang), box)


def _fill(p: ContributePresenter, *, name="Plaque des remparts", where=NEAR_PALACE, consent=True) -> None:
    f = p.form
    f.kind, f.category = "heritage", "memorial"
    f.name, f.description, f.author, f.consent = name, "Une plaque ancienne.", "Testeur", consent
    p.set_place(where)


# -- validation ------------------------------------------------------------------------------
@pytest.mark.parametrize("lang, required, labels", [
    ("en", "This field is required.", ("Name: ", "Category: ", "Place: ", "Pseudonym: ", "Licence agreement: ")),
    ("fr", "Ce champ est obligatoire.", ("Nom : ", "Catégorie : ", "Lieu : ", "Pseudonyme : ", "Accord de licence : ")),
])
def test_empty_form_gives_a_message_per_field_in_the_users_language(pack, tmp_path, lang, required, labels):
    p = _presenter(pack, tmp_path, lang)
    errors = p.field_errors()
    assert set(errors) == {"name", "category", "place", "author", "consent"}  # no category chosen by default
    assert errors["name"] == required and errors["place"] == required
    assert errors["category"] == ("Choose a category." if lang == "en" else "Choisissez une catégorie.")
    text = p.precheck()
    assert text.startswith("To fix: " if lang == "en" else "À corriger : ")
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)  # in the order of the form


@pytest.mark.parametrize("lang, words", [("en", "CC BY-SA 4.0 licence"), ("fr", "licence CC BY-SA 4.0")])
def test_consent_is_required(pack, tmp_path, lang, words):
    p = _presenter(pack, tmp_path, lang)
    _fill(p, consent=False)
    errors = p.field_errors()
    assert list(errors) == ["consent"] and words in errors["consent"]
    result = p.save()
    assert not result.ok and words in result.text
    assert p.outbox.items() == []  # nothing stored without consent
    p.form.consent = True
    assert p.field_errors() == {} and p.precheck() is None


def test_place_outside_the_town_and_markup_in_a_name(pack, tmp_path):
    en, fr = _presenter(pack, tmp_path, "en"), _presenter(pack, tmp_path, "fr")
    for p in (en, fr):
        _fill(p, name="<b>Palais</b>", where=LatLon(lat=48.85, lon=2.35))
    assert "outside the area covered (Monaco)" in en.field_errors()["place"]
    assert "en dehors de la zone couverte (Monaco)" in fr.field_errors()["place"]
    assert "HTML" in en.field_errors()["name"] and "HTML" in fr.field_errors()["name"]


def test_library_fields_map_to_form_fields():
    assert form_field("proposal.name.fr") == "name"
    assert form_field("proposal.location") == "place"
    assert form_field("contributor") == "author"
    assert form_field("photos.0") == "photo"
    assert form_field("consent") == "consent"
    assert form_field("target") == "form"


# -- duplicate warning ---------------------------------------------------------------------------
def test_duplicate_warning_near_a_similar_name(pack, tmp_path):
    en, fr = _presenter(pack, tmp_path, "en"), _presenter(pack, tmp_path, "fr")
    for p in (en, fr):
        p.set_place(NEAR_PALACE)
    assert en.duplicate_warning("Prince's Palace").startswith("Careful: “Prince's Palace” already exists")
    assert fr.duplicate_warning("Palais princier").startswith("Attention : « Palais Princier » existe déjà à")
    assert en.duplicate_warning("Lavoir des Moulins") == ""
    en.set_place(LatLon(lat=43.7400, lon=7.4300))  # far from the palace
    assert en.duplicate_warning("Prince's Palace") == ""
    en.form.location = None
    assert en.duplicate_warning("Prince's Palace") == ""


def test_duplicate_warning_escapes_pack_text(pack, tmp_path):
    from heritage_kit.packs import ContentPack

    poi = pack.poi("osm:way/1")
    marked = poi.model_copy(update={"name": type(poi.name)({"fr": "Palais [b]Princier[/b]",
                                                            "en": "Prince's [b]Palace[/b]"})})
    pois = [marked if q.id == poi.id else q for q in pack.pois]
    m = pack.manifest
    pack = ContentPack.new(town_id=m.town_id, town_name=m.town_name, pois=pois, trails=pack.trails,
                           attributions=m.attributions, timezone=m.timezone, country=m.country)
    p = _presenter(pack, tmp_path, "en")
    p.set_place(PALACE)
    assert "[b]" not in p.duplicate_warning("Prince's [b]Palace[/b]")
    assert "&bl;b&br;" in p.duplicate_warning("Prince's [b]Palace[/b]")


# -- place ------------------------------------------------------------------------------------------
def test_place_at_my_position_or_at_a_tapped_map_point(pack, tmp_path):
    from datetime import datetime, timezone

    p = _presenter(pack, tmp_path, "en")
    assert p.where_text() == "Place: not chosen yet"
    p.set_place(None)  # no position yet: nothing chosen
    assert p.form.location is None
    here = Position(43.73021, 7.42256, 8.0, datetime(2026, 6, 1, tzinfo=timezone.utc))
    p.set_place(here.latlon)
    assert p.where_text() == "Place: 43.73021, 7.42256"
    scene = MapScene.from_pack(pack)
    x, y = scene.to_xy(PALACE.lat, PALACE.lon)
    p.set_place_from_map(scene, x, y)
    assert p.form.location.lat == pytest.approx(PALACE.lat, abs=1e-9)
    assert p.form.location.lon == pytest.approx(PALACE.lon, abs=1e-9)
    assert Translator("fr") and _presenter(pack, tmp_path, "fr").where_text() == "Lieu : pas encore choisi"


# -- saving offline, photo ---------------------------------------------------------------------------
def test_saved_offline_with_a_photo_from_a_file_without_exif(pack, tmp_path):
    photo = _jpeg_with_gps(tmp_path / "IMG_0001.jpg")
    p = _presenter(pack, tmp_path, "fr")
    _fill(p)
    p.form.photo_path = str(photo)
    assert p.photo_text() == "Photo : IMG_0001.jpg"
    result = p.save()
    assert result.ok and result.text == "Enregistré sur ce téléphone. Envoyez-le avec « Envoyer maintenant » dans « Mes contributions »."
    assert p.form.name == "" and p.form.location is None and p.form.author == "Testeur"  # ready for the next one
    p.outbox.close()
    box = Outbox(tmp_path / "outbox.sqlite", pack=pack)  # durable: read again from the file
    (item,) = box.items()
    assert item.uuid == result.uuid and item.status == "queued" and item.photo_count == 1
    assert item.submission.proposal.name == {"fr": "Plaque des remparts"}
    assert item.submission.consent and item.submission.contributor == "Testeur"
    stored = Image.open(io.BytesIO(box.photos(item.uuid)[0]))
    assert not stored.getexif() and "exif" not in stored.info  # EXIF and GPS removed on the device
    rows = ContributePresenter(pack, Translator("en"), box).my_submissions()
    assert [(r.title, r.status, r.status_code) for r in rows] == [("Plaque des remparts", "waiting to be sent", "queued")]
    assert "photos: 1" in rows[0].detail and "memorial" in rows[0].detail.lower()
    box.close()


def test_unreadable_photo_file_and_non_image(pack, tmp_path):
    p = _presenter(pack, tmp_path, "en")
    _fill(p)
    p.form.photo_path = str(tmp_path / "missing.jpg")
    result = p.save()
    assert not result.ok and result.text.startswith("Error: ")
    (tmp_path / "notes.jpg").write_text("not a picture")
    p.form.photo_path = str(tmp_path / "notes.jpg")
    result = p.save()
    assert not result.ok and result.text.startswith("To fix: Photo: ") and "JPEG, PNG or WebP" in result.text
    assert p.outbox.items() == [] and p.form.name  # nothing stored, the form is kept


def test_contributor_text_is_escaped_in_my_submissions(pack, tmp_path):
    p = _presenter(pack, tmp_path, "en")
    _fill(p, name="Plaque [color=ff0000]rouge[/color] & co")
    assert p.save().ok
    (row,) = p.my_submissions()
    assert "[" not in row.title and "&amp; co" in row.title


# -- statuses and "Send now" -----------------------------------------------------------------------------
class FakeClient:
    """Answers like an inbox: the first submission is accepted, the second refused; statuses move on."""

    def __init__(self, url, token):
        self.url, self.token, self.sent = url, token, []

    def submit(self, submission, photos=()):
        self.sent.append(submission.id)
        if "refus" in submission.proposal.name.get("fr", ""):
            m = message("outside_town", town="Monaco")
            raise SubmissionRefused("proposal.location: outside", {"proposal.location": m.en}, status_code=422,
                                    messages={"proposal.location": m})
        return SubmitResult(submission.id, "pending", True)

    def status(self, uuid):
        return StatusResult(uuid, "changes_requested", "Ajoutez une photo de la plaque.")


def test_send_now_without_server_keeps_everything(pack, tmp_path):
    for lang, start in (("en", "No contribution server is set"), ("fr", "Aucun serveur de contributions")):
        p = _presenter(pack, tmp_path / lang, lang)
        _fill(p)
        assert p.save().ok
        out = p.send_now("  ", TOKEN)
        assert not out.ok and out.text.startswith(start)
        assert [r.status_code for r in out.rows] == ["queued"]


def test_send_now_refuses_a_plain_http_server_address(pack, tmp_path):
    p = _presenter(pack, tmp_path, "en")
    out = p.send_now("http://inbox.example.org", TOKEN)
    assert not out.ok and out.text.startswith("Server address refused (") and "HTTPS" in out.text


def test_send_now_statuses_with_the_servers_messages(pack, tmp_path):
    p = _presenter(pack, tmp_path, "fr")
    _fill(p, name="Plaque acceptée")
    assert p.save().ok
    _fill(p, name="Plaque refusée")
    assert p.save().ok
    clients = []

    def factory(url, token):
        clients.append(FakeClient(url, token))
        return clients[-1]

    out = p.send_now("https://inbox.example.org", TOKEN, client_factory=factory)
    assert out.ok, out.text
    assert out.text == "Envoyées : 1 · refusées : 1 · états mis à jour : 1 · en attente : 0"
    assert clients[0].url == "https://inbox.example.org" and clients[0].token == TOKEN
    rows = {r.title: r for r in out.rows}
    refused, accepted = rows["Plaque refusée"], rows["Plaque acceptée"]
    assert refused.status == "refusée" and refused.status_code == "rejected"
    assert refused.message == "Lieu : Ce lieu est en dehors de la zone couverte (Monaco)."  # in French
    assert accepted.status == "modifications demandées"
    assert accepted.message == "Ajoutez une photo de la plaque."
    en = ContributePresenter(pack, Translator("en"), p.outbox).my_submissions()
    assert {r.message for r in en} == {"Place: This place is outside the area covered (Monaco).",
                                       "Ajoutez une photo de la plaque."}


def test_send_now_when_the_server_is_unreachable(pack, tmp_path):
    class Down(FakeClient):
        def submit(self, submission, photos=()):
            raise SyncError("POST /v1/submissions: connection failed (ConnectionError)")

    p = _presenter(pack, tmp_path, "en")
    _fill(p)
    assert p.save().ok
    out = p.send_now("https://inbox.example.org", TOKEN, client_factory=Down, sleep=lambda s: None)
    assert not out.ok and "1 waiting, will retry later" in out.text
    assert out.text.startswith("Sending stopped: the server cannot be reached (no network?).")
    assert [r.status for r in out.rows] == ["waiting to be sent (last try failed)"]
    fr = _presenter(pack, tmp_path, "fr").send_now("https://inbox.example.org", TOKEN, client_factory=Down,
                                                    sleep=lambda s: None)
    assert fr.text.startswith("Envoi interrompu : le serveur ne répond pas (pas de réseau ?).")
    assert "ConnectionError" not in fr.text  # the library's English detail stays out of the French screen


def test_send_now_says_why_in_the_users_language(pack, tmp_path):
    class Refusing(FakeClient):
        def submit(self, submission, photos=()):
            raise SyncError("POST /v1/submissions: 403 forbidden", transient=False, status_code=403)

    p = _presenter(pack, tmp_path, "fr")
    _fill(p)
    assert p.save().ok
    out = p.send_now("https://inbox.example.org", TOKEN, client_factory=Refusing, sleep=lambda s: None)
    assert out.text.startswith("Envoi interrompu : le serveur n'accepte pas ce téléphone.")


def test_send_now_to_a_real_inbox_on_localhost(pack, tmp_path):
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "contrib"))
    from contrib_support import ThreadServer

    from heritage_kit.inbox import InboxSettings, InboxService, SqliteStorage, create_app

    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    settings = InboxSettings()
    photo = _jpeg_with_gps(tmp_path / "plaque.jpg")
    p = _presenter(pack, tmp_path, "en")
    _fill(p)
    p.form.photo_path = str(photo)
    assert p.save().ok
    _fill(p, name="Lavoir du Rocher")
    assert p.save().ok
    try:
        with ThreadServer(create_app(storage, pack, settings)) as server:
            out = p.send_now(server.url, TOKEN)
            assert out.ok, out.text
            assert out.text == "Sent: 2 · refused: 0 · statuses updated: 0 · waiting: 0"
            assert [r.status for r in out.rows] == ["sent, being moderated"] * 2
            rows = {r.title: r for r in out.rows}
            service = InboxService(storage, pack, settings)
            service.reject(rows["Plaque des remparts"].uuid, actor="alice", reason="Already in the guide.")
            service.approve(rows["Lavoir du Rocher"].uuid, actor="alice")
            out = p.send_now(server.url, TOKEN)
            assert out.text == "Sent: 0 · refused: 0 · statuses updated: 2 · waiting: 0"
            rows = {r.title: r for r in out.rows}
            assert (rows["Plaque des remparts"].status, rows["Plaque des remparts"].message) == (
                "rejected", "Already in the guide.")
            assert (rows["Lavoir du Rocher"].status, rows["Lavoir du Rocher"].message) == ("approved", "")
            assert len(storage.photos(rows["Plaque des remparts"].uuid)) == 1  # the photo went with it
    finally:
        storage.close()


def test_the_name_counter_appears_near_its_limit(pack):
    from mobile.presenters.contribute import ContributePresenter, text_limits

    limit = text_limits()["name"]
    for lang, unit in (("en", "characters"), ("fr", "caractères")):
        p = ContributePresenter(pack, Translator(lang))
        assert p.length_hint("name", "Lavoir", near=0.75) == ""
        assert p.length_hint("name", "x" * limit, near=0.75) == f"{limit} / {limit} {unit}"
        assert p.length_hint("name", "x" * (limit + 5), near=0.75) == f"{limit + 5} / {limit} {unit}"
