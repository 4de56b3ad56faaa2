"""The served bytes of the payment pages' scripts and stylesheets, built from the readable sources in static/.

Each entry module (ENTRY in assets.py) and everything it imports statically becomes one ES module: the
modules run in import order in the bundle's one scope, each imported module's top-level names prefixed with
its own number (so no two modules' names meet), each imported name replaced by the exporter's; the entry
keeps its own names and exports. Modules loaded on demand (`import("./i18n-fr.js")`) stay files of
their own, built the same way, and the bundle imports them by their content-hashed name. The result and the
stylesheets are minified (scripts' top-level declarations nothing uses dropped when making them does nothing
else, their local names shortened, and adjacent declarations of one kind made one, all by mangle.py; then
comments and whitespace removed by rjsmin and rcssmin), named by a hash of their bytes, and compressed ahead of
time (gzip, and brotli). The build is a pure function of the sources: the same sources give the same bytes, in
every process (tests/static/test_serving.py checks it).
"""

from __future__ import annotations

import gzip
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import brotli
import rcssmin
import rjsmin

from .mangle import EVERYTHING, NAMES, PARSER, declarations, key, mangle, merge_declarations, rename, shake, walk

# A static import statement at the start of a line: default, named or namespace bindings, or none.
STATIC_IMPORT = re.compile(r"^[ \t]*import\s*(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\}\s*|\*\s*as\s+([\w$]+)\s*)?"
                           r"""(?:from\s*)?(["'])([^"'\n]+)\4[ \t]*;?""", re.M)
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*(["'])([^"'\n]+)\1\s*\)""")
EXPORT_DECLARATION = re.compile(r"^export\s+((?:async\s+)?function\s*\*?|class|const|let|var)\s*([\w$]+)", re.M)
EXPORT_DEFAULT = re.compile(r"^export\s+default\s+(?:((?:async\s+)?function\s*\*?|class)\s*([\w$]+)?)?", re.M)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\}\s*(from\b)?[ \t]*;?", re.M)
UNSUPPORTED = re.compile(r"^export\s*\*|^export\s+(?:const|let|var)\s*[{\[]", re.M)
PREFIX = "$$p"  # the bundle's own names: a module's exports are `$$p<n>`; a module's default export `$$pd`
HASH_LENGTH = 12  # hex digits of sha256 in a served file's name: enough that two versions never share one


class BuildError(ValueError):
    """The sources use a form of import or export the build does not handle (it says which file and what)."""


@dataclass(frozen=True)
class Asset:
    """One served file: its path under /static/ (content-hashed), the source file it was built from (the
    entry, for a bundle), every source file whose bytes are in it, and its bytes, plain and compressed."""

    path: str
    source: str
    sources: tuple[str, ...]
    body: bytes
    encoded: dict[str, bytes] = field(repr=False)  # "gzip", "br" -> the same bytes compressed
    lazy: tuple[str, ...] = ()  # the source names of the files it imports on demand

    @property
    def content_type(self) -> str:
        return "text/css; charset=utf-8" if self.path.endswith(".css") else "text/javascript; charset=utf-8"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass
class Build:
    """Every served file, by source name ("js/frame/frame.js") and by served path."""

    assets: dict[str, Asset] = field(default_factory=dict)

    def by_path(self) -> dict[str, Asset]:
        return {asset.path: asset for asset in self.assets.values()}

    def lazy_closure(self, source: str) -> list[str]:
        """The source names of a file and of everything it can load on demand, it first."""
        seen, todo = [], [source]
        while todo:
            name = todo.pop(0)
            if name not in seen:
                seen.append(name)
                todo += self.assets[name].lazy
        return seen


def resolve(importer: str, specifier: str) -> str:
    if not specifier.startswith((".", "/")):
        raise BuildError(f"{importer}: bare import {specifier!r} (only relative paths are served)")
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))


def static_imports(static: Path, name: str) -> list[str]:
    return [resolve(name, m.group(5)) for m in STATIC_IMPORT.finditer(read(static, name))]


def read(static: Path, name: str) -> str:
    return (static / name).read_text(encoding="utf-8")


