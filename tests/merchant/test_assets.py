"""Scripts and stylesheets: SRI on every asset the pages load, and the committed script inventory."""

import json
import re
import shutil

import requests

from panless.merchant.assets import hashes, inventory
from panless.merchant.audit import sri
from tests.merchant.support import ROOT
from tests.support.sandbox import TIMEOUT


def test_every_asset_carries_a_matching_sri_hash(app_server):
    page = requests.get(app_server.url + "/pay", timeout=TIMEOUT).text
    imports = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', page, re.S).group(1))
    declared = dict(imports["integrity"])
    for tag in re.findall(r"<(?:script|link)[^>]+>", page):
        src = re.search(r'(?:src|href)="(/static/[^"]+)"', tag)
        if src:
            integrity = re.search(r'integrity="([^"]+)"', tag)
            assert integrity, f"{src.group(1)} has no integrity attribute"
            assert declared.setdefault(src.group(1), integrity.group(1)) == integrity.group(1), src.group(1)
    # Every module the page can load (the lazy catalogues included) and its stylesheets, and nothing else.
    catalogues = [f"/static/js/frame/i18n-{locale}.js" for locale in ("de", "en", "es", "fr", "it", "nl", "pt-BR")]
    assert sorted(declared) == sorted(["/static/css/form.css", "/static/css/page.css", "/static/js/card/card.js",
                                       "/static/js/frame/form.js", *catalogues, "/static/js/frame/icons.js",
                                       "/static/js/frame/page.js",
                                       "/static/js/frame/tokenize.js", "/static/js/shared/errors.js"])
    for path, digest in declared.items():
        assert digest.startswith("sha384-")
        assert sri(requests.get(app_server.url + path, timeout=TIMEOUT).content) == digest, path


def test_served_files_match_the_committed_inventory(app_server):
    committed = json.loads((ROOT / "docs" / "script-inventory.json").read_text())
    for entry in committed["assets"]:
        served = requests.get(app_server.url + entry["path"], timeout=TIMEOUT).content
        assert sri(served) == entry["sha384"], f"{entry['path']} changed: run `panless inventory` once authorized"
        assert entry["purpose"]
    assert committed == inventory(str(ROOT / "static"))


def test_inventory_detects_a_change(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    before = inventory(str(static))["assets"]
    (static / "js" / "frame" / "form.js").write_text("/* changed */\n", encoding="utf-8")
    hashes.cache_clear()
    after = inventory(str(static))["assets"]
    changed = [a["path"] for a, b in zip(before, after, strict=True) if a["sha384"] != b["sha384"]]
    hashes.cache_clear()
    assert changed == ["/static/js/frame/form.js"]
