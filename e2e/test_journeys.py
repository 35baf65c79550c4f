"""The first journeys a newcomer makes, in a real browser, with axe-core on every page visited."""
import re

from axe_selenium_python import Axe
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

VISITED = []


def check_axe(driver):
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
    VISITED.append(driver.current_url)
    assert violations == [], f"axe violations on {driver.current_url}: {violations}"


def fill(driver, name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def follow(driver, element):
    """Clicks a link or button that loads a new page, and waits until the new page has replaced the old one, so
    that what comes next (axe, an assertion) reads the new page and not the old one while it is being left."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def replaced(_):
        try:
            old.is_enabled()
            return False
        except WebDriverException:  # stale, or "node does not belong to the document" while the page changes
            return True
    WebDriverWait(driver, 20).until(replaced)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def submit(driver):
    follow(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit], main form .button"))


def login(driver, base_url, email, password="subsidia-demo-2026"):
    """Logs in and waits for the page after login, so the next navigation cannot overtake the post
    (a navigation that starts before the session cookie is set lands on /login)."""
    driver.get(base_url + "/login")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver)
    WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "form.logout") or "/login" not in d.current_url)


def logout(driver, base_url):
    """Logs out and waits for the redirect home, so the next navigation is not overtaken by it. Waiting for the
    address alone was not enough on a page that was already home: the wait ended before the post was answered, and
    the post's redirect then overtook the next page (seen once: /login replaced by the home page)."""
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.logout button"))
    WebDriverWait(driver, 10).until(expected_conditions.url_to_be(base_url + "/"))


def mail_link(driver, base_url, email):
    login(driver, base_url, "admin@subsidia.example")
    driver.get(base_url + "/admin/outbox?q=" + email)
    check_axe(driver)
    body = driver.find_element(By.CSS_SELECTOR, ".mail-body").text
    link = re.search(r"https?://\S+", body).group(0)
    logout(driver, base_url)
    return link


def test_register_confirm_login_profile_session_language(browser, base_url):
    d = browser
    d.get(base_url + "/")
    check_axe(d)
    assert "Appels à projets" in d.find_element(By.TAG_NAME, "h1").text

    # Register
    d.get(base_url + "/register")
    check_axe(d)
    fill(d, "name", "Léa Muller")
    fill(d, "email", "lea@commune-e2e.lu")
    fill(d, "password", "une phrase assez longue")
    fill(d, "password_confirm", "une phrase assez longue")
    submit(d)
    check_axe(d)
    assert "Consultez vos e-mails" in d.page_source

    # Confirm with the mailed link, read from the outbox by the admin
    link = mail_link(d, base_url, "lea@commune-e2e.lu")
    d.get(link)
    check_axe(d)
    assert "confirmée" in d.page_source

    # Log in
    login(d, base_url, "lea@commune-e2e.lu", "une phrase assez longue")
    check_axe(d)
    assert "Léa Muller" in d.page_source

    # Organisation profile: an IBAN error, then the fix
    d.get(base_url + "/organisations/new")
    check_axe(d)
    values = {"legal_name": "Commune de Test E2E", "street": "1, rue de la Gare", "postcode": "1234", "locality": "Testville",
              "bank_holder": "Commune de Test E2E", "iban": "LU29 0019 4006 4475 0000", "bic": "BCEELULL",
              "contact1_name": "Léa Muller", "contact1_function": "Secrétaire", "contact1_phone": "+352 247 85795",
              "contact1_email": "lea@commune-e2e.lu"}
    for k, v in values.items():
        fill(d, k, v)
    d.find_element(By.CSS_SELECTOR, "select[name=legal_form] option[value=commune]").click()
    d.find_element(By.ID, "f-pakt-signed").click()
    submit(d)
    check_axe(d)
    summary = d.find_element(By.CSS_SELECTOR, ".error-summary")
    assert "IBAN" in summary.text
    assert d.switch_to.active_element == summary  # focus moves to the summary
    assert d.find_element(By.NAME, "legal_name").get_attribute("value") == "Commune de Test E2E"
    fill(d, "iban", "lu28 0019 4006 4475 0000")
    submit(d)
    check_axe(d)
    assert "LU28 0019 4006 4475 0000" in d.page_source

    # Register for an information session of the demo AMIF call
    d.get(base_url + "/calls/timetable")
    check_axe(d)
    follow(d, d.find_element(By.PARTIAL_LINK_TEXT, "AMIF-DEMO"))
    check_axe(d)
    d.find_elements(By.CSS_SELECTOR, "input[name=session]")[0].click()
    fill(d, "name", "Léa Muller")
    fill(d, "email", "lea@commune-e2e.lu")
    fill(d, "organisation", "Commune de Test E2E")
    submit(d)
    check_axe(d)
    assert "Inscription confirmée" in d.page_source

    # Switch language, without JavaScript needed: plain links
    follow(d, d.find_element(By.CSS_SELECTOR, "a[hreflang=de]"))
    check_axe(d)
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    d.get(base_url + "/account")
    check_axe(d)
    assert "Mein Konto" in d.page_source
    follow(d, d.find_element(By.CSS_SELECTOR, "a[hreflang=en]"))
    assert "My account" in d.page_source


def test_staff_pages_pass_axe(browser, base_url):
    d = browser
    login(d, base_url, "officer@subsidia.example")
    for path in ["/staff/calls", "/staff/calls/new", "/staff/programmes", "/calls/COM-2023", "/calls/AMIF-2024"]:
        d.get(base_url + path)
        check_axe(d)
    logout(d, base_url)
    login(d, base_url, "admin@subsidia.example")
    for path in ["/admin/users", "/admin/audit"]:
        d.get(base_url + path)
        check_axe(d)