def module_order(static: Path, entry: str) -> list[str]:
    """The entry and its static imports, each after every module it imports (the order ES modules run in)."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise BuildError(f"import cycle: {' -> '.join((*path, name))}")
        if name in order:
            return
        for target in static_imports(static, name):
            visit(target, (*path, name))
        order.append(name)

    visit(entry, ())
    return order


def split_bindings(text: str) -> list[tuple[str, str]]:
    """`a, b as c` -> [("a", "a"), ("b", "c")]: (name outside, name inside)."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        words = part.split()
        if len(words) == 1:
            pairs.append((words[0], words[0]))
        elif len(words) == 3 and words[1] == "as":
            pairs.append((words[0], words[2]))
        else:
            raise BuildError(f"cannot read the binding {part!r}")
    return pairs


def exports_of(name: str, text: str) -> tuple[str, dict[str, str]]:
    """A module's text without its export keywords, and its exports: exported name -> local name."""
    if UNSUPPORTED.search(text):
        raise BuildError(f"{name}: `export *` and exported destructuring are not supported")
    exports: dict[str, str] = {}

    def declaration(m: re.Match) -> str:
        exports[m.group(2)] = m.group(2)
        return m.group(0).removeprefix("export").lstrip()

    def default(m: re.Match) -> str:
        if m.group(2):  # a named function or class: declared as written, exported by its name
            exports["default"] = m.group(2)
            return m.group(0).removeprefix("export").lstrip().removeprefix("default").lstrip()
        exports["default"] = f"{PREFIX}d"
        return f"const {PREFIX}d=" + (m.group(1) or "") + (" " if m.group(1) else "")

    def listed(m: re.Match) -> str:
        if m.group(2):
            raise BuildError(f"{name}: `export {{...}} from` is not supported; import, then export")
        for local, exported in split_bindings(m.group(1)):
            exports[exported] = local
        return ""

    text = EXPORT_DECLARATION.sub(declaration, text)
    text = EXPORT_DEFAULT.sub(default, text)
    text = EXPORT_LIST.sub(listed, text)
    return text, exports


def renamed(name: str, text: str, names: dict[str, str]) -> str:
    """The module's text with each of `names` (as a variable: never a property, label or string) renamed, in
    every scope. Renaming a name uniformly, to a name found nowhere else (the bundle's prefix), keeps each
    reference pointing at the declaration it pointed at, whatever shadows what; shorthand `{a}` becomes
    `{a:new}`."""
    source = text.encode()
    tree = PARSER.parse(source)
    if tree.root_node.has_error:
        raise BuildError(f"{name}: does not parse")
    return rename(source, [n for n in walk(tree.root_node) if n.type in NAMES and n.text.decode() in names],
                  lambda n: names[n.text.decode()])


def top_level_names(name: str, text: str) -> set[str]:
    tree = PARSER.parse(text.encode())
    if tree.root_node.has_error:
        raise BuildError(f"{name}: does not parse")
    scopes, keep, _ = declarations(tree.root_node)
    if EVERYTHING in keep:
        raise BuildError(f"{name}: uses eval or with, whose names a bundle cannot rename")
    return scopes.get(key(tree.root_node), set())


