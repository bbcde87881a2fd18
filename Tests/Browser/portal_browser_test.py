#!/usr/bin/env python3
"""The portal in a real browser (headless Chromium through Selenium and Debian's chromedriver).

Run by scripts/browser-test.sh, which starts `dti serve` on a fresh embedded cluster with the demo's data and passes
PORTAL_URL, LOGIN, PASSWORD, UNIT, OTHER_UNIT, WHATIF_SET (indicator.variable=value) and WHATIF_INDEX (the index
`dti whatif --format json` printed for the same change). Sign in as a district -> its page -> download the XLSX ->
a what-if -> another district's page (404) -> sign out. Screenshots go to $OUT (out/ by default). Exit 1 on any
failed step.
"""
import os
import re
import sys
import time
from decimal import Decimal

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

URL = os.environ["PORTAL_URL"].rstrip("/")
LOGIN, PASSWORD = os.environ["LOGIN"], os.environ["PASSWORD"]
UNIT, OTHER = os.environ["UNIT"], os.environ["OTHER_UNIT"]
SET_KEY, SET_VALUE = os.environ["WHATIF_SET"].split("=", 1)
EXPECTED_INDEX = Decimal(os.environ["WHATIF_INDEX"])
OUT = os.path.abspath(os.environ.get("OUT", "out"))
DOWNLOADS = os.path.join(OUT, "browser-downloads")
os.makedirs(DOWNLOADS, exist_ok=True)
for f in os.listdir(DOWNLOADS):
    os.remove(os.path.join(DOWNLOADS, f))

failures = []
steps = 0


def check(ok, what):
    global steps
    steps += 1
    print(("  đạt / ok    " if ok else "  LỖI / FAIL  ") + what, flush=True)
    if not ok:
        failures.append(what)


def shot(driver, name, width=1280, full=True, height=900):
    if full:
        height = min(12000, driver.execute_script("return document.documentElement.scrollHeight") + 40)
    driver.set_window_size(width, height)
    path = os.path.join(OUT, name)
    driver.save_screenshot(path)
    print(f"  ảnh chụp / screenshot: {os.path.relpath(path)}", flush=True)


options = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
          "--force-device-scale-factor=1", "--hide-scrollbars"]:
    options.add_argument(a)
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
options.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
wait = WebDriverWait(driver, 30)
try:
    # 1. A page before sign-in goes to the sign-in form.
    driver.get(f"{URL}/units/{UNIT}")
    wait.until(EC.presence_of_element_located((By.ID, "login-form")))
    check("/login" in driver.current_url and UNIT not in driver.page_source.split("next")[0], "before sign-in: the sign-in form, no data")
    shot(driver, "portal-1-login.png", full=False)

    # 2. Sign in as the district: back to the page asked for.
    driver.find_element(By.ID, "username").send_keys(LOGIN)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "sign-in").click()
    wait.until(EC.presence_of_element_located((By.ID, "unit-name")))
    name = driver.find_element(By.ID, "unit-name").text
    ranks = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "strong.rank")]
    check(driver.current_url.endswith(f"/units/{UNIT}") and "Tân Yên" in name, f"signed in: the district page ({name})")
    check(len(ranks) >= 1 and all(re.fullmatch(r"\d+/\d+", r) for r in ranks), f"rank x/N for each year: {ranks}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#indicators tbody tr")) > 20, "the indicator table (points lost, lead agency)")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#export svg")) >= 1, "the export's inline SVG charts")
    cookies = {c["name"]: c for c in driver.get_cookies()}
    s = cookies.get("dti_session", {})
    check(s.get("httpOnly") is True and s.get("sameSite") == "Strict", f"session cookie HttpOnly, SameSite=Strict ({s.get('httpOnly')}, {s.get('sameSite')})")
    check(driver.execute_script("return document.cookie").find("dti_session") < 0, "the page's script cannot read the session cookie")
    shot(driver, "portal-2-district-1280.png", full=False, height=1400)
    shot(driver, "portal-2-district-full.png")
    shot(driver, "portal-2-district-390.png", width=390, full=False, height=1600)
    driver.set_window_size(1280, 900)

    # 3. Download the XLSX.
    driver.find_element(By.ID, "download-xlsx").click()
    deadline = time.time() + 30
    xlsx = []
    while time.time() < deadline:
        xlsx = [f for f in os.listdir(DOWNLOADS) if f.endswith(".xlsx")]
        if xlsx:
            break
        time.sleep(0.25)
    ok = False
    if xlsx:
        with open(os.path.join(DOWNLOADS, xlsx[0]), "rb") as fh:
            data = fh.read()
        ok = data[:2] == b"PK" and len(data) > 5000
    check(ok, f"the XLSX download: {xlsx[0] if xlsx else 'nothing downloaded'}")

    # 4. A what-if: the new index is the one `dti whatif` computed for the same change.
    driver.find_element(By.ID, "whatif-key-0").send_keys(SET_KEY)
    driver.find_element(By.ID, "whatif-value-0").send_keys(SET_VALUE)
    driver.find_element(By.ID, "whatif-run").click()
    wait.until(EC.presence_of_element_located((By.ID, "whatif-result")))
    shown = driver.find_element(By.ID, "whatif-index").text  # Vietnamese: 1.234,567
    value = Decimal(shown.replace(".", "").replace(",", "."))
    check(abs(value - EXPECTED_INDEX) < Decimal("0.0005"), f"what-if index {shown} = dti whatif's {EXPECTED_INDEX}")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#best-next-steps tbody tr")) > 0, "best next steps listed")
    shot(driver, "portal-3-whatif.png", full=False, height=1400)
    driver.set_window_size(1280, 900)

    # 5. Another district: 404 and none of its data.
    driver.get(f"{URL}/units/{OTHER}")
    body = driver.page_source
    check("<h1>404</h1>" in body and "Yên Định" not in body, "another district's page: 404, no data")

    # 6. Sign out: the session is gone.
    driver.get(f"{URL}/units/{UNIT}")
    driver.find_element(By.ID, "logout").click()
    wait.until(EC.presence_of_element_located((By.ID, "login-form")))
    driver.get(f"{URL}/units/{UNIT}")
    wait.until(EC.presence_of_element_located((By.ID, "login-form")))
    check("/login" in driver.current_url, "signed out: the page asks to sign in again")
    shot(driver, "portal-4-signed-out.png", full=False)
except Exception as e:  # a step that could not even run
    failures.append(f"{type(e).__name__}: {e}")
    print(f"  LỖI / FAIL  {type(e).__name__}: {str(e)[:500]}", flush=True)
    try:
        shot(driver, "portal-error.png", full=False)
    except Exception:
        pass
finally:
    driver.quit()

print(f"trình duyệt / browser: {steps - len([f for f in failures])} of {steps} steps ok" + (f"; failed: {failures}" if failures else ""))
sys.exit(1 if failures else 0)
