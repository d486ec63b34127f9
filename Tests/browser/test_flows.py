"""Drives headless Chromium through Croft's account and notes pages, asserting what each page shows.

Usage: test_flows.py BASE_URL SCREENSHOT_DIR MAILDIR   (run by Tests/browser/run.sh, which starts the server
and the SMTP server whose received messages are in MAILDIR: NNNN.json as Tests/smtp/smtp_sink.py writes them)
Each step saves NN-name.png (light theme, desktop width); a few pages are also shot in dark mode and at
phone width. Any failed assertion or timeout exits non-zero after saving FAILED.png.
"""

import glob
import json
import os
import re
import sys
import time
import uuid

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE_URL, SHOTS, MAILDIR = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
WAIT_SECONDS = 15
PASSWORD = "correct horse battery"
EMAIL = f"ada-{uuid.uuid4().hex[:8]}@example.com"

shot_number = 0


def make_driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(argument)
    # Debian's driver, given explicitly, so Selenium never tries to download one.
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    return driver


driver = make_driver()


def screenshot(name):
    global shot_number
    shot_number += 1
    path = os.path.join(SHOTS, f"{shot_number:02d}-{name}.png")
    driver.save_screenshot(path)
    print(f"  saved {os.path.basename(path)}")


def color_scheme(scheme):
    """Emulates prefers-color-scheme (the site follows the system theme by default)."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


def wait_for(condition, what):
    # A page being replaced can drop an element between finding and reading it (stale element, or Chromium's
    # "Node with given id does not belong to the document"): just look again until the deadline.
    ignored = (WebDriverException,)
    try:
        WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=ignored).until(lambda _: condition())
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what} (at {driver.current_url})") from None


def wait_for_path(path):
    wait_for(lambda: driver.current_url.split("?")[0] == BASE_URL + path
             and driver.execute_script("return document.readyState") == "complete", f"the page {path}")


def retrying(action, what):
    """Runs an action that finds elements, again if the document was swapped under it, until the deadline."""
    result = []
    wait_for(lambda: result.append(action()) or True, what)
    return result[-1]


def page_text():
    return driver.find_element(By.TAG_NAME, "body").text


def expect_text(*texts):
    for text in texts:
        wait_for(lambda: text in page_text(), f"the text {text!r}")


def expect_value(name, value):
    """The form field called name holds value (a re-rendered form keeps what was typed)."""
    wait_for(lambda: driver.find_element(By.NAME, name).get_attribute("value") == value,
             f"the field {name!r} to hold {value!r}")


def expect_heading(text):
    wait_for(lambda: driver.find_element(By.TAG_NAME, "h1").text == text, f"the heading {text!r}")


def expect_no_text(text):
    assert text not in retrying(page_text, "the page text"), f"{text!r} should not be on {driver.current_url}"


def fill(fields):
    for name, value in fields.items():
        def type_value(name=name, value=value):
            element = driver.find_element(By.NAME, name)
            element.clear()
            element.send_keys(value)
        retrying(type_value, f"the field {name!r}")


def click_and_wait(locator):
    """Clicks the element at an (By, value) locator, which loads a new page, and waits until that page is loaded.

    The old document is marked with a window property before the click; the wait ends when a document without
    the mark has finished loading. (Polling the old <html> element for staleness races Chromium swapping the
    document: it can fail with "Node with given id does not belong to the document".)"""
    def mark_and_click():
        driver.execute_script("window.__croftOldPage = true")
        driver.find_element(*locator).click()
    retrying(mark_and_click, f"the element {locator[1]!r} to click")
    wait_for(lambda: driver.execute_script(
        "return window.__croftOldPage !== true && document.readyState === 'complete'"),
        "clicking to load a new page")


def click_button(label):
    click_and_wait((By.XPATH, f"//main//button[normalize-space()='{label}']"))


def click_link(label):
    click_and_wait((By.XPATH, f"//a[normalize-space()='{label}']"))


def search(text):
    fill({"q": text})
    click_and_wait((By.XPATH, "//form[@role='search']//button"))


def log_out():
    click_and_wait((By.XPATH, "//header//button[normalize-space()='Log out']"))
    wait_for_path("/")
    expect_text("Create a free account")


def received_link(subject, to, path):
    """The first link to `path` in a message with this subject to this address, once the server has it."""
    found = []

    def look():
        for name in sorted(glob.glob(os.path.join(MAILDIR, "*.json"))):
            with open(name, encoding="utf-8") as file:
                mail = json.load(file)
            if mail["subject"] == subject and to in mail["rcpt_tos"]:
                text = next(part["text"] for part in mail["parts"] if part["type"] == "text/plain")
                match = re.search(r"http://\S+" + re.escape(path) + r"\S+", text)
                if match:
                    found.append(match.group(0))
                    return True
        return False

    deadline = time.monotonic() + 30
    while not look():
        assert time.monotonic() < deadline, f"no {subject!r} message to {to} arrived"
        time.sleep(0.2)
    return found[0]


def step(title):
    print(f"- {title}")


def run():
    step("home page, signed out")
    color_scheme("light")
    driver.get(BASE_URL + "/")
    expect_text("Build your next web app in Swift", "Create a free account", "Log in")
    screenshot("home")
    color_scheme("dark")
    screenshot("home-dark")
    driver.set_window_size(390, 844)
    screenshot("home-phone-dark")
    driver.set_window_size(1280, 900)
    color_scheme("light")

    step("sign up")
    click_link("Create a free account")
    wait_for_path("/accounts/signup")
    expect_text("Create your account")
    fill({"email": EMAIL, "display_name": "Ada", "password": "short", "password2": "short"})
    click_button("Sign up")
    expect_text("Use at least 8 characters.")
    expect_value("email", EMAIL)
    screenshot("signup-error")
    fill({"password": PASSWORD, "password2": PASSWORD})
    click_button("Sign up")
    wait_for_path("/notes")
    expect_text("Welcome, Ada! Your account is ready.", "You have no notes yet.")
    screenshot("notes-empty")

    step("log out, then log in")
    log_out()
    click_link("Log in")
    wait_for_path("/accounts/login")
    fill({"email": EMAIL, "password": "wrong password"})
    click_button("Log in")
    expect_text("Email or password is incorrect.")
    fill({"password": PASSWORD})
    screenshot("login")
    click_button("Log in")
    wait_for_path("/notes")
    expect_text("Welcome back, Ada.")

    step("create a note (first with a missing title)")
    click_link("Write your first note")
    wait_for_path("/notes/new")
    fill({"title": "", "body": "Milk\nEggs\nBread"})
    click_button("Create note")
    expect_text("Give your note a title.")
    expect_value("body", "Milk\nEggs\nBread")
    screenshot("note-form-error")
    fill({"title": "Groceries"})
    click_button("Create note")
    expect_text("Note “Groceries” created.", "Milk\nEggs\nBread")
    expect_heading("Groceries")
    screenshot("note-detail")

    step("edit it")
    click_link("Edit")
    expect_text("Edit note")
    expect_value("title", "Groceries")
    fill({"title": "Groceries for Sunday"})
    screenshot("note-edit")
    click_button("Save changes")
    expect_text("Note “Groceries for Sunday” saved.")
    expect_heading("Groceries for Sunday")

    step("list and search")
    click_link("← All notes")
    wait_for_path("/notes")
    expect_text("Groceries for Sunday")
    search("eggs")
    wait_for(lambda: "q=eggs" in driver.current_url, "the search results")
    expect_text("Groceries for Sunday")
    screenshot("notes-search")
    color_scheme("dark")
    screenshot("notes-search-dark")
    color_scheme("light")
    search("nothing like this")
    expect_text("No notes match “nothing like this”.")

    step("delete it")
    driver.get(BASE_URL + "/notes")
    click_link("Groceries for Sunday")
    click_link("Delete")
    expect_text("Delete this note?", "“Groceries for Sunday” will be deleted for good.")
    screenshot("note-delete-confirm")
    click_button("Delete note")
    wait_for_path("/notes")
    expect_text("Note “Groceries for Sunday” deleted.", "You have no notes yet.")
    screenshot("notes-after-delete")

    step("log out")
    log_out()
    expect_no_text("Welcome back")
    screenshot("home-signed-out")
    driver.get(BASE_URL + "/notes")
    wait_for_path("/accounts/login")
    assert "next=%2Fnotes" in driver.current_url, driver.current_url

    step("forgot the password: reset it through the emailed link")
    click_link("Forgot your password?")
    wait_for_path("/accounts/password/reset")
    fill({"email": EMAIL})
    screenshot("password-reset")
    click_button("Send the link")
    wait_for_path("/accounts/password/reset/done")
    expect_text("Check your email")
    link = received_link("Reset your password", EMAIL, "/accounts/password/reset/")
    assert link.startswith(BASE_URL + "/"), link
    driver.get(link)
    wait_for(lambda: driver.current_url.endswith("/set-password"), "the set-password page (the token out of the URL)")
    expect_heading("Choose a new password")
    new_password = "a brand new secret"
    fill({"new_password": new_password, "new_password2": new_password})
    screenshot("password-reset-confirm")
    click_button("Set my password")
    wait_for_path("/accounts/login")
    expect_text("Your password was set. Sign in with it now.")
    fill({"email": EMAIL, "password": PASSWORD})
    click_button("Log in")
    expect_text("Email or password is incorrect.")
    fill({"password": new_password})
    click_button("Log in")
    wait_for_path("/notes")
    expect_text("Welcome back, Ada.")
    step("the used link no longer works")
    driver.get(link)
    expect_text("This link no longer works")
    screenshot("password-reset-used")


if __name__ == "__main__":
    started = time.monotonic()
    try:
        run()
    except Exception as error:  # noqa: BLE001 - any failure fails the run, with a screenshot of where
        try:
            driver.save_screenshot(os.path.join(SHOTS, "FAILED.png"))
        finally:
            print(f"FAILED at {driver.current_url}: {error}", file=sys.stderr)
            driver.quit()
        sys.exit(1)
    driver.quit()
    print(f"all browser flows passed in {time.monotonic() - started:.1f}s; screenshots in {SHOTS}")
