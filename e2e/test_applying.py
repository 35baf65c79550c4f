"""Applying online in a real browser: the demo communes call and the demo AMIF call, from the call page to the
receipt, in French, English and German, with JavaScript (autosave) and without it (Save buttons only).
axe-core runs on every page of the journeys with JavaScript (it needs the page's event loop, which is off in the
others); both kinds walk the same pages, so every page of applying is checked."""
import datetime
import os
import re
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_journeys import check_axe, fill, follow, login

# The words that show a journey really ran in its language.
WORDS = {
    "fr": {"start": "Commencer la demande", "completed": "Terminé", "receipt": "Accusé de réception", "check": "Vérifiez vos réponses"},
    "en": {"start": "Start the application", "completed": "Completed", "receipt": "Acknowledgement of receipt", "check": "Check your answers"},
    "de": {"start": "Antrag beginnen", "completed": "Abgeschlossen", "receipt": "Eingangsbestätigung", "check": "Prüfen Sie Ihre Antworten"},
}
TODAY = datetime.date.today()


def make_browser(javascript):
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr"]:
        options.add_argument(arg)
    prefs = {"intl.accept_languages": "fr-FR,fr"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    return driver


class Journey:
    def __init__(self, driver, base_url, javascript):
        self.d, self.url, self.js = driver, base_url, javascript

    def page(self, path=None):
        if path is not None:
            self.d.get(self.url + path)
        if self.js:
            check_axe(self.d)
        return self.d.page_source

    def click(self, selector):
        """Clicks a button or link that loads a new page, and waits until the new page has replaced the old one."""
        follow(self.d, self.d.find_element(By.CSS_SELECTOR, selector))

    def save(self):
        self.click("main form button.button[type=submit]")

    def choose(self, element_id):
        self.d.find_element(By.CSS_SELECTOR, f"label[for='{element_id}']").click()

    def fill_date(self, name, day):
        field = self.d.find_element(By.NAME, name)
        # Typing into a native date field depends on the browser's locale, so the value is set the way the
        # browser's own date picker sets it (WebDriver runs this even when the page's scripts are off).
        self.d.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field, day.isoformat())

    def fill_questions(self, dates, overrides):
        """Answers every question of a section page: texts, numbers, dates, the first choice of each group."""
        d = self.d
        for el in d.find_elements(By.CSS_SELECTOR, "main form textarea"):
            if not el.get_attribute("value"):
                el.send_keys(overrides.get(el.get_attribute("name"), "Réponse du test de bout en bout.\nDeuxième ligne."))
        for el in d.find_elements(By.CSS_SELECTOR, "main form input[type=text], main form input:not([type])"):
            name = el.get_attribute("name")
            if not el.get_attribute("value"):
                el.send_keys(overrides.get(name, "120" if el.get_attribute("inputmode") == "numeric" else "Projet e2e"))
        for el in d.find_elements(By.CSS_SELECTOR, "main form input[type=date]"):
            self.fill_date(el.get_attribute("name"), dates[el.get_attribute("name")])
        groups = {}
        for el in d.find_elements(By.CSS_SELECTOR, "main form input[type=radio], main form input[type=checkbox]"):
            groups.setdefault(el.get_attribute("name"), []).append(el)
        for name, inputs in groups.items():
            if any(i.is_selected() for i in inputs):
                continue
            wanted = overrides.get(name)
            target = next((i for i in inputs if i.get_attribute("value") == wanted), inputs[0])
            self.choose(target.get_attribute("id"))

    def tasks_page(self):
        return self.page()


