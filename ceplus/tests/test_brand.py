"""The CE+ Services brand: the wordmark, the favicon and a palette whose text colours pass WCAG AA."""

import re
import struct
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import django.contrib.admin
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from ceplus.tests.factories import StaffFactory

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
ADMIN_CSS = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "css"
SVG = "{http://www.w3.org/2000/svg}"


# --- WCAG 2.1 contrast ------------------------------------------------------------------------
def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #rgb or #rrggbb colour."""
    digits = colour.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    assert re.fullmatch(r"[0-9a-fA-F]{6}", digits), f"not a hex colour: {colour!r}"

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_wcag_s_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#fff", "#fff") == pytest.approx(1)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


# --- CSS custom properties --------------------------------------------------------------------
def css_rules(path: Path) -> list[tuple[str, str, dict[str, str]]]:
    """(enclosing @media or "", selector, custom properties) of each rule of a stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
    rules, preludes, text = [], [], ""
    for char in css:
        if char == "{":
            preludes.append(text.strip())
            text = ""
        elif char == "}":
            prelude = preludes.pop()
            if not prelude.startswith("@"):
                media = preludes[-1] if preludes else ""
                properties = {
                    name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+)", text)
                }
                rules.append((media, prelude, properties))
            text = ""
        else:
            text += char
    return rules


def selectors(prelude: str) -> set[str]:
    return {part.strip() for part in prelude.split(",")}


def is_light(media: str, prelude: str) -> bool:
    return not media and ":root" in selectors(prelude)


def is_dark(media: str, prelude: str) -> bool:
    in_dark_media = "prefers-color-scheme: dark" in media and ":root" in selectors(prelude)
    return in_dark_media or 'html[data-theme="dark"]' in selectors(prelude)


def cascade(*sheets: Path, dark: bool = False) -> dict[str, str]:
    """The custom properties on :root after these sheets, in order: what the browser computes when
    the theme follows the system's (every rule then matches as :root). A theme chosen with the
    toggle gives the same values while our dark rules restate Django's (tested below)."""
    values: dict[str, str] = {}
    for sheet in sheets:
        for media, prelude, properties in css_rules(sheet):
            if is_light(media, prelude) or (dark and is_dark(media, prelude)):
                values.update(properties)
    return values


def resolve(values: dict[str, str], value: str) -> str:
    """A colour: a hex literal, or a custom property's name or var(), resolved."""
    for _ in range(10):
        match = re.fullmatch(r"(?:var\()?(--[\w-]+)\)?", value.strip())
        if not match:
            return value
        value = values[match[1]]
    raise AssertionError(f"var() loop at {value}")


# --- The site's palette (static/css/site.css) -------------------------------------------------
SITE_TEXT_PAIRS = [
    ("--ceplus-ink", "--ceplus-paper"),
    ("--ceplus-ink", "--ceplus-paper-alt"),
    ("--ceplus-link", "--ceplus-paper"),
    ("--ceplus-link", "--ceplus-paper-alt"),
    ("--ceplus-navy", "--ceplus-paper"),  # outline buttons, header links, hovered links
    ("--ceplus-navy", "--ceplus-paper-alt"),
    ("--ceplus-navy-dark", "--ceplus-paper"),  # hovered header links
    ("--ceplus-on-navy", "--ceplus-navy"),  # buttons
    ("--ceplus-on-navy", "--ceplus-navy-dark"),  # hovered, pressed buttons
    ("--ceplus-amber", "--ceplus-navy"),  # the "+" of the mark
    ("--bs-body-color", "--ceplus-paper"),
    ("--bs-link-color", "--ceplus-paper"),
    ("--bs-link-color", "--ceplus-paper-alt"),
    ("--bs-link-hover-color", "--ceplus-paper"),
]
# WCAG 2.1 1.4.11: 3:1 for a focus indicator against what surrounds it.
SITE_FOCUS_PAIRS = [("--ceplus-focus", "--ceplus-paper"), ("--ceplus-focus", "--ceplus-paper-alt")]


@pytest.fixture(scope="module")
def site_palette():
    return cascade(STATIC / "css" / "site.css")


