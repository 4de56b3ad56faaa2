"""The build's name shortening and dropping of unused declarations (server/merchant/mangle.py) keep what a
module does: each snippet runs in Chromium as written and as built, and both must give the same result."""

import pytest
import rjsmin

from panless.merchant import build
from panless.merchant import mangle as mangle_module
from panless.merchant.mangle import MangleError, mangle, merge_declarations, shake

SNIPPETS = {
    "shadowing": """
        const value = 1; let inner;
        function outer(value) { { const value = 3; inner = () => value; } return [value, inner()]; }
        export default [value, ...outer(2)];""",
    "shorthand and destructuring with defaults": """
        const make = (alpha, beta) => ({alpha, beta});
        const {alpha, beta = 5, gamma = alpha + 1, ...others} = {...make(1), delta: 4};
        const [first = 9, , third = 7, ...more] = [undefined, 2, undefined, 4, 5];
        function f({p = 1, q: {r = 2} = {}} = {}, ...rest) { return [p, r, rest.length]; }
        let x, y; ({x, y = 3} = {x: 1});
        export default [alpha, beta, gamma, others, first, third, more, f(), f({p: 4, q: {r: 5}}, 1, 2), x, y,
                        Object.keys(make(0, 0))];""",
    "closures": """
        function counter(start) { let count = start; return {up: () => ++count, get: () => count}; }
        const one = counter(1), two = counter(10); one.up(); one.up(); two.up();
        export default [one.get(), two.get()];""",
    "class fields and methods": """
        class Counter {
          #count = 0; static made = 0; label = "c";
          constructor(start) { this.#count = start; Counter.made++; }
          get count() { return this.#count; }
          add(step = 1) { this.#count += step; return this; }
          static { Counter.ready = true; }
        }
        const Named = class Inner { who() { return typeof Inner; } };
        export default [new Counter(2).add().add(3).count, Counter.made, Counter.ready, new Counter(0).label,
                        new Named().who(), typeof Inner];""",
    "template literals and optional chaining": """
        const name = "x", obj = {name: {deep: 1}}, nothing = null;
        export default `${name}:${obj?.name?.deep}:${nothing?.name ?? "none"}:${`nested ${name}`}`
          + String.raw`a${name}` + obj.name?.["deep"];""",
    "exports": """
        export const shared = 2;
        export function twice(number) { return number * 2; }
        const local = 5; export { local as renamed };
        export default twice(shared) + local;""",
    "a global beside a local of the same name": """
        function local() { const document = "mine"; return document; }
        function other() { let setTimeout = 1; return setTimeout; }
        export default [local(), typeof document, typeof window.document, other(), typeof setTimeout];""",
    "hoisting, loops, catch and labels": """
        function hoist() { x = 1; var x; return x; }
        const out = [];
        for (const [k, v] of Object.entries({a: 1})) out.push(k + v);
        for (var key in {b: 2}) out.push(key);
        try { throw new Error("boom"); } catch ({message}) { out.push(message); }
        outer: for (const i of [1, 2]) {
          for (const j of [1, 2]) { if (j === 2) continue outer; out.push(i * 10 + j); }
        }
        export default [hoist(), out, key];""",
    "arguments and parameter defaults": """
        const z = "outer";
        function f(a = z) { var z = "inner"; return [a, z, arguments.length]; }
        const g = function named(n) { return n ? named(n - 1) + 1 : 0; };
        export default [f(), f("given", 2), g(3), typeof named];""",
    "one short name for many scopes, and a parameter redeclared": """
        const top = 10;
        function same(same) { return same + top; }
        function again(alpha) { var alpha; return alpha; }
        function inner(beta) { function beta() { return 1; } return beta(); }
        const named = function self(gamma) { var self; return [gamma, self, typeof top]; };
        const pair = (first, second) => [first, second].map((item, index) => item + index + top);
        const nested = (one) => (two) => (three) => one + two + three + top;
        export default [same(1), again(2), inner(3), named(4), pair(5, 6), nested(1)(2)(3)];""",
}

RUN = """async source => {
  const module = await import("data:text/javascript;charset=utf-8," + encodeURIComponent(source));
  return JSON.stringify({default: module.default, names: Object.keys(module).sort()});
}"""


