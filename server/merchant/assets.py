"""The payment pages' scripts and stylesheets: SRI hashes, the import map, and the script inventory.

PCI DSS 6.4.3 asks for an inventory of every script on a payment page, with why it is there, and a way
to assure its integrity. Every script and stylesheet the card pages load carries an SRI sha384 hash (module
imports through the import map's "integrity" member), and `panless inventory` writes the list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from functools import cache
from pathlib import Path

# Everything a payment page loads, with the reason it is there (the inventory's "purpose").
PAGE_ASSETS = {
    "css/form.css": "Layout and look of the card form (no inline styles anywhere).",
    "css/page.css": "Layout of the hosted card page around the form.",
    "js/frame/page.js": "Hosted card page: mounts the form, shows saved cards, redirect mode.",
    "js/frame/frame.js": "Card frame: the form inside a checkout page's iframe and its postMessage side.",
    "js/frame/form.js": "Card form: inputs, inline errors, session, finalize, events; merchant API client; locales.",
    "js/frame/icons.js": "Card brand marks drawn as inline SVG (no image is fetched).",
    "js/frame/tokenize.js": "The only code that sends card data: posts it to the PSP as the session's target says.",
    "js/frame/i18n-en.js": "English: every string a shopper reads on the card pages (the fallback of the others).",
    "js/frame/i18n-fr.js": "French strings, loaded only when the page or frame is in French.",
    "js/frame/i18n-es.js": "Spanish strings, loaded only when the page or frame is in Spanish.",
    "js/frame/i18n-de.js": "German strings, loaded only when the page or frame is in German.",
    "js/frame/i18n-pt-BR.js": "Brazilian Portuguese strings, loaded only when the page or frame is in Portuguese.",
    "js/frame/i18n-it.js": "Italian strings, loaded only when the page or frame is in Italian.",
    "js/frame/i18n-nl.js": "Dutch strings, loaded only when the page or frame is in Dutch.",
    "js/card/card.js": "Pure card logic: brands table, Luhn, expiry, CVC and name validators, formatters.",
    "js/shared/errors.js": "The error type the card form reports, and the few codes only the browser raises.",
    "js/shared/bridge.js": "Checked postMessage bridge between the card frame and its checkout page.",
    "js/embed/panless.js": "Embed for checkout pages: Panless.mount() creates the card iframe.",
}
# Where each entry point runs: the two card pages, and the checkout page that embeds the frame. A module's
# directory says which window runs it: frame/ (the frame or the hosted page), embed/ (the checkout page),
# shared/ (both), card/ (pure card logic, imported by frame/).
ENTRY = {"card_form": "js/frame/page.js", "frame": "js/frame/frame.js", "checkout (embed)": "js/embed/panless.js"}


def sri(content: bytes) -> str:
    """The SRI value of some bytes, as a page's integrity attribute states it."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


@cache
def hashes(static_dir: str) -> dict[str, str]:
    """SRI hash of each payment-page asset, computed once per process (what the pages promise)."""
    return {name: sri((Path(static_dir) / name).read_bytes()) for name in PAGE_ASSETS}


IMPORT = re.compile(r"""(?:^|\n)\s*import\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)""")


@cache
def modules_of(static_dir: str, entry: str, on_demand: bool = True) -> tuple[str, ...]:
    """The entry module and every module it can import: statically, and on demand unless told not to."""
    seen, todo = [], [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        source = (Path(static_dir) / name).read_text(encoding="utf-8")
        for match in IMPORT.finditer(source):
            target = match.group(1) or (match.group(2) if on_demand else None)
            if target:
                todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), target)))
    return tuple(sorted(seen))


def preloads(static_dir: str, entry: str) -> list[str]:
    """The modules the entry imports statically, to fetch at once rather than one import level at a time."""
    return [name for name in modules_of(static_dir, entry, on_demand=False) if name != entry]


def import_map(static_dir: str, entry: str, static_url: str = "/static") -> dict:
    """An import map whose "integrity" member pins every module this page can load, and no other."""
    digests = hashes(static_dir)
    return {"integrity": {f"{static_url}/{name}": digests[name] for name in modules_of(static_dir, entry)}}


def inventory(static_dir: str) -> dict:
    entries = [{"path": f"/static/{name}", "sha384": digest, "purpose": PAGE_ASSETS[name],
                "kind": "stylesheet" if name.endswith(".css") else "module script",
                "pages": pages_of(static_dir, name)}
               for name, digest in hashes(static_dir).items()]
    return {"description": "Payment page script inventory (PCI DSS 6.4.3): every script and stylesheet the "
                           "Panless card pages load, with its SRI hash and purpose. Regenerate with "
                           "`panless inventory` after an authorized change.",
            "assets": entries}


def pages_of(static_dir: str, name: str) -> list[str]:
    """The pages that load an asset: the stylesheet is on both card pages; modules where imported."""
    if name.endswith(".css"):
        return ["card_form"] if name == "css/page.css" else ["card_form", "frame"]
    return sorted(page for page, entry in ENTRY.items() if name in modules_of(static_dir, entry))


def write_inventory(static_dir: str, out: Path) -> Path:
    out.write_text(json.dumps(inventory(static_dir), indent=2) + "\n")
    return out
