"""Instruction in a real browser, from a clean demo start: an applicant submits; the officer requests a missing
document, the applicant provides it; the officer declares the file complete, reviews eligibility, assigns two
evaluators (one declares a conflict of interest, the other scores), writes the assessment, reads the ranking and
the call dashboard, approves; the applicant finds the decision on the dashboard and opens the letter.
axe-core runs on every page visited."""
import datetime
import os
import re
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_applying import Journey, TODAY, apply, communes_call, make_browser
from test_journeys import fill, login, logout


def choose(j, name, value):
    """Ticks a radio or checkbox the way a person does: by its label."""
    field = j.d.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']")
    j.choose(field.get_attribute("id"))


def open_all_details(d):
    d.execute_script("document.querySelectorAll('details').forEach(x => x.open = true)")


def fetch(d, href):
    """Status and content type of a link, fetched by the page with its session (a PDF downloads, it does not open)."""
    return d.execute_async_script(
        "const done = arguments[1]; fetch(arguments[0]).then(r => done([r.status, r.headers.get('content-type')]))", href)


def pdf_file(tmp, name, n):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n% document " + str(n).encode() + b"\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    return path


def test_officer_takes_an_application_to_a_decision_and_the_applicant_reads_the_letter(base_url):
    d = make_browser(True)
    j = Journey(d, base_url, True)
    tmp = tempfile.mkdtemp()
    try:
        start = TODAY + datetime.timedelta(days=60)
        call = communes_call(base_url, d)
        reference = apply(d, base_url, call=call, language="fr", javascript=True, organisation="Commune de Démoville",
                          dates={"start_date": start, "end_date": start + datetime.timedelta(days=1)},
                          overrides={"new_edition": "no", "festival": "none", "in_luxembourg": "yes", "other_ministry": "no",
                                     "edition_number": "2", "edition_since": "2020", "people_reached": "200"},
                          sections=["project", "relevance", "feasibility", "evaluation", "other_funding"], requested="1000")
        logout(d, base_url)

        # The administrator makes the finance user a second evaluator.
        login(d, base_url, "admin@subsidia.example")
        j.page("/admin/users?q=finance%40subsidia.example")
        Select(d.find_element(By.CSS_SELECTOR, "form[action$='/role'] select[name=role]")).select_by_value("evaluator")
        j.click("form[action$='/role'] button[type=submit]")
        j.page()
        logout(d, base_url)

        # The officer finds the file by its reference and asks for the missing documents (COM-15).
        login(d, base_url, "officer@subsidia.example")
        queue = j.page("/staff/applications?q=" + reference)
        assert reference in queue
        j.click("table a[href^='/staff/applications/']")
        staff = re.search(r"/staff/applications/[0-9A-Fa-f-]{36}", d.current_url).group(0)
        base = staff.replace("/staff", "")
        page = j.page()
        assert "Déclarer le dossier complet" not in page
        open_all_details(d)
        fill(d, "items", "Le relevé d'identité bancaire et le programme des activités.")
        j.fill_date("due_date", TODAY + datetime.timedelta(days=14))
        j.click("form[action$='/request-items'] button[type=submit]")
        assert "Incomplète" in j.page() or "Incomplet" in d.page_source
        logout(d, base_url)

        # The applicant sees the request, adds the documents and sends the file back.
        login(d, base_url, "applicant@subsidia.example")
        assert "Le relevé d'identité bancaire" in j.page(base)
        j.page(base + "/documents")
        count = len(d.find_elements(By.CSS_SELECTOR, "select[name=item] option"))
        for n in range(2, count):
            Select(d.find_element(By.CSS_SELECTOR, "select[name=item]")).select_by_index(n)
            d.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(pdf_file(tmp, f"piece-{n}.pdf", n))
            j.click("form[action*='/documents?_csrf='] button[type=submit]")
            assert f"piece-{n}.pdf" in j.page()
        j.page(base)
        j.click("form[action$='/items-provided'] button[type=submit]")
        j.page()
        logout(d, base_url)

        # Complete now; the eligibility checklist with a justification for each item (COM-03).
        login(d, base_url, "officer@subsidia.example")
        j.page(staff)
        j.click("form[action$='/complete'] button[type=submit]")
        j.page()
        for name in [el.get_attribute("name") for el in d.find_elements(By.CSS_SELECTOR, "input[type=radio][value=yes]")]:
            choose(j, name, "yes")
            fill(d, name.replace("check_", "why_"), "Vérifié dans la demande et ses pièces.")
        j.click("form[action$='/eligibility'] button[type=submit]")
        j.page()

        # Two evaluators (COM-09).
        for evaluator in ["Eva Evaluator", "Finn Finance"]:
            select = Select(d.find_element(By.CSS_SELECTOR, "form[action$='/assign'] select[name=evaluator]"))
            select.select_by_visible_text(next(o.text for o in select.options if o.text.startswith(evaluator)))
            j.click("form[action$='/assign'] button[type=submit]")
            j.page()
        logout(d, base_url)

        # The second evaluator declares a conflict of interest and loses access.
        login(d, base_url, "finance@subsidia.example")
        j.page("/evaluations")
        j.click("main table a[href^='/evaluations/']")
        assert "Réponse du test de bout en bout" not in j.page()
        assignment = d.current_url.replace(base_url, "")
        choose(j, "declaration", "conflict")
        fill(d, "note", "Je connais personnellement le porteur du projet.")
        j.click("form[action$='/declare'] button[type=submit]")
        j.page()
        assert "n'avez plus accès" in j.page(assignment)
        logout(d, base_url)

        # The first one declares no conflict, then scores every question and hands in.
        login(d, base_url, "evaluator@subsidia.example")
        j.page("/evaluations")
        j.click("main table a[href^='/evaluations/']")
        j.page()
        choose(j, "declaration", "free")
        j.click("form[action$='/declare'] button[type=submit]")
        assert "Réponse du test de bout en bout" in j.page()
        # The total adds up as they score (COM-09, COM-10): 3 of 4 everywhere is 18.75 of each criterion's 25.
        live = d.find_element(By.CSS_SELECTOR, "[data-live-total]")
        assert live.text == "0,00"
        selects = d.find_elements(By.CSS_SELECTOR, "form[action$='/scores'] select")
        Select(selects[0]).select_by_value("4")
        assert live.text != "0,00"
        for select in selects:
            Select(select).select_by_value("3")
        assert live.text == "75,00"
        choose(j, "bonus", "pakt")
        assert live.text != "75,00"
        shown = live.text
        fill(d, "comment", "Projet solide, bien ancré dans la commune.")
        choose(j, "hand_in", "yes")
        j.click("form[action$='/scores'] button[type=submit]")
        # The server's total, saved with the scores, is the one the page showed.
        assert "Votre évaluation est remise" in j.page()
        assert d.find_element(By.CSS_SELECTOR, "[data-live-total]").text == shown
        logout(d, base_url)

        # The officer reads the scores, writes the assessment (COM-10), looks at the ranking and the dashboard.
        login(d, base_url, "officer@subsidia.example")
        page = j.page(staff)
        assert "80,00" in page and "Conflit d'intérêts déclaré" in page
        fill(d, "assessment", "Projet pertinent, partenariat solide, budget raisonnable.")
        j.click("form[action$='/assessment'] button[type=submit]")
        j.page()
        j.page("/staff/applications")
        call_id = d.find_element(By.XPATH, f"//select[@name='call']/option[.='{call}']").get_attribute("value")
        ranking = j.page(f"/staff/calls/{call_id}/ranking")
        assert reference in ranking and "80,00" in ranking
        dashboard = j.page(f"/staff/calls/{call_id}/dashboard")
        assert "<svg" in dashboard and "Demandé et accordé par action" in dashboard
        assert "la grille ne change plus" in j.page(f"/staff/calls/{call_id}/grid")

        # The decision, within the proposed maximum (COM-07, COM-17).
        j.page(staff)
        j.click("form[action$='/approve'] button[type=submit]")
        page = j.page()
        assert "Lettre de décision (PDF)" in page
        logout(d, base_url)

        # The applicant reads the decision on the dashboard; opening the letter clears the notice.
        login(d, base_url, "applicant@subsidia.example")
        dashboard = j.page("/applications")
        assert "Nouvelles décisions" in dashboard and reference in dashboard
        href = d.find_element(By.CSS_SELECTOR, ".notice a[href*='/letters/']").get_attribute("href")
        status, kind = fetch(d, href)
        assert status == 200 and kind == "application/pdf"
        assert "Nouvelles décisions" not in j.page("/applications")
        tasks = j.page(base)
        assert "Lettre d'octroi" in tasks
        WebDriverWait(d, 5).until(lambda drv: drv.find_element(By.CSS_SELECTOR, "a[href*='/letters/']"))
    finally:
        d.quit()
