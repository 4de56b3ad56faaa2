"""The payment pages' scripts and stylesheets: SRI hashes, the import map, and the script inventory.

PCI DSS 6.4.3 asks for an inventory of every script on a payment page, with why it is there, and a way
to assure its integrity. The pages load the files server/merchant/build.py makes from the sources (one bundle
per entry, the lazy catalogues, the stylesheets, all minified and content-hashed); every one carries an SRI
sha256 hash of the served bytes (module imports through the import map's "integrity" member; the frame's
stylesheet is inline, admitted by the CSP nonce), and
`panless inventory` writes the list, each served file with the source files it is built from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from functools import cache
from pathlib import Path

from markupsafe import Markup

from .build import Build, build, minify_inline

# Everything a payment page loads, with the reason it is there (the inventory's "purpose").
PAGE_ASSETS = {
    "css/form.css": "Layout and look of the card form (no style attributes; inline in the frame's HTML).",
    "css/page.css": "Layout of the hosted card page around the form.",
    "js/frame/page.js": "Hosted card page: mounts the form, shows saved cards, redirect mode.",
    "js/frame/frame.js": "Card frame: the form inside a checkout page's iframe and its postMessage side.",
    "js/frame/form.js": "Card form: inputs, inline errors, session, finalize, events; merchant API client; locales.",
    "js/frame/appearance.js": "Checks and applies the checkout's appearance option (theme, colours, button label); "
                              "loaded only when one is given.",
    "js/frame/early.js": "Card frame: inline in its HTML, takes the session the server started with the page "
                         "(a mount's start code), else starts the one the embed described in the fragment (with "
                         "the page's own customer token when the embed gave none), while the bundle loads; says "
                         "hello to the checkout page (keeps the checkout's messages for "
                         "the bridge to check).",
    "js/frame/icons.js": "Card brand marks drawn as inline SVG (no image is fetched).",
    "js/frame/tokenize.js": "The only code that sends card data: posts it to the PSP as the session's target says.",
    "js/frame/i18n-en.js": "English strings of the card form (the fallback of the others); the server's errors "
                           "come with their English.",
    "js/frame/page-strings.js": "English strings of the hosted card page alone (title, saved cards, Cancel).",
    "js/frame/i18n-fr.js": "French strings, loaded only when the page or frame is in French.",
    "js/frame/i18n-es.js": "Spanish strings, loaded only when the page or frame is in Spanish.",
    "js/frame/i18n-de.js": "German strings, loaded only when the page or frame is in German.",
    "js/frame/i18n-pt-BR.js": "Brazilian Portuguese strings, loaded only when the page or frame is in Portuguese.",
    "js/frame/i18n-it.js": "Italian strings, loaded only when the page or frame is in Italian.",
    "js/frame/i18n-nl.js": "Dutch strings, loaded only when the page or frame is in Dutch.",
    "js/card/card.js": "Pure card logic: brands table, Luhn, expiry, CVC and name validators, formatters.",
    "js/shared/errors.js": "The error type the card form reports, and the few codes only the browser raises.",
    "js/shared/bridge.js": "Checked postMessage bridge between the card frame and its checkout page.",
    "js/shared/locale.js": "Which catalogue a language tag finds: the card form loads it, the embed names it in the "
                           "frame's URL so the frame's import map pins that catalogue alone.",
    "js/embed/panless.js": "Embed for checkout pages: Panless.mount() creates the card iframe.",
    "js/embed/startup.js": "Embed: why the card form did not start and what to fix, loaded only when start-up fails.",
}
# Where each entry point runs: the two card pages, and the checkout page that embeds the frame. A module's
# directory says which window runs it: frame/ (the frame or the hosted page), embed/ (the checkout page),
# shared/ (both), card/ (pure card logic, imported by frame/).
ENTRY = {"card_form": "js/frame/page.js", "frame": "js/frame/frame.js", "checkout (embed)": "js/embed/panless.js"}


STYLES = tuple(name for name in PAGE_ASSETS if name.endswith(".css"))
# Classic scripts inlined in a page (minified, admitted by the page's CSP nonce), by the page that carries them.
INLINE = {"js/frame/early.js": "frame"}
STATIC_URL = "/static"
# The embed's public URL, which merchants paste into their checkout pages: the same bytes as its hashed file,
# cached briefly (a fix reaches every checkout page within that time).
PUBLIC = {"js/embed/panless.js": ENTRY["checkout (embed)"]}


def sri(content: bytes) -> str:
    """The SRI value of some bytes, as a page's integrity attribute states it."""
    return "sha256-" + base64.b64encode(hashlib.sha256(content).digest()).decode()


@cache
def served(static_dir: str) -> Build:
    """The files the card pages load, as served: bundled, minified, content-hashed (server/merchant/build.py).
    Built once per process: a changed source is served after a restart, under a new name."""
    return build(static_dir, tuple(ENTRY.values()), STYLES)


def url(static_dir: str, name: str) -> str:
    """The served URL of a source name ("js/frame/frame.js" -> "/static/js/frame/frame.<hash>.js")."""
    return f"{STATIC_URL}/{served(static_dir).assets[name].path}"


