"""The moderation desk in a real headless Chromium (selenium + Debian's chromedriver) against a real uvicorn on
127.0.0.1 (SQLite storage, the Périgueux and Monaco packs): sign-in, wrong password, town scoping (page and API),
accept with an edit, reject with a reason, a form without its CSRF token refused, a keyboard-only run, axe-core
(0 serious/critical violations) on every page, and the screenshots docs/screenshots/desk-*.png."""

from __future__ import annotations

import json
import pathlib
import shutil
import socket
import sys
import threading
import time
import uuid as _uuid

import pytest

pytest.importorskip("selenium")
pytest.importorskip("uvicorn")
pytest.importorskip("argon2")

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "a long password"
TOKEN = "device-token-for-browser-0001"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver") and AXE.is_file()),
                       reason="scripts/setup.sh installs chromium, chromium-driver and axe-core"),
]


def _doc(kind, proposal, target=None, contributor="Marie P."):
    d = {"uuid": str(_uuid.uuid4()), "kind": kind, "contributor": contributor, "consent": True,
         "created": "2026-11-20T10:00:00+00:00", "proposal": proposal}
    if target:
        d["target"] = target
    return d


class Server:
    """The real app under uvicorn on a free loopback port, in a thread of the test process."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from heritage_kit.inbox import InboxSettings, accounts, create_app
    from heritage_kit.inbox.storage import open_storage
    from heritage_kit.packs import load_pack

    tmp = tmp_path_factory.mktemp("desk")
    packs = [load_pack(ROOT / "content" / "monaco"), load_pack(ROOT / "content" / "perigueux")]
    storage = open_storage(str(tmp / "inbox.db"))
    for name, role, towns in (("max", "admin", ("monaco",)), ("ana", "moderator", ("perigueux",))):
        storage.add_account(name, password_hash=accounts.hash_password(PASSWORD), role=role, towns=towns)
    app = create_app(storage, packs, InboxSettings(), publish_dir=str(tmp / "published"))
    svc = app.state.inbox.services
    photo = (ROOT / "tests" / "data" / "mobile" / "photo.jpg").read_bytes()
    ids = {}
    d = _doc("new_poi", {"name": {"fr": "Malizia"}, "description": {"fr": "Statue de bronze de François Grimaldi "
             "déguisé en moine, face au palais."}, "category": "statue",
             "location": {"lat": 43.73135, "lon": 7.42085}})
    d["photos"] = []
    import hashlib

    d["photos"] = [{"sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo)}]
    ids["photo"] = svc["monaco"].submit(TOKEN, d, [photo])[0].uuid
    ids["edit"] = svc["monaco"].submit(TOKEN, _doc("edit", {
        "name": {"en": "Malizia (statue of Francesco Grimaldi)"},
        "description": {"fr": "François Grimaldi, dit « Malizia », déguisé en moine franciscain, l'épée sous la "
                              "robe : c'est ainsi qu'il s'empara du Rocher dans la nuit du 8 janvier 1297."}},
        target="osm:node/1784106772", contributor="Jean R."))[0].uuid
    ids["reject"] = svc["monaco"].submit(TOKEN, _doc("new_poi", {"name": {"fr": "Mon garage"}, "category": "statue",
                                                                 "location": {"lat": 43.7380, "lon": 7.4250}},
                                                     contributor="Paul"))[0].uuid
    ids["keyboard"] = svc["monaco"].submit(TOKEN, _doc("new_poi", {"name": {"fr": "Fontaine de la Visitation"},
                                                                   "category": "fountain",
                                                                   "location": {"lat": 43.7305, "lon": 7.4215}},
                                                       contributor="Lina"))[0].uuid
    ids["perigueux"] = svc["perigueux"].submit(TOKEN, _doc("new_poi", {"name": {"fr": "Lavoir de la rue Neuve"},
                                                                       "category": "fountain",
                                                                       "location": {"lat": 45.1850, "lon": 0.7200}}))[0].uuid
    server = Server(app)
    yield server.url, storage, ids
    server.stop()
    storage.close()


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--lang=fr-FR",
                f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        opts.add_argument(arg)
    opts.binary_location = shutil.which("chromium")
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    yield d
    d.quit()


def by(css):
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def sign_in(driver, url, name, password=PASSWORD):
    driver.delete_all_cookies()
    driver.get(f"{url}/desk/sign-in")
    driver.find_element(*by("#username")).send_keys(name)
    driver.find_element(*by("#password")).send_keys(password)
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))


def click(driver, element) -> None:
    """Click and wait for the next page: the old one's element goes stale, then the new document is complete
    (looking into a page still being parsed once failed: "Node with given id does not belong to the document")."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_) -> bool:  # EC.staleness_of, also when Chromium answers a node of the old document this way
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" not in str(exc):
                raise
            return True
        return False

    element.click()
    WebDriverWait(driver, 15).until(gone)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def wait(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the page did not change"
        time.sleep(0.1)


def axe(driver, page: str) -> None:
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}).then(done);")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page}: {bad}"
    assert result["passes"], page


def shot(driver, name: str) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(1280, min(max(900, height + 40), 2600))
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / name))
    driver.set_window_size(1280, 900)


def test_sign_in_wrong_password_then_queue(site, driver):
    url, storage, ids = site
    sign_in(driver, url, "max", "not the password")
    alert = driver.find_element(*by("[role=alert]"))
    assert ("incorrect" in alert.text or "Wrong" in alert.text) and driver.current_url.endswith("/desk/sign-in")
    axe(driver, "sign-in with error")
    sign_in(driver, url, "max")
    assert driver.current_url.endswith("/desk/queue")
    assert "Malizia" in driver.page_source and "Lavoir" not in driver.page_source
    cookie = driver.get_cookie("hk_desk")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    axe(driver, "queue")
    shot(driver, "desk-queue.png")


