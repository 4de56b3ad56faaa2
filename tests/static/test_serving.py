"""The card pages' files as served (server/merchant/build.py, server/merchant/static_files.py), over real HTTP:
compression negotiated, content-hashed names cached for good, a static file's few headers against the page's
full policy, the embed's public URL for checkout pages on other origins, and a build that is the same every time.
"""

import gzip
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import brotli
import pytest

from panless import create_app
from panless.merchant import assets
from panless.merchant.build import BuildError, build, module_order
from tests.merchant.support import ROOT, SHOP
from tests.support import LiveServer, providers_on

STATIC = str(ROOT / "static")
HASHED = re.compile(r"^/static/.+\.[0-9a-f]{12}\.(js|css)$")
# What a static answer may carry: the file's own headers, and what any HTTP server adds.
STATIC_HEADERS = {"Content-Type", "Content-Length", "Cache-Control", "Etag", "Vary", "Content-Encoding",
                  "X-Content-Type-Options", "Access-Control-Allow-Origin", "Date", "Server", "Connection"}


@pytest.fixture(scope="module")
def server(sandbox_server):
    app = create_app({**providers_on(sandbox_server.url), "ALLOWED_ORIGINS": SHOP})
    live = LiveServer(app).start()
    live.app = app
    yield live
    live.stop()


def get(server, path: str, **headers) -> tuple[int, dict[str, str], bytes]:
    """A bare GET: the body as it crossed the wire (nothing decoded), headers by their title-cased names."""
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.title(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def page_assets(server, path: str) -> list[str]:
    """Every file a page names: its tags' URLs and its import map's (a frame whose mount needs no module loaded
    on demand has none)."""
    _, _, body = get(server, path)
    html = body.decode()
    found = re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S)
    imports = json.loads(found.group(1)) if found else {"integrity": {}}
    return sorted({*re.findall(r'(?:src|href)="(/static/[^"]+)"', html), *imports["integrity"]})


def frame_bundle(server) -> str:
    return next(path for path in page_assets(server, f"/frame?parent={SHOP}") if "/frame/frame." in path)


@pytest.mark.parametrize("offered,expected", [
    ("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip"), ("*", "br"),
    ("identity", None), ("gzip;q=0", None), ("", None),
])
def test_compression_is_negotiated(server, offered, expected):
    path = frame_bundle(server)
    plain = assets.served(STATIC).by_path()[path.removeprefix("/static/")].body
    status, headers, body = get(server, path, **({"Accept-Encoding": offered} if offered else {}))
    assert status == 200 and headers["Vary"] == "Accept-Encoding"
    assert headers.get("Content-Encoding") == expected
    assert int(headers["Content-Length"]) == len(body)
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[expected](body)
    assert decoded == plain
    if expected:
        assert len(body) < len(plain) / 2