@cache
def inline_style(static_dir: str, name: str) -> Markup:
    """A stylesheet's served bytes, for a page's <style> element (they hold no markup: checked here)."""
    text = served(static_dir).assets[name].body.decode()
    if "<" in text:
        raise ValueError(f"{name}: a '<' in the stylesheet could end the <style> element")
    return Markup(text)


def forget() -> None:
    """Drop the built files, so the next use builds them again from the sources (for tests that change them)."""
    served.cache_clear()
    hashes.cache_clear()
    inline_style.cache_clear()
    inline_script.cache_clear()


@cache
def hashes(static_dir: str) -> dict[str, str]:
    """SRI hash of each served file, by the source name it is built from (what the pages promise)."""
    return {name: sri(asset.body) for name, asset in served(static_dir).assets.items()}


def import_map(static_dir: str, entry: str, only: list[str] | None = None) -> dict:
    """An import map whose "integrity" member pins every file the entry's bundle can load on demand (the
    bundle itself is pinned by its script element's integrity attribute); with `only`, just those of them
    (see on_demand) and what they load in turn. Empty: the page carries no import map."""
    build_, digests = served(static_dir), hashes(static_dir)
    names = build_.lazy_closure(entry)[1:]
    if only is not None:
        names = list(dict.fromkeys(name for chosen in only for name in build_.lazy_closure(chosen)))
    return {"integrity": {url(static_dir, name): digests[name] for name in names}} if names else {}


# The frame's on-demand modules a mount can ask for by the frame URL's query (static/js/embed/panless.js):
# ?locale=<a catalogue's name> and ?appearance=1.
CATALOGUE = re.compile(r"js/frame/i18n-(.+)\.js")
APPEARANCE = "js/frame/appearance.js"


def on_demand(static_dir: str, locale: str | None, appearance: bool) -> list[str]:
    """The frame's on-demand modules this mount can use: the locale's catalogue when it is one the frame's
    bundle can load (anything else, English included, adds nothing), and the appearance checks if asked. The
    embed always names a locale: a URL without one was made by an older embed (or by hand), which names
    nothing, so its frame gets everything its bundle can load, as before."""
    lazy = served(static_dir).lazy_closure(ENTRY["frame"])[1:]
    if locale is None:
        return lazy

    def used(name: str) -> bool:
        catalogue = CATALOGUE.fullmatch(name)
        return catalogue[1] == locale if catalogue else appearance and name == APPEARANCE

    return [name for name in lazy if used(name)]


@cache
def inline_script(static_dir: str, name: str) -> Markup:
    """The served text of an inline script: its source minified (build.py), as the page carries it."""
    return Markup(minify_inline(Path(static_dir), name))


def pages_of(static_dir: str, name: str) -> list[str]:
    """The pages that load a served file: the stylesheets by the templates, the scripts where reachable."""
    if name.endswith(".css"):
        return ["card_form"] if name == "css/page.css" else ["card_form", "frame"]
    return sorted(page for page, entry in ENTRY.items() if name in served(static_dir).lazy_closure(entry))


def purpose(name: str) -> str:
    if name not in PAGE_ASSETS:
        raise KeyError(f"static/{name} is loaded by a card page but has no purpose in PAGE_ASSETS "
                       "(server/merchant/assets.py): say why it is there")
    return PAGE_ASSETS[name]


def inventory(static_dir: str) -> dict:
    build_, static = served(static_dir), Path(static_dir)
    entries = []
    for name, asset in build_.assets.items():
        paths = [f"{STATIC_URL}/{asset.path}", *(f"{STATIC_URL}/{alias}" for alias, s in PUBLIC.items() if s == name)]
        entries.append({
            "path": paths[0], **({"also_at": paths[1:]} if paths[1:] else {}), "sha256": sri(asset.body),
            "purpose": purpose(name), "kind": "stylesheet" if name.endswith(".css") else "module script",
            "pages": pages_of(static_dir, name),
            "sources": [{"path": f"static/{source}", "sha256": sri((static / source).read_bytes()),
                         "purpose": purpose(source)} for source in asset.sources]})
    inline = [{"page": page, "sha256": sri(inline_script(static_dir, name).encode()), "purpose": purpose(name),
               "kind": "inline script",
               "sources": [{"path": f"static/{name}", "sha256": sri((static / name).read_bytes()),
                            "purpose": purpose(name)}]} for name, page in INLINE.items()]
    return {"description": "Payment page script inventory (PCI DSS 6.4.3): every script and stylesheet the "
                           "Panless card pages load, as served (bundled and minified from the readable sources, "
                           "see docs/pci.md), with its SRI hash, its purpose and the source files it is built "
                           "from; and under \"inline\" the scripts a page carries inline (admitted by its CSP "
                           "nonce), by the hash of their text. Regenerate with `panless inventory` after an "
                           "authorized change.",
            "assets": entries,
            "inline": inline}


def write_inventory(static_dir: str, out: Path) -> Path:
    out.write_text(json.dumps(inventory(static_dir), indent=2) + "\n")
    return out