def test_submission_page_with_photo_map_and_hints_then_diff(site, driver):
    url, storage, ids = site
    sign_in(driver, url, "max")
    driver.get(f"{url}/desk/submissions/{ids['photo']}")
    assert driver.find_elements(*by(".photos img")), driver.title + driver.current_url + driver.page_source[-1500:]
    img = driver.find_element(*by(".photos img"))
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 0
    assert driver.find_elements(*by("figure.map-box svg .map-streets path"))
    hint = driver.find_element(*by(".hints a"))
    assert "Malizia" in hint.text
    axe(driver, "submission")
    shot(driver, "desk-submission.png")
    click(driver, hint)
    assert "osm:node/1784106772" in driver.page_source
    axe(driver, "poi")
    driver.get(f"{url}/desk/submissions/{ids['edit']}?lang=en")
    rows = driver.find_elements(*by("table.diff tbody tr.changed"))
    assert len(rows) == 2 and driver.find_elements(*by("table.diff ins"))
    assert "Compared with the current place" in driver.page_source
    axe(driver, "diff")
    shot(driver, "desk-diff.png")
    driver.get(f"{url}/desk/queue?lang=fr")


def test_accept_with_an_edit_and_reject_with_a_reason(site, driver):
    from selenium.webdriver.support.ui import Select

    url, storage, ids = site
    sign_in(driver, url, "max")
    driver.get(f"{url}/desk/submissions/{ids['photo']}")
    name = driver.find_element(*by("#name_fr"))
    name.clear()
    name.send_keys("Statue de Malizia")
    lat = driver.find_element(*by("#lat"))
    lat.clear()
    lat.send_keys("43.73140")
    click(driver, driver.find_element(*by("#accept-button")))
    assert driver.find_element(*by("[role=status]")).text
    st = storage.get(ids["photo"])
    assert st.status == "approved" and st.submission.proposal.name["fr"] == "Statue de Malizia"
    assert st.submission.proposal.location.lat == pytest.approx(43.7314)
    driver.get(f"{url}/desk/submissions/{ids['reject']}")
    Select(driver.find_element(*by("#reason_choice"))).select_by_value("not_heritage")
    click(driver, driver.find_element(*by("#reject-button")))
    st = storage.get(ids["reject"])
    assert st.status == "rejected" and st.message.startswith("Ce n'est pas un lieu de patrimoine")
    driver.get(f"{url}/desk/audit")
    assert "Statue de Malizia" in driver.page_source  # the edit in the log
    axe(driver, "audit")
    driver.get(f"{url}/desk/publish")
    assert "Statue de Malizia" in driver.page_source
    axe(driver, "publish")


def test_form_without_its_csrf_token_is_refused(site, driver):
    url, storage, ids = site
    sign_in(driver, url, "max")
    driver.get(f"{url}/desk/submissions/{ids['edit']}")
    driver.execute_script("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove());")
    click(driver, driver.find_element(*by("#accept-button")))
    assert "CSRF" in driver.find_element(*by("[role=alert]")).text
    assert storage.get(ids["edit"]).status == "pending"
    axe(driver, "error page")


def test_a_moderator_of_another_town_gets_404_on_page_and_api(site, driver):
    url, storage, ids = site
    sign_in(driver, url, "ana")
    assert "Lavoir de la rue Neuve" in driver.page_source and "Malizia" not in driver.page_source
    driver.get(f"{url}/desk/submissions/{ids['edit']}")
    assert "404" in driver.title and "Malizia" not in driver.page_source
    driver.get(f"{url}/v1/moderation/submissions/{ids['edit']}")
    body = json.loads(driver.find_element(*by("body")).text)
    assert body["error"]["code"] == "not_found"
    driver.get(f"{url}/v1/moderation/queue?status=all")
    assert {i["town"] for i in json.loads(driver.find_element(*by("body")).text)["items"]} == {"perigueux"}


def test_keyboard_only_sign_in_and_accept(site, driver):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    url, storage, ids = site
    driver.delete_all_cookies()
    driver.get(f"{url}/desk/sign-in")

    def active():
        return driver.execute_script("const e = document.activeElement;"
                                     "return [e.id, e.tagName, e.getAttribute('href') || '', "
                                     "getComputedStyle(e).outlineStyle];")

    def tab_to(match, limit=60):
        for _ in range(limit):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            a = active()
            if match(a):
                assert a[3] != "none", f"no visible focus on {a}"
                return
        raise AssertionError(f"TAB never reached the element (last: {active()})")

    driver.execute_script("document.activeElement.blur();")
    tab_to(lambda a: a[0] == "username")
    ActionChains(driver).send_keys("max").perform()
    tab_to(lambda a: a[0] == "password")
    ActionChains(driver).send_keys(PASSWORD, Keys.ENTER).perform()
    wait(lambda: driver.current_url.endswith("/desk/queue"))
    tab_to(lambda a: a[2].endswith(ids["keyboard"]))
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait(lambda: ids["keyboard"] in driver.current_url)
    tab_to(lambda a: a[0] == "accept-button", limit=120)
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait(lambda: "done=approved" in driver.current_url)
    assert storage.get(ids["keyboard"]).status == "approved"
    assert storage.audit(ids["keyboard"])[-1].actor == "desk:max"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