def apply(driver, base_url, *, call, language, javascript, organisation, dates, overrides, sections, requested):
    j = Journey(driver, base_url, javascript)
    d = driver
    login(d, base_url, "applicant@subsidia.example")
    WebDriverWait(d, 20).until(lambda drv: drv.current_url.endswith("/account"))
    d.get(base_url + f"/language/{language}?next=/")
    j.page(f"/calls/{call}")
    j.click(f"a[href='/calls/{call}/apply']")
    assert WORDS[language]["start"] in j.page(), d.find_element(By.TAG_NAME, "main").text[:600]
    j.choose(next(el.get_attribute("id") for el in d.find_elements(By.CSS_SELECTOR, "input[name=organisation]")
                  if organisation in d.find_element(By.CSS_SELECTOR, f"label[for='{el.get_attribute('id')}']").text))
    j.save()
    base = re.search(r"/applications/[0-9A-Fa-f-]{36}", d.current_url).group(0)
    j.page()

    # The applicant section is pre-filled from the profile; the communes call adds the revenue article (COM-02).
    j.page(base + "/applicant")
    if d.find_elements(By.NAME, "revenue_article"):
        j.choose("f-revenue-article")
    j.save()
    assert d.current_url.endswith(base)

    for section in sections:
        j.page(base + "/sections/" + section)
        j.fill_questions(dates, overrides)
        if javascript and section == sections[0]:
            # Autosave: a few seconds after typing stops, without pressing Save.
            WebDriverWait(d, 15).until(lambda drv: drv.find_element(By.CSS_SELECTOR, ".autosave-status").text.strip() != "")
            status = d.find_element(By.CSS_SELECTOR, ".autosave-status").text
            assert re.search(r"\d\d:\d\d", status), status
        j.save()
        assert d.current_url.endswith(base), f"{section} not saved: " + d.find_element(By.TAG_NAME, "main").text[:500]

    # Budget: one line, the requested amount, complete.
    j.page(base + "/budget")
    d.find_element(By.CSS_SELECTOR, "select[name=category] option[value='6']").click()
    fill(d, "detail", "Interprètes")
    fill(d, "justification", "Aucun interprète dans l'équipe")
    fill(d, "quantity", "4")
    fill(d, "unit_cost", "500")
    j.click("form[action$='/budget/lines'] button[type=submit]")
    assert re.search(r"2[\s,.\u202f\xa0]000", j.page()), "the line's amount is not shown"
    fill(d, "requested", requested)
    j.choose("f-complete")
    j.click("form[action$='/budget'] button[type=submit]")
    assert d.current_url.endswith(base)

    j.page(base + "/financing")
    d.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=own]").click()
    fill(d, "amount", "1000")
    j.click("form[action$='/financing/lines'] button[type=submit]")
    j.page()
    j.choose("f-complete")
    j.click("form[action$='/financing'] button[type=submit]")

    if call.startswith("COM"):
        j.page(base + "/previous")
        j.choose("f-complete")
        j.click("form[action$='/previous/complete'] button[type=submit]")

    j.page(base + "/documents")
    pdf = os.path.join(tempfile.mkdtemp(), "releve-bancaire.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    d.find_elements(By.CSS_SELECTOR, "select[name=item] option")[1].click()
    d.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(pdf)
    j.click("form[action*='/documents?_csrf='] button[type=submit]")
    assert "releve-bancaire.pdf" in j.page()

    j.page(base + "/declaration")
    fill(d, "function", "Responsable")
    j.choose("f-confirm")
    j.save()
    tasks = j.page(base)
    assert WORDS[language]["completed"] in tasks

    review = j.page(base + "/review")
    assert WORDS[language]["check"] in review
    j.click("form[action$='/submit'] button[type=submit]")
    receipt = j.page()
    assert WORDS[language]["receipt"] in receipt, d.find_element(By.TAG_NAME, "main").text[:800]
    reference = re.search(call + r"-\d{4}", receipt)
    assert reference, receipt[:2000]
    d.get(base_url + "/language/fr?next=/")
    return reference.group(0)


def communes_call(base_url, driver):
    driver.get(base_url + "/")
    return re.search(r"COM-DEMO-\d{4}", driver.page_source).group(0)


@pytest.mark.parametrize("language,javascript", [("fr", True), ("en", False), ("de", True)])
def test_apply_to_the_demo_communes_call(base_url, language, javascript):
    driver = make_browser(javascript)
    try:
        start = TODAY + datetime.timedelta(days=60)
        apply(driver, base_url, call=communes_call(base_url, driver), language=language, javascript=javascript,
              organisation="Commune de Démoville", dates={"start_date": start, "end_date": start + datetime.timedelta(days=1)},
              overrides={"new_edition": "no", "festival": "none", "in_luxembourg": "yes", "other_ministry": "no",
                         "edition_number": "2", "edition_since": "2020", "people_reached": "200"},
              sections=["project", "relevance", "feasibility", "evaluation", "other_funding"], requested="1000")
    finally:
        driver.quit()


@pytest.mark.parametrize("language,javascript", [("de", False), ("en", True), ("fr", False)])
def test_apply_to_the_demo_amif_call(base_url, language, javascript):
    driver = make_browser(javascript)
    try:
        start = TODAY + datetime.timedelta(days=120)
        reference = apply(driver, base_url, call=f"AMIF-DEMO-{TODAY.year}", language=language, javascript=javascript,
                          organisation="ASBL Démo Intégration", dates={"start_date": start, "end_date": start + datetime.timedelta(days=365)},
                          overrides={"other_ministry": "no"},
                          sections=["project", "relevance", "feasibility", "evaluation", "other_funding"], requested="1000")
        assert reference.startswith("AMIF-DEMO-")
    finally:
        driver.quit()