@pytest.mark.parametrize("source", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_a_shortened_module_does_what_it_did(page, source):
    short = mangle(source)
    assert short != source  # something was renamed
    assert page.evaluate(RUN, short) == page.evaluate(RUN, source)


MERGED = """
    const a = 1; const b = a + 1; // a comment between
    let c = [a, b]; let d;
    export const e = 5; const f = e;
    var g = 1; var h = g + f;
    function k() { const m = 2; const n = m * 3; let p = n; return p + d ?? 0; }
    switch (a) { case 1: d = 4; }
    export default [a, b, c, d, e, f, g, h, k()];"""


@pytest.mark.parametrize("source", [*SNIPPETS.values(), MERGED], ids=[*SNIPPETS.keys(), "merged"])
def test_merged_declarations_do_what_they_did(page, source):
    merged = merge_declarations(mangle(source))
    assert page.evaluate(RUN, merged) == page.evaluate(RUN, source)


def test_adjacent_declarations_of_one_kind_become_one():
    merged = merge_declarations(MERGED)
    assert "const a = 1, b = a + 1;" in merged and "let c = [a, b], d;" in merged and "var g = 1, h = g + f;" in merged
    assert "const m = 2, n = m * 3; let p = n;" in merged  # const then let: two
    assert "export const e = 5; const f = e;" in merged  # an export stays a statement of its own


def test_properties_strings_labels_and_exports_are_kept():
    short = mangle('export const shown = 1; const hidden = {hidden: "hidden"}; hidden.hidden; x: for (;;) break x;')
    assert short.startswith("export const shown = 1; const ")
    assert '{hidden: "hidden"}' in short and ".hidden;" in short and "x: for (;;) break x;" in short
    assert "const hidden" not in short


def test_eval_or_with_leaves_the_file_as_written():
    source = "function f(secret) { return eval('secret'); }"
    assert mangle(source) == source


def test_the_same_source_gives_the_same_bytes():
    source = SNIPPETS["shorthand and destructuring with defaults"]
    assert mangle(source) == mangle(source) != source


def test_a_comment_changes_no_served_byte():
    """The short names are chosen by the letters of what is served, and the minifier drops comments."""
    source = SNIPPETS["shorthand and destructuring with defaults"]
    commented = source.replace("let x, y;", "/* zzz qqq zzz: why x and y */ let x, y;") + "\n// jjj kkk zzz qqq jjj"
    assert rjsmin.jsmin(mangle(commented)) == rjsmin.jsmin(mangle(source))


def test_a_shortening_that_would_change_what_a_name_refers_to_is_refused(monkeypatch):
    # One short name for every declaration: the inner `value` would capture the outer one's use.
    source = "const outer = 1; function f(value) { return value + outer; } export default f(2);"
    monkeypatch.setattr(mangle_module, "assign", lambda scopes, keep, names, alphabet: {
        mangle_module.key(n): "x" for n in names if n.text.decode() in ("outer", "value")})
    with pytest.raises(MangleError, match="refers to"):
        mangle(source)


def test_a_script_that_does_not_parse_is_refused():
    with pytest.raises(MangleError):
        mangle("const = ;")


# Dropping unused top-level declarations (shake): what goes, what stays, and the module still does the same.
UNUSED = """
    const used = Object.freeze({label: "kept", list: [1, -2, `three`, /4/g, null, true]});
    const UNUSED_CODES = Object.freeze(["unused_one", "unused_two"]);
    function unusedHelper(n) { return n > 0 ? unusedHelper(n - 1) : UNUSED_CODES; }
    const onlyForTheUnused = () => "chained_away", unusedToo = {call() { return onlyForTheUnused(); }};
    let neverSet;
    export const exported = () => used.label;
    export default [exported(), used.list.length];"""
SIDE_EFFECTS = """
    globalThis.made = [];
    const counted = globalThis.made.push("counted");
    const called = String(globalThis.made.push("called"));
    const spread = {...{get x() { globalThis.made.push("getter"); return 1; }}};
    const read = {made: globalThis.made.length};
    const frozen = Object.freeze([globalThis.made.push("frozen")]);
    const template = `${globalThis.made.push("template")}`;
    class Registered { static { globalThis.made.push("static block"); } }
    export default globalThis.made;"""


def test_unused_declarations_are_dropped_and_used_ones_kept(page):
    shaken = shake(UNUSED)
    for gone in ("UNUSED_CODES", "unusedHelper", "onlyForTheUnused", "unusedToo", "neverSet", "chained_away"):
        assert gone not in shaken
    assert "const used = Object.freeze(" in shaken and "export const exported" in shaken
    expected = '{"default":["kept",6],"names":["default","exported"]}'
    assert page.evaluate(RUN, shaken) == page.evaluate(RUN, UNUSED) == expected


def test_a_declaration_whose_making_does_something_is_kept(page):
    assert shake(SIDE_EFFECTS) == SIDE_EFFECTS
    made = '["counted","called","getter","frozen","template","static block"]'
    expected = f'{{"default":{made},"names":["default"]}}'
    assert page.evaluate(RUN, shake(SIDE_EFFECTS)) == page.evaluate(RUN, SIDE_EFFECTS) == expected


def test_a_shadowed_object_or_eval_keeps_every_declaration():
    shadowed = "const Object = {freeze: (v) => (globalThis.hit = v)}; const unused = Object.freeze([1]);"
    assert shake(shadowed) == shadowed
    uses_eval = "const unused = 1; export default eval('unused');"
    assert shake(uses_eval) == uses_eval


def test_the_build_drops_an_unused_export_of_a_bundled_module(page, tmp_path):
    (tmp_path / "lib.js").write_text('export const wanted = () => "wanted";\n'
                                     'export const UNWANTED = Object.freeze(["unwanted_code"]);\n'
                                     'export function unwantedToo() { return UNWANTED; }\n')
    (tmp_path / "main.js").write_text('import { wanted } from "./lib.js";\nexport default wanted();\n')
    body = build.build_script(tmp_path, "main.js", {}).body.decode()
    assert "unwanted" not in body.lower() and '"wanted"' in body
    assert page.evaluate(RUN, body) == '{"default":"wanted","names":["default"]}'
