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
def _fast_password_hasher(request):
    """Argon2 is slow by design (about 0.2 s and 100 MB per hash here) and most tests make a few
    hashes: they use MD5 instead (saleor's way). A test about hashing itself is marked
    ``real_hashers`` and keeps the settings' hashers."""
    if request.node.get_closest_marker("real_hashers"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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

    from ceplus.legal_documents import forget_documents_in_force

    cache.clear()
    # The legal documents in force are kept in the process: each test publishes its own.
    forget_documents_in_force()
    yield


AXE_SCRIPT = os.path.join(os.path.dirname(__file__), "node_modules", "axe-core", "axe.min.js")


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's source, installed from the npm registry by ``make test`` (``npm ci``)."""
    if not os.path.exists(AXE_SCRIPT):
        if os.environ.get("CI") == "true":
            pytest.fail(f"axe-core is required under CI and missing at {AXE_SCRIPT}: run 'npm ci'.")
        pytest.skip("axe-core missing: run 'npm ci'.")
    with open(AXE_SCRIPT, encoding="utf-8") as script:
        return script.read()


@pytest.fixture
def axe_check(axe_source):
    """``axe_check(page)`` runs axe-core on the page as it is now and fails the test on any
    serious or critical violation. Call it after each page a browser test reaches.

    The page's strict CSP refuses an added ``<script>`` tag and ``eval``; Playwright's own
    evaluation (the DevTools protocol) is not subject to it.
    """

    def check(page, *, exclude: list[str] | None = None) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)
        results = page.evaluate(
            """async (exclude) => {
                const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
                return await window.axe.run(context, {resultTypes: ["violations"]});
            }""",
            exclude or [],
        )
        serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
        report = "\n".join(
            f"{v['impact']}: {v['id']} — {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:5])})"
            for v in serious
        )
        assert not serious, f"axe-core on {page.url}:\n{report}"
        return results["violations"]

    return check


@pytest.fixture
def admin_sign_in():
    """``admin_sign_in(page, email)`` signs an admin account in as a person does: /admin/ leads
    to CONNEXION, then the second step asks the authenticator app's code (the factories give
    admin accounts ``TOTP_SECRET``)."""
    from playwright.sync_api import expect

    from ceplus.tests.factories import PASSWORD, TOTP_SECRET, totp_code

    def sign_in(page, email: str, *, secret: str = TOTP_SECRET, axe_check=None) -> None:
        page.goto("/admin/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="CONNEXION").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Deuxième étape de connexion")
        if axe_check is not None:
            axe_check(page)
        page.get_by_label("Code de votre application d'authentification").fill(totp_code(secret))
        page.get_by_role("button", name="VALIDER").click()
        expect(page.locator("#site-name")).to_be_visible()

    return sign_in