def test_the_frame_html_is_compressed_and_keeps_its_policy(server):
    status, headers, body = get(server, f"/frame?parent={SHOP}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    assert b'id="card-form"' in gzip.decompress(body)
    for name in ("Content-Security-Policy", "Permissions-Policy", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                 "Cross-Origin-Resource-Policy", "X-Content-Type-Options"):
        assert name in headers, name
    assert headers["Cache-Control"] == "no-store"
    # The hosted page echoes the visitor's return_url and state beside its token: never compressed (BREACH).
    _, headers, _ = get(server, "/pay", **{"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in headers and "Content-Security-Policy" in headers


@pytest.mark.parametrize("page", ["/pay", f"/frame?parent={SHOP}", f"/frame?parent={SHOP}&locale=fr&appearance=1"])
def test_every_page_file_is_hashed_immutable_and_carries_only_a_static_files_headers(server, page):
    paths = page_assets(server, page)
    assert paths
    for path in paths:
        assert HASHED.match(path), path
        status, headers, _ = get(server, path, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Cache-Control"] == "max-age=31536000, immutable", path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert set(headers) <= STATIC_HEADERS, set(headers) - STATIC_HEADERS
        assert "Access-Control-Allow-Origin" not in headers  # same-origin files: no CORS needed
        assert "Etag" not in headers  # never revalidated, so never asked about
        # Module scripts are read as UTF-8 whatever the header says; a stylesheet's charset still counts.
        assert headers["Content-Type"] == ("text/javascript" if path.endswith(".js") else "text/css; charset=utf-8")


def test_a_changed_source_gets_a_new_name_and_the_others_keep_theirs(tmp_path):
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static", static)
    before = assets.served(str(static)).by_path()
    icons = static / "js" / "frame" / "icons.js"
    icons.write_text(icons.read_text() + "\nself.changed = true;\n")  # a statement: an unused export is dropped
    assets.forget()
    try:
        after = assets.served(str(static)).by_path()
    finally:
        assets.forget()
    gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    # icons.js is in both pages' bundles, and no file of its own.
    changed = ["js/frame/frame.js", "js/frame/page.js"]
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", p) for p in gone] == changed
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", p) for p in new] == changed
    assert all(before[p].body == after[p].body for p in set(before) & set(after))


def test_the_embed_public_url_serves_the_embed_to_other_origins(server):
    status, headers, body = get(server, "/static/js/embed/panless.js", Origin="http://shop.example",
                                **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Cache-Control"] == "max-age=300"  # merchants paste it: never immutable
    embed = assets.served(STATIC).assets["js/embed/panless.js"]
    assert gzip.decompress(body) == embed.body
    assert b"mount" in embed.body and b"import " not in embed.body  # one file: the bridge is inside
    status, headers, _ = get(server, f"/static/{embed.path}", Origin="http://shop.example")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Cache-Control"] == "max-age=31536000, immutable"
    assert set(headers) <= STATIC_HEADERS


def test_the_embed_fits_its_budget_on_the_wire(server):
    """What a checkout page's first visit receives for the embed, status line and headers included, as a browser
    offering brotli gets it: under the 2 KB of issue 15 (bench/wire.py measures it in Chromium)."""
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(b"GET /static/js/embed/panless.js HTTP/1.1\r\nHost: x\r\nOrigin: http://shop.example\r\n"
                           b"Accept-Encoding: gzip, deflate, br, zstd\r\nConnection: close\r\n\r\n")
        received = b"".join(iter(lambda: connection.recv(65536), b""))
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Content-Encoding: br" in head and brotli.decompress(body)
    assert len(received) <= 2048, len(received)


def test_a_known_version_is_not_sent_again(server):
    _, headers, _ = get(server, "/static/js/embed/panless.js", **{"Accept-Encoding": "br"})
    status, again, body = get(server, "/static/js/embed/panless.js",
                              **{"Accept-Encoding": "br", "If-None-Match": headers["Etag"]})
    assert status == 304 and body == b"" and again["Etag"] == headers["Etag"]
    status, _, body = get(server, "/static/js/embed/panless.js",
                          **{"Accept-Encoding": "gzip", "If-None-Match": headers["Etag"]})  # another encoding
    assert status == 200 and body


def test_only_built_files_are_served(server):
    for path in ("/static/js/frame/form.js", "/static/js/frame/i18n-fr.js", "/static/css/form.css",
                 "/static/js/demo/checkout.js", "/static/../server/cli.py", "/static/"):
        status, headers, _ = get(server, path)
        assert status == 404 and set(headers) <= STATIC_HEADERS, path
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
    connection.request("POST", "/static/js/embed/panless.js", body=b"{}")
    response = connection.getresponse()
    assert response.status == 405 and response.getheader("Allow") == "GET, HEAD"
    connection.close()


def test_a_card_number_in_a_static_request_meets_the_tripwire(server):
    before = server.app.extensions["panless_counters"]["pan_detected"]
    for headers, path in (({}, "/static/js/embed/panless.js?n=4970107111111119"),
                          ({"X-Note": "4970 1071 1111 1119"}, "/static/js/embed/panless.js"),
                          ({}, "/static/4970107111111119.js")):
        status, _, body = get(server, path, **headers)
        assert status == 400 and b"pan_detected" in body and b"4970" not in body, path
    assert server.app.extensions["panless_counters"]["pan_detected"] == before + 3


def test_the_build_is_the_same_in_every_process():
    """Built three times, in this process and in two fresh ones (each with its own hash seed): the same bytes."""
    script = ("import hashlib, json, sys; from panless.merchant.assets import served; "
              "b = served(sys.argv[1]); print(json.dumps({k: [a.path, hashlib.sha256(a.body).hexdigest(), "
              "hashlib.sha256(a.encoded['gzip']).hexdigest(), hashlib.sha256(a.encoded['br']).hexdigest()] "
              "for k, a in b.assets.items()}))")
    runs = [json.loads(subprocess.run([sys.executable, "-c", script, STATIC], capture_output=True, text=True,
                                      check=True, timeout=120).stdout) for _ in range(2)]
    import hashlib

    here = {k: [a.path, hashlib.sha256(a.body).hexdigest(), hashlib.sha256(a.encoded["gzip"]).hexdigest(),
                hashlib.sha256(a.encoded["br"]).hexdigest()] for k, a in assets.served(STATIC).assets.items()}
    assert runs[0] == runs[1] == here


def test_the_inventory_maps_each_served_file_to_its_sources():
    listed = {entry["path"]: entry for entry in assets.inventory(STATIC)["assets"]}
    for entry_module, needed in (("js/frame/frame.js", ["js/shared/bridge.js", "js/frame/form.js",
                                                        "js/card/card.js"]),
                                 ("js/embed/panless.js", ["js/shared/bridge.js"])):
        served = next(entry for path, entry in listed.items() if path == assets.url(STATIC, entry_module))
        sources = [s["path"] for s in served["sources"]]
        # The modules in the order they run, each once, the entry last.
        assert sources == [f"static/{name}" for name in module_order(ROOT / "static", entry_module)]
        assert sources[-1] == f"static/{entry_module}" and len(set(sources)) == len(sources)
        assert {f"static/{name}" for name in needed} <= set(sources)
        assert all(not s.endswith(("i18n-fr.js", "i18n-de.js")) for s in sources)  # on demand, apart
    embed = listed[assets.url(STATIC, "js/embed/panless.js")]
    assert embed["also_at"] == ["/static/js/embed/panless.js"] and embed["pages"] == ["checkout (embed)"]
    for entry in listed.values():
        assert HASHED.match(entry["path"]) and entry["sources"] and entry["purpose"]


# --- the bundler on modules written for the purpose ----------------------------------------------------------

def write(static, files: dict[str, str]):
    for name, text in files.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_text(text)


def test_a_lazy_module_is_named_by_its_hash_and_kept_apart(tmp_path):
    write(tmp_path, {"js/a/entry.js": 'import { x } from "../b/lib.js";\nexport const f = () => import("./late.js");\n',
                     "js/b/lib.js": "export const x = 1;\n", "js/a/late.js": "export default { late: true };\n"})
    built = build(str(tmp_path), ("js/a/entry.js",), ())
    late = built.assets["js/a/late.js"]
    assert built.assets["js/a/entry.js"].lazy == ("js/a/late.js",)
    assert f'import("./{late.path.rsplit("/", 1)[1]}")'.encode() in built.assets["js/a/entry.js"].body
    assert built.lazy_closure("js/a/entry.js") == ["js/a/entry.js", "js/a/late.js"]


@pytest.mark.parametrize("files,error", [
    ({"js/e.js": 'import { a } from "./m.js";\n', "js/m.js": 'import { e } from "./e.js";\nexport const a = 1;\n'},
     "import cycle"),
    ({"js/e.js": 'import { b } from "./m.js";\n', "js/m.js": "export const a = 1;\n"}, "does not export"),
    ({"js/e.js": 'import { a } from "./m.js";\n', "js/m.js": 'export * from "./n.js";\n', "js/n.js": ""},
     "not supported"),
    ({"js/e.js": 'import x from "lodash";\n'}, "bare import"),
    ({"js/e.js": 'export const f = () => import("./m.js");\n', "js/m.js": 'export const g = () => import("./e.js");\n'},
     "on-demand import cycle"),
])
def test_what_the_bundler_cannot_do_it_refuses_at_build_time(tmp_path, files, error):
    write(tmp_path, files)
    with pytest.raises(BuildError, match=error):
        build(str(tmp_path), ("js/e.js",), ())