@pytest.mark.parametrize(("foreground", "background"), SITE_TEXT_PAIRS)
def test_site_text_colours_pass_aa(site_palette, foreground, background):
    ratio = contrast(resolve(site_palette, foreground), resolve(site_palette, background))
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("foreground", "background"), SITE_FOCUS_PAIRS)
def test_site_focus_ring_stands_out(site_palette, foreground, background):
    ratio = contrast(resolve(site_palette, foreground), resolve(site_palette, background))
    assert ratio >= 3, f"{foreground} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize(
    "name", ["--bs-body-color", "--bs-primary", "--bs-link-color", "--bs-link-hover-color"]
)
def test_bootstrap_s_rgb_forms_match_the_palette(site_palette, name):
    """Bootstrap's rules read the ``-rgb`` forms: they must say the same colour as the hex."""
    digits = resolve(site_palette, name).lstrip("#")
    expected = ", ".join(str(int(digits[i : i + 2], 16)) for i in (0, 2, 4))
    assert re.sub(r"\s+", " ", site_palette[f"{name}-rgb"]) == expected


def test_site_css_comment_states_the_ratios_it_has(site_palette):
    """The palette's comment gives each ratio: it is kept true when a colour changes."""
    css = (STATIC / "css" / "site.css").read_text(encoding="utf-8")
    for foreground, background in SITE_TEXT_PAIRS + SITE_FOCUS_PAIRS:
        ratio = contrast(resolve(site_palette, foreground), resolve(site_palette, background))
        assert f"{ratio:.2f}:1" in css, f"{foreground} on {background}: {ratio:.2f}:1 is not written"


# --- The admin's colours (static/css/admin-ceplus.css over Django's) --------------------------
ADMIN_TEXT_PAIRS = [
    ("--header-link-color", "--header-bg"),
    ("--header-color", "--header-bg"),
    ("--breadcrumbs-fg", "--breadcrumbs-bg"),
    ("--breadcrumbs-link-fg", "--breadcrumbs-bg"),
    ("--header-link-color", "--primary"),  # module captions, the selector's titles
    ("--header-link-color", "--secondary"),
    ("--primary-fg", "--primary"),
    ("--button-fg", "--button-bg"),
    ("--button-fg", "--button-hover-bg"),
    ("--button-fg", "--default-button-bg"),
    ("--button-fg", "--default-button-hover-bg"),
    ("--object-tools-fg", "--object-tools-bg"),
    ("--link-fg", "--body-bg"),
    ("--link-fg", "--darkened-bg"),
    ("--link-fg", "--selected-row"),
    ("--link-hover-color", "--body-bg"),
    ("--link-selected-fg", "--body-bg"),
    ("--body-fg", "--body-bg"),
    ("--body-quiet-color", "--body-bg"),
    ("--body-quiet-color", "--darkened-bg"),
    ("--error-fg", "--body-bg"),
    ("#333", "--accent"),  # the calendar's caption (widgets.css)
]
DJANGO_SHEETS = (ADMIN_CSS / "base.css", ADMIN_CSS / "dark_mode.css")
OURS = STATIC / "css" / "admin-ceplus.css"


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize(("foreground", "background"), ADMIN_TEXT_PAIRS)
def test_admin_text_colours_pass_aa(foreground, background, dark):
    values = cascade(*DJANGO_SHEETS, OURS, dark=dark)
    ratio = contrast(resolve(values, foreground), resolve(values, background))
    assert ratio >= 4.5, f"{'dark' if dark else 'light'}: {foreground} on {background}: {ratio:.2f}:1"


def test_admin_colours_are_the_brand_s():
    values = cascade(*DJANGO_SHEETS, OURS)
    site = cascade(STATIC / "css" / "site.css")
    assert resolve(values, "--header-bg") == site["--ceplus-navy"]
    assert resolve(values, "--button-bg") == site["--ceplus-navy"]
    assert resolve(values, "--link-fg") == site["--ceplus-link"]


def test_admin_dark_theme_restates_every_colour_django_s_dark_theme_sets():
    """Our light colours follow Django's dark ones in the cascade: any variable both set must be set
    again for dark, in the system's dark (@media) and the chosen dark (html[data-theme]) alike."""
    django_dark = {
        name
        for media, prelude, properties in css_rules(ADMIN_CSS / "dark_mode.css")
        if is_dark(media, prelude)
        for name in properties
    }
    ours = css_rules(OURS)
    light = {name for media, prelude, properties in ours if is_light(media, prelude) for name in properties}
    for kind in ("@media", 'html[data-theme="dark"]'):
        dark = {
            name
            for media, prelude, properties in ours
            if is_dark(media, prelude) and (kind in media or kind in prelude)
            for name in properties
        }
        assert light & django_dark <= dark, f"{kind}: {sorted(light & django_dark - dark)}"


