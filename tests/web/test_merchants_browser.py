"""Merchants' pages (issue 20) in a real headless Chromium against a real uvicorn on 127.0.0.1 (SQLite, the Monaco
and Périgueux packs): the claim form, the manager's queue and claim page (verify shows the token once), the
merchant's web edit form with the hours editor grid (a field error, then the plain reading), axe-core (0
serious/critical violations) on every page, and the screenshots docs/screenshots/merchant-*.png; then revoking a
verified merchant (the reason required), their held edits flagged and one set aside, the revoked token refused."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_desk_browser import PASSWORD, ROOT, Server, axe, by, click, driver, pytestmark, shot  # noqa: E402,F401

SHOP = "osm:node/267885935"  # Marché U: "Mo-Sa 08:30-19:30; Su off"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from heritage_kit.inbox import InboxSettings, accounts, create_app
    from heritage_kit.inbox.storage import open_storage
    from heritage_kit.packs import load_pack

    tmp = tmp_path_factory.mktemp("merchants")
    packs = [load_pack(ROOT / "content" / "monaco"), load_pack(ROOT / "content" / "perigueux")]
    storage = open_storage(str(tmp / "inbox.db"))
    storage.add_account("camille", password_hash=accounts.hash_password(PASSWORD), role="town-centre manager",
                        towns=("monaco",))
    server = Server(create_app(storage, packs, InboxSettings()))
    yield server.url, storage
    server.stop()
    storage.close()


def test_claim_verify_then_edit_hours_in_the_browser(site, driver):
    from selenium.webdriver.support.ui import Select

    from heritage_kit.inbox.accounts import token_hash
    from heritage_kit.inbox.merchants_store import MerchantStore

    url, storage = site
    driver.delete_all_cookies()
    driver.get(f"{url}/merchants/claim?lang=en")
    axe(driver, "claim form")
    Select(driver.find_element(*by("#poi_id"))).select_by_value(SHOP)
    driver.find_element(*by("#email")).send_keys("u@example.fr")
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))
    assert "Claim received" in driver.find_element(*by("[role=status]")).text
    axe(driver, "claim sent")

    driver.delete_all_cookies()
    driver.get(f"{url}/desk/sign-in?lang=fr")
    driver.find_element(*by("#username")).send_keys("camille")
    driver.find_element(*by("#password")).send_keys(PASSWORD)
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))
    assert driver.current_url.endswith("/desk/merchants") and "Marché U" in driver.page_source
    axe(driver, "merchants queue")
    shot(driver, "merchant-desk-queue.png")
    click(driver, driver.find_element(*by("table.queue a")))
    axe(driver, "claim page")
    click(driver, driver.find_element(*by("form[action$='/verify'] button")))
    token = driver.find_element(*by("#merchant-token")).text
    assert token.startswith("mt_") and MerchantStore(storage).by_token(token_hash(token)).poi_id == SHOP
    axe(driver, "claim verified")

    driver.delete_all_cookies()
    driver.get(f"{url}/merchants/edit?lang=fr")
    driver.find_element(*by("#token")).send_keys(token)
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))
    assert driver.find_element(*by("#Mo_1_open")).get_attribute("value") == "08:30"  # read from the shop's hours
    axe(driver, "edit form")
    for day in ("Mo", "Tu", "We", "Th", "Fr"):
        for key, value in (("1_close", "12:00"), ("2_open", "14:00"), ("2_close", "19:30")):
            box = driver.find_element(*by(f"#{day}_{key}"))
            box.clear()
            box.send_keys(value)
    sat = driver.find_element(*by("#Sa_1_close"))
    sat.clear()
    sat.send_keys("08:00")  # closes before it opens (08:30): refused, the field named
    click(driver, driver.find_element(*by("form.stack > button[type=submit]")))
    assert "samedi" in driver.find_element(*by("[role=alert]")).text.lower()
    assert driver.find_element(*by("#Sa_1_close")).get_attribute("aria-invalid") == "true"
    axe(driver, "edit form with an error")
    sat = driver.find_element(*by("#Sa_1_close"))
    sat.clear()
    sat.send_keys("13:00")
    for key, value in (("start", "2026-12-24"), ("end", "2026-12-26")):  # typing a date depends on the locale
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(*by(f"#closure_1_{key}")), value)
    click(driver, driver.find_element(*by("form.stack > button[type=submit]")))
    assert driver.find_elements(*by("[role=status]")), driver.find_element(*by("[role=alert]")).text
    status = driver.find_element(*by("[role=status]")).text
    assert "Du lundi au vendredi : 08:30–12:00, 14:00–19:30" in status, status
    assert "Fermeture exceptionnelle du 24 au 26 décembre 2026" in status
    axe(driver, "edit saved")
    shot(driver, "merchant-hours-editor.png")
    (edit,) = MerchantStore(storage).edits("monaco")
    assert edit.edit["opening_hours"] == "Mo-Fr 08:30-12:00,14:00-19:30; Sa 08:30-13:00; 2026 Dec 24-26 off"


def test_revoke_a_merchant_then_decide_on_their_edits_in_the_browser(site, driver):
    from heritage_kit.inbox.merchants import Merchants
    from heritage_kit.inbox.merchants_admin import Operator
    from heritage_kit.inbox.merchants_store import MerchantStore
    from heritage_kit.packs import load_pack

    url, storage = site
    m = Merchants(storage)
    claim = m.claim(load_pack(ROOT / "content" / "monaco"), email="v@example.fr", poi_id=SHOP)
    _, token = m.verify(Operator("test"), claim.id)
    for hours in ("Mo-Sa 08:00-19:00; PH off", "Mo-Sa 09:00-19:00; PH off"):
        m.submit_edit(token, {"opening_hours": hours}, country="MC")

    driver.delete_all_cookies()
    driver.get(f"{url}/desk/sign-in?lang=en")
    driver.find_element(*by("#username")).send_keys("camille")
    driver.find_element(*by("#password")).send_keys(PASSWORD)
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))
    driver.get(f"{url}/desk/merchants?status=verified")
    click(driver, driver.find_element(*by(f"table.queue a[href$='{claim.id}']")))
    assert driver.find_element(*by("#revoke-title")).text == "Revoke the merchant's right"
    axe(driver, "verified merchant with the revoke form")
    reason = driver.find_element(*by("#revoke-reason"))
    assert reason.get_attribute("required") == "true"  # the browser asks for a reason before posting
    reason.send_keys("The shop changed hands")
    click(driver, driver.find_element(*by("form[action$='/revoke'] button")))
    assert "Right revoked on" in driver.page_source and "The shop changed hands" in driver.page_source
    flags = driver.find_elements(*by("ul.edits .flag"))
    assert [f.text for f in flags] == ["sent by a merchant whose right was since revoked"] * 2
    assert "2 edit(s) waiting for a decision" in driver.find_element(*by("p.note[role=status]")).text
    axe(driver, "revoked merchant with held edits")
    shot(driver, "merchant-desk-revoke.png")
    click(driver, driver.find_elements(*by("ul.edits button[value=set_aside]"))[0])
    assert "set aside by desk:camille" in driver.page_source
    assert len(driver.find_elements(*by("ul.edits form"))) == 1  # one edit still waits
    axe(driver, "an edit set aside")
    assert [e.review for e in MerchantStore(storage).edits("monaco") if e.claim_id == claim.id] == ["set_aside", None]

    driver.delete_all_cookies()
    driver.get(f"{url}/merchants/edit?lang=fr")
    driver.find_element(*by("#token")).send_keys(token)
    click(driver, driver.find_element(*by("form.stack button[type=submit]")))
    assert "La ville a retiré votre droit" in driver.find_element(*by("[role=alert]")).text
    assert not driver.find_elements(*by("#Mo_1_open"))
    axe(driver, "revoked merchant's sign-in")