def bundle(static: Path, entry: str, lazy_paths: dict[str, str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """-> (the bundle's source text, the modules in it, the modules it loads on demand).

    The modules share the bundle's one scope, in import order: each module's own top-level names get a prefix
    of its own (`$$p<n>_name`), so no two modules' names meet; an imported name becomes the exporter's name
    for that binding; a namespace import, an object of the exporter's bindings."""
    order = module_order(static, entry)
    if any(PREFIX in read(static, name) for name in order):
        raise BuildError(f"a module uses the name prefix {PREFIX!r}, which the bundle keeps for itself")
    numbers = {name: n for n, name in enumerate(order)}
    exported: dict[str, dict[str, str]] = {}  # module -> exported name -> its name in the bundle
    lazy: list[str] = []
    parts = []
    for name in order:
        text = read(static, name)
        names: dict[str, str] = {}  # local name -> name in the bundle
        namespaces: list[str] = []

        def imported(m: re.Match, name=name, names=names, namespaces=namespaces) -> str:
            target = resolve(name, m.group(5))
            available = exported[target]
            wanted = ([(m.group(1), "default")] if m.group(1) else []) + [
                (inside, outside) for outside, inside in split_bindings(m.group(2) or "")]
            missing = [outside for _, outside in wanted if outside not in available]
            if missing:
                raise BuildError(f"{name} imports {', '.join(missing)} from {target}, which does not export it")
            names.update({inside: available[outside] for inside, outside in wanted})
            if m.group(3):  # `import * as ns`: the exporter's bindings as one object, made here
                names[m.group(3)] = f"{PREFIX}{numbers[name]}_ns{numbers[target]}"
                namespaces.append(f"const {names[m.group(3)]}={{"
                                  + ",".join(f"{k}:{v}" for k, v in available.items()) + "};")
            return ""

        def on_demand(m: re.Match, name=name) -> str:
            target = resolve(name, m.group(2))
            lazy.append(target)
            relative = posixpath.relpath(lazy_paths[target], posixpath.dirname(entry))
            return f'import("{relative if relative.startswith(".") else "./" + relative}")'

        text = STATIC_IMPORT.sub(imported, text)
        text = DYNAMIC_IMPORT.sub(on_demand, text)
        if name != entry:
            text, exports = exports_of(name, text)
        # The entry's own names stay as written (it may export them); every other top-level name has a prefix.
        own = {} if name == entry else {local: f"{PREFIX}{numbers[name]}_{local}"
                                        for local in top_level_names(name, text)}
        names.update(own)
        if name != entry:
            exported[name] = {outside: own.get(local, names.get(local, local)) for outside, local in exports.items()}
        parts.append("".join(namespaces) + renamed(name, text, names))
    return "\n".join(parts), tuple(order), tuple(dict.fromkeys(lazy))


def lazy_targets(static: Path, entry: str) -> list[str]:
    return [resolve(name, m.group(2)) for name in module_order(static, entry)
            for m in DYNAMIC_IMPORT.finditer(read(static, name))]


def hashed(name: str, body: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:HASH_LENGTH]}{dot}{ext}"


def compressed(body: bytes) -> dict[str, bytes]:
    # mtime=0: the gzip header carries no time, so the same bytes compress to the same bytes.
    return {"br": brotli.compress(body, quality=11), "gzip": gzip.compress(body, 9, mtime=0)}


def build_script(static: Path, entry: str, done: dict[str, Asset], building: tuple[str, ...] = ()) -> Asset:
    if entry in done:
        return done[entry]
    if entry in building:  # each would need the other's hash in its own bytes
        raise BuildError(f"on-demand import cycle: {' -> '.join((*building, entry))}")
    for target in lazy_targets(static, entry):  # built first: the bundle names them by their hash
        build_script(static, target, done, (*building, entry))
    text, sources, lazy = bundle(static, entry, {name: asset.path for name, asset in done.items()})
    # shake: the bundle's one scope, where an unused export is unused
    body = rjsmin.jsmin(merge_declarations(mangle(shake(text)))).encode()
    done[entry] = Asset(hashed(entry, body), entry, sources, body, compressed(body), lazy)
    return done[entry]


def minify_inline(static: Path, name: str) -> str:
    """A classic script to inline in a page's HTML, minified: it cannot hold `</` (the end of its element)."""
    text = rjsmin.jsmin(mangle(read(static, name)))
    if "</" in text:
        raise BuildError(f"static/{name} holds '</', which would end its inline <script> element")
    return text


def build_style(static: Path, name: str) -> Asset:
    body = rcssmin.cssmin(read(static, name)).encode()
    return Asset(hashed(name, body), name, (name,), body, compressed(body))


def fingerprint(static: Path) -> str:
    """A digest of every script and stylesheet under static/: a changed source means a new build."""
    digest = hashlib.sha256()
    for path in sorted(p for p in static.rglob("*") if p.suffix in (".js", ".css")):
        digest.update(path.relative_to(static).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build(static_dir: str, entries: tuple[str, ...], styles: tuple[str, ...]) -> Build:
    """The served files for these entries and stylesheets; built once per process per state of the sources."""
    return cached_build(static_dir, entries, styles, fingerprint(Path(static_dir)))


@lru_cache(maxsize=8)
def cached_build(static_dir: str, entries: tuple[str, ...], styles: tuple[str, ...], _fingerprint: str) -> Build:
    static, done = Path(static_dir), {}
    for entry in entries:
        build_script(static, entry, done)
    result = Build()
    for name in styles:
        result.assets[name] = build_style(static, name)
    result.assets.update(sorted(done.items()))
    return result