# --- The wordmark and the favicon -------------------------------------------------------------
BRAND_SVGS = ["img/ceplus-wordmark.svg", "img/ceplus-wordmark-inverse.svg", "favicon.svg"]


@pytest.mark.parametrize("name", BRAND_SVGS)
def test_brand_svgs_are_well_formed_titled_and_self_contained(name):
    source = (STATIC / name).read_text(encoding="utf-8")
    assert "<!DOCTYPE" not in source
    root = ET.fromstring(source)  # noqa: S314 -- the project's own file, no DTD; raises if malformed
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "CE+ Services"
    if root.get("aria-labelledby"):
        assert title.get("id") == root.get("aria-labelledby")
    # Nothing fetched: no external font, image, stylesheet or script.
    assert not re.search(r"@import|@font-face|url\(|<image|<script|href=", source)
    assert root.find(f".//{SVG}style") is None


@pytest.mark.parametrize("name", ["img/ceplus-wordmark.svg", "img/ceplus-wordmark-inverse.svg"])
def test_wordmark_says_ce_plus_services(name):
    root = ET.parse(STATIC / name).getroot()  # noqa: S314 -- the project's own file
    assert [text.text for text in root.iter(f"{SVG}text")] == ["Services"]
    # The "CE+" mark is drawn, not typeset: the same on every machine.
    assert len(list(root.iter(f"{SVG}path"))) == 3


def test_favicon_png_is_a_32_pixel_png():
    data = (STATIC / "favicon-32.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (32, 32)


@pytest.mark.django_db
def test_favicon_ico_redirects_permanently_to_a_static_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    location = response["Location"]
    assert location == f"{settings.STATIC_URL}favicon-32.png"
    assert finders.find(location.removeprefix(settings.STATIC_URL))
    image = client.get(location)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.icons: list[dict] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "icon":
            self.icons.append(attributes)
        if tag == "img":
            self.images.append(attributes)


def parsed(response) -> _Links:
    links = _Links()
    links.feed(response.content.decode())
    return links


def assert_favicons(links: _Links):
    icons = {icon.get("type"): icon["href"] for icon in links.icons}
    assert icons == {
        "image/svg+xml": f"{settings.STATIC_URL}favicon.svg",
        "image/png": f"{settings.STATIC_URL}favicon-32.png",
    }
    for href in icons.values():
        assert finders.find(href.removeprefix(settings.STATIC_URL)), href


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/compte/login/", "/documents/cgu/", "/nulle-part/"])
def test_pages_link_the_favicon(client, path):
    assert_favicons(parsed(client.get(path)))


@pytest.mark.django_db
def test_the_admin_s_own_pages_link_the_favicon(client):
    client.force_login(StaffFactory())
    for path in ["/admin/", "/admin/structures/member/", "/admin/accounts/event/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_favicons(parsed(response))
        assert f"{settings.STATIC_URL}css/admin-ceplus.css" in response.content.decode()


@pytest.mark.django_db
def test_site_header_shows_the_wordmark_in_the_home_link(client):
    html = client.get("/").content.decode()
    brand = re.search(r'<a class="navbar-brand[^"]*" href="/">(.*?)</a>', html, flags=re.S)
    assert brand, "the header's brand link"
    assert f'src="{settings.STATIC_URL}img/ceplus-wordmark.svg" alt="CE+ Services"' in brand[1]
    assert re.search(r'<span class="visually-hidden"> – accueil</span>', brand[1])


@pytest.mark.django_db
def test_admin_header_shows_the_wordmark_named_by_site_header(client):
    client.force_login(StaffFactory())
    links = parsed(client.get("/admin/"))
    wordmarks = [img for img in links.images if img["src"].endswith("img/ceplus-wordmark-inverse.svg")]
    assert [img["alt"] for img in wordmarks] == [str(django.contrib.admin.site.site_header)]
