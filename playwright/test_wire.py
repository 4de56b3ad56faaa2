"""The served files in Chromium: a repeat visit fetches no static file (content-hashed names, cached for good; the
embed's public URL for minutes), and a bundle (server/merchant/build.py) behaves as its modules did, for every
form of import and export it accepts."""

from pathlib import Path

from flask import Flask
from playwright.sync_api import expect

from panless.merchant.build import build
from tests.support import LiveServer


def mount_on_the_shop(page, shop) -> None:
    page.goto(shop.url + "/")
    expect(page.frame_locator("iframe").locator("#card-form")).to_have_attribute("data-ready", "true")


def test_a_repeat_visit_fetches_no_static_file(browser, merchant, shop):
    context = browser.new_context()  # a shopper's browser: one HTTP cache for both visits
    try:
        start = len(merchant.recorder.requests)
        mount_on_the_shop(context.new_page(), shop)
        first = [r["url"] for r in merchant.recorder.requests[start:]]
        # The embed (its public URL) and the frame's bundle went to the server once each; the frame's stylesheet
        # is inline in its HTML.
        assert "/static/js/embed/panless.js" in first
        assert [u for u in first if u.startswith("/static/js/frame/frame.")]
        assert [u for u in first if u.startswith("/static/css/")] == []
        start = len(merchant.recorder.requests)
        mount_on_the_shop(context.new_page(), shop)
        again = [r["url"] for r in merchant.recorder.requests[start:]]
        assert [u for u in again if u.startswith("/static/")] == []
        assert len([u for u in again if u.startswith("/frame?")]) == 1  # the frame's HTML: never cached
    finally:
        context.close()


def test_a_first_visit_fetches_only_what_the_form_needs_to_start(browser, merchant, shop):
    """The frame's bundle holds the tokenizer and the brand marks (a request of their own each cost more than
    their bytes): typing a card fetches no script; the embed's start-up diagnostics wait for a failure (none
    here). (The demo shop gives an `appearance`, so its checks are fetched.)"""
    context = browser.new_context()
    try:
        start = len(merchant.recorder.requests)
        page = context.new_page()
        mount_on_the_shop(page, shop)
        scripts = lambda: sorted(r["url"].split(".")[0] for r in merchant.recorder.requests[start:]  # noqa: E731
                                 if r["url"].startswith("/static/js/"))
        assert scripts() == ["/static/js/embed/panless", "/static/js/frame/appearance", "/static/js/frame/frame"]
        frame = page.frame_locator("iframe")
        frame.locator("#number").fill("4970107111111119")
        expect(frame.locator("#number-brand svg")).to_have_attribute("data-brand", "visa")  # the mark, at once
        page.wait_for_timeout(300)  # time enough for a module loaded on demand
        assert scripts() == ["/static/js/embed/panless", "/static/js/frame/appearance", "/static/js/frame/frame"]
    finally:
        context.close()


MODULES = {
    "js/app/entry.js": """import order, { log } from "../lib/order.js";
import * as shapes from "../lib/shapes.js";
import Circle, { area as areaOf, UNIT } from "../lib/circle.js";
import "../lib/side-effect.js";
log("entry");
export const result = { order, unit: UNIT, area: areaOf(new Circle(2)), shapes: Object.keys(shapes).sort(),
                        regex: /["'`/]+/g.source, text: `a ${"//"} b /* c */` };
export const later = () => import("./later.js").then((m) => m.default);
export default function named() { return "default"; }
""",
    "js/lib/order.js": """const seen = [];
export function log(what) { seen.push(what); }
export default seen;
""",
    "js/lib/shapes.js": """export class Square {}
export const kinds = 2;
const hidden = 1;
export { hidden as visible };
""",
    "js/lib/circle.js": """import { log } from "./order.js";
log("circle");
export const UNIT = "cm";
export const area = (c) => Math.round(Math.PI * c.r * c.r);
export default class Circle { constructor(r) { this.r = r; } }
""",
    "js/lib/side-effect.js": """import { log } from "./order.js";
log("side effect");
""",
    "js/app/later.js": 'export default { late: "yes" };\n',
}


def test_a_bundle_runs_as_its_modules_did(browser, tmp_path):
    static = tmp_path / "static"
    for name, text in MODULES.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_text(text)
    built = build(str(static), ("js/app/entry.js",), ())
    files = {f"/static/{asset.path}": asset.body for asset in built.assets.values()}
    app = Flask("bundle", static_folder=None)
    app.add_url_rule("/", "blank", lambda: "<!doctype html><meta charset=utf-8><title>bundle</title>")
    app.add_url_rule("/static/<path:path>", "file",
                     lambda path: (files[f"/static/{path}"], 200, {"Content-Type": "text/javascript"}))
    server = LiveServer(app).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        entry = f"/static/{built.assets['js/app/entry.js'].path}"
        got = page.evaluate("""async (url) => {
            const m = await import(url);
            return { ...m.result, named: m.default(), later: await m.later() };
        }""", entry)
    finally:
        context.close()
        server.stop()
    assert got == {"order": ["circle", "side effect", "entry"], "unit": "cm", "area": 13,
                   "shapes": ["Square", "kinds", "visible"], "regex": "[\"'`/]+", "text": "a // b /* c */",
                   "named": "default", "later": {"late": "yes"}}
    assert Path(static / "js/app/entry.js").read_text() == MODULES["js/app/entry.js"]  # the source is left alone
