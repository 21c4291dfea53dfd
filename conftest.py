"""Test set-up shared by every app: environment, factories' fixtures and the browser."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium():
    """The system Chromium driven by Playwright (never a downloaded browser)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required under CI and missing at {CHROMIUM}.")
        pytest.skip("Chromium missing: install it with 'apt-get install chromium' (or set CHROMIUM=path).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page (phone-sized unless a test resizes it) whose default URL is the
    live server's."""
    context = chromium.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Every browser test is also a check of the Content-Security-Policy: Chromium reports each
    # refused script or style on the console, and the test fails with it.
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate limits live in the shared (database) cache: each test starts with none counted."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
