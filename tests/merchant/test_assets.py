"""Scripts and stylesheets: SRI of the served bytes on every file the pages load, and the committed inventory."""

import json
import re
import shutil

import requests

from panless.merchant import assets
from panless.merchant.assets import inventory
from panless.merchant.audit import sri
from tests.merchant.support import ROOT
from tests.support.sandbox import TIMEOUT

HASHED = r"\.[0-9a-f]{12}\."  # a content hash in a served file's name


def declared_assets(page: str) -> dict[str, str]:
    """Every file a page names (tags and the import map's "integrity" member) -> the SRI hash it states."""
    imports = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', page, re.S).group(1))
    declared = dict(imports["integrity"])
    for tag in re.findall(r"<(?:script|link)[^>]+>", page):
        src = re.search(r'(?:src|href)="(/static/[^"]+)"', tag)
        if src:
            integrity = re.search(r'integrity="([^"]+)"', tag)
            assert integrity, f"{src.group(1)} has no integrity attribute"
            assert declared.setdefault(src.group(1), integrity.group(1)) == integrity.group(1), src.group(1)
    return declared


def test_every_asset_carries_a_matching_sri_hash(app_server):
    declared = declared_assets(requests.get(app_server.url + "/pay", timeout=TIMEOUT).text)
    # The page's bundle (the tokenizer and the brand marks within), the catalogues it loads on demand, its two
    # stylesheets, and nothing else; each by a content-hashed name.
    unhashed = sorted(re.sub(HASHED, ".", path) for path in declared)
    catalogues = [f"/static/js/frame/i18n-{locale}.js" for locale in ("de", "es", "fr", "it", "nl", "pt-BR")]
    assert unhashed == sorted(["/static/css/form.css", "/static/css/page.css", "/static/js/frame/page.js",
                               *catalogues])
    for path, digest in declared.items():
        assert re.search(HASHED, path) and digest.startswith("sha256-"), path
        assert sri(requests.get(app_server.url + path, timeout=TIMEOUT).content) == digest, path


def test_served_files_match_the_committed_inventory(app_server):
    committed = json.loads((ROOT / "docs" / "script-inventory.json").read_text())
    for entry in committed["assets"]:
        for path in [entry["path"], *entry.get("also_at", [])]:
            served = requests.get(app_server.url + path, timeout=TIMEOUT).content
            assert sri(served) == entry["sha256"], f"{path} changed: run `panless inventory` once authorized"
        assert entry["purpose"]
        for source in entry["sources"]:  # each source file named is in the repository, as hashed
            assert sri((ROOT / source["path"]).read_bytes()) == source["sha256"], source["path"]
    assert committed == inventory(str(ROOT / "static"))


def test_the_frames_inline_script_is_the_inventorys(app_server):
    # The frame's only inline script (static/js/frame/early.js, minified): its text hashes to the inventory's entry.
    origin = app_server.app.config["ALLOWED_ORIGINS"][0]
    page = requests.get(f"{app_server.url}/frame", params={"parent": origin}, timeout=TIMEOUT).text
    inline = re.findall(r"<script nonce=\"[^\"]+\">(.*?)</script>", page, re.S)
    listed = inventory(str(ROOT / "static"))["inline"]
    assert [sri(text.encode()) for text in inline] == [entry["sha256"] for entry in listed if entry["page"] == "frame"]
    assert listed[0]["sources"][0]["path"] == "static/js/frame/early.js"


def test_inventory_detects_a_change(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    before = inventory(str(static))["assets"]
    (static / "js" / "shared" / "errors.js").write_text(
        (static / "js" / "shared" / "errors.js").read_text() + "\n/* changed */ export const changed = 1;\n")
    assets.forget()
    after = inventory(str(static))["assets"]
    assets.forget()
    changed = sorted(a["path"] for a, b in zip(before, after, strict=True) if a != b)
    # The files that hold errors.js change, under new names; the embed and the catalogues do not.
    assert [re.sub(HASHED, ".", path) for path in changed] == ["/static/js/frame/frame.js", "/static/js/frame/page.js"]
    assert all(a["path"] != b["path"] for a, b in zip(before, after, strict=True) if a != b)
