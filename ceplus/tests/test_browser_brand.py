"""Browser: the CE+ Services wordmark on the site's header and the admin's, accessible (axe-core),
under the CSP (the ``page`` fixture fails on a violation), without horizontal scroll at 320 px.
Screenshots go to ``test-artifacts/brand/`` for a person to look at."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ceplus.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "brand"
NAVY = "rgb(18, 60, 105)"


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_no_horizontal_scroll(page, width: int) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def assert_image_loaded(image) -> None:
    expect(image).to_be_visible()
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the wordmark did not load"


def assert_favicon_served(page) -> None:
    for href in page.locator('link[rel="icon"]').evaluate_all("(links) => links.map((l) => l.href)"):
        assert page.request.get(href).ok, href


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_home_header_shows_the_wordmark(page, axe_check, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    brand = page.get_by_role("banner").get_by_role("link", name="CE+ Services – accueil", exact=True)
    assert_image_loaded(brand.get_by_role("img", name="CE+ Services"))
    assert brand.bounding_box()["height"] >= 44
    # The palette reaches Bootstrap's buttons.
    button = page.get_by_role("main").get_by_role("link", name="CONNEXION")
    assert button.evaluate("(el) => getComputedStyle(el).backgroundColor") == NAVY
    assert_favicon_served(page)
    assert_no_horizontal_scroll(page, width)
    axe_check(page)
    shoot(page, f"home-{width}")


def test_focus_ring_is_the_palette_s(page):
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the wordmark
    brand = page.get_by_role("link", name="CE+ Services – accueil", exact=True)
    expect(brand).to_be_focused()
    outline = brand.evaluate("(el) => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineColor]")
    assert outline == ["solid", "rgb(194, 65, 12)"]
    shoot(page, "home-focus")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_the_admin_shows_the_wordmark(page, axe_check, admin_sign_in, width, scheme):
    factories.StaffFactory(email="equipe@ceplusservices.example")
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 800})
    admin_sign_in(page, "equipe@ceplusservices.example")
    brand = page.locator("#header").get_by_role("link", name="CE+ Services – administration", exact=True)
    assert_image_loaded(brand.get_by_role("img"))
    header = page.locator("#header").evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert header == NAVY
    assert_favicon_served(page)
    assert_no_horizontal_scroll(page, width)
    axe_check(page)
    shoot(page, f"admin-{width}-{scheme}")
