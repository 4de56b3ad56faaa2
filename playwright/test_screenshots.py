"""Screenshots at 375 px and 1280 px, light and dark: the layout holds (no sideways scroll, every control in view,
the theme applied), and the README's pictures are made by playwright/screenshots.py, the code run here.
"""

import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect
from screenshots import OUT, SHOTS, name, shoot

ROOT = Path(__file__).resolve().parent.parent


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_script_takes_every_shot(browser, merchant, shop, tmp_path):
    written = shoot(browser, merchant.url, shop.url, tmp_path)
    assert [p.name for p in written] == [name(*shot) for shot in SHOTS]
    for (kind, width, _), path in zip(SHOTS, written, strict=True):
        w, h = png_size(path)
        assert (w == width if kind == "hosted" else 300 < w <= width) and h > 200, (path.name, w, h)
    for kind, width, _ in SHOTS:  # the dark picture is not the light one
        light, dark = (tmp_path / name(kind, width, s) for s in ("light", "dark"))
        assert light.read_bytes() != dark.read_bytes()


def test_the_readme_shows_the_committed_screenshots():
    shown = re.findall(r"!\[[^]]*\]\((docs/screenshots/[^)]+)\)", (ROOT / "README.md").read_text())
    assert len(shown) >= 4, "the README shows too few screenshots"
    for shot in SHOTS:
        assert (OUT / name(*shot)).is_file(), f"run playwright/screenshots.py: {name(*shot)} is missing"
    assert [path for path in shown if not (ROOT / path).is_file()] == []


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_hosted_page_fits_at_each_width_and_scheme(browser, merchant, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 760}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{merchant.url}/pay")
    expect(page.locator("#card-form")).to_have_attribute("data-ready", "true")
    page.locator("#number").press("Enter")  # every error shown: the longest the form gets
    expect(page.locator("#number-error")).not_to_be_empty()
    expect(page.locator("html")).to_have_attribute("data-theme", scheme)
    layout = page.evaluate("""() => ({
        sideways: document.documentElement.scrollWidth > innerWidth,
        outside: [...document.querySelectorAll('input:not([hidden]), #pay, label')]
            .filter((el) => el.offsetParent).map((el) => el.getBoundingClientRect())
            .filter((r) => r.left < 0 || r.right > innerWidth).length,
        inputs: getComputedStyle(document.getElementById('number')).backgroundColor,
    })""")
    context.close()
    assert layout["sideways"] is False and layout["outside"] == 0
    assert layout["inputs"] == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(34, 36, 47)")
