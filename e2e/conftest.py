"""Browser tests: start a real Subsidia server on a fresh SQLite file with the demo, drive Debian's Chromium."""
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(prefix="subsidia-e2e-"):
    """A server on a fresh SQLite file with the demo; returns the process, its URL and the path of its log."""
    binary = os.environ.get("SUBSIDIA_BIN", os.path.join(ROOT, ".build", "debug", "subsidia"))
    port = free_port()
    tmp = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, SQLITE_PATH=os.path.join(tmp, "e2e.sqlite"), SUBSIDIA_BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("DATABASE_URL", None)
    log = open(os.path.join(tmp, "server.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--hostname", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/health", timeout=1)
            return proc, url, log.name
        except Exception:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("server did not start; see " + log.name)


@pytest.fixture(scope="session")
def base_url():
    proc, url, _ = start_server()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr"]:
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()
