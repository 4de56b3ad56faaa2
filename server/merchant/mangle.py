"""Shorter local names in a built script (server/merchant/build.py), found by parsing it with tree-sitter.

Each name the script declares and only ever uses where one of its own declarations is in scope is renamed,
everywhere in the file, to a short name found nowhere in the file's code (as a name, a property, a label or a
keyword). Renaming one name uniformly to a name that occurs nowhere else keeps every reference pointing at the
same declaration it pointed at before, whatever shadows what; so the only thing to get right is which names
never refer to anything outside the file. A name is kept as written when any of its uses is free (a global,
`arguments`, or a name the analysis cannot place), when a module exports or imports it, or when the file uses
`eval` or `with` (which can reach any local by a name in a string). Property names, labels and strings are
never touched; a shorthand property `{a}` becomes `{a:x}`. The output is a pure function of the input.
"""

from __future__ import annotations

from collections import Counter
from itertools import count, product

import tree_sitter
import tree_sitter_javascript

# Nodes that are a variable's name where they stand (as a declaration or as a use).
NAMES = {"identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern"}
SHORTHAND = {"shorthand_property_identifier", "shorthand_property_identifier_pattern"}
FUNCTIONS = {"function_declaration", "function_expression", "generator_function_declaration",
             "generator_function", "arrow_function", "method_definition"}
# Where `let`, `const`, `class` and function declarations are scoped (the nearest of these around them).
BLOCKS = {"program", "statement_block", "for_statement", "for_in_statement", "switch_body", "class_static_block"}
# Never renamed: the implicit bindings of every function, and eval (whose callers see the locals).
KEEP = {"arguments", "eval"}
EVERYTHING = "*"  # in the names to keep: rename nothing (the file uses eval or with)
RESERVED = set("""
    abstract arguments await boolean break byte case catch char class const continue debugger default delete do
    double else enum eval export extends false final finally float for function goto if implements import in
    instanceof int interface let long native new null of package private protected public return short static
    super switch synchronized this throw throws transient true try typeof undefined var void volatile while with
    yield async get set NaN Infinity
""".split())
FIRST = "etnrisoaucldfphmgbvyxwkqjzETNRISOAUCLDFPHMGBVYXWKQJZ_$"
REST = FIRST + "0123456789"
# Leaves whose text is not code: a new name may equal a word in them.
NOT_CODE = {"comment", "string_fragment", "escape_sequence", "regex_pattern", "regex_flags", "number"}

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_javascript.language()))


class MangleError(ValueError):
    """The script does not parse (the build would rather fail than serve something it could not read)."""


def key(node: tree_sitter.Node) -> tuple[int, int, str]:
    return node.start_byte, node.end_byte, node.type


def pattern_names(node: tree_sitter.Node | None) -> list[tree_sitter.Node]:
    """The names a binding pattern declares (`a`, `{a, b: c = 1, ...d}`, `[e = 2, ...f]`); defaults are uses."""
    if node is None:
        return []
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [node]
    if node.type in ("assignment_pattern", "object_assignment_pattern"):
        return pattern_names(node.child_by_field_name("left"))
    if node.type == "pair_pattern":
        return pattern_names(node.child_by_field_name("value"))
    if node.type in ("object_pattern", "array_pattern", "rest_pattern"):
        return [name for child in node.named_children for name in pattern_names(child)]
    return []


def enclosing(node: tree_sitter.Node, types: set[str]) -> tree_sitter.Node:
    node = node.parent
    while node.type not in types:
        node = node.parent
    return node


def function_body(node: tree_sitter.Node) -> tree_sitter.Node:
    """Where `var` declarations go: the body of the nearest function, the static block, or the program."""
    node = node.parent
    while not (node.type in ("program", "class_static_block")
               or (node.type == "statement_block" and node.parent.type in FUNCTIONS)):
        node = node.parent
    return node


def declarations(root: tree_sitter.Node) -> tuple[dict[tuple, set[str]], set[str], list[tree_sitter.Node]]:
    """-> (the names each scope node declares, the names never to rename, every name node in the file)."""
    scopes: dict[tuple, set[str]] = {}
    keep: set[str] = set(KEEP)
    names: list[tree_sitter.Node] = []

    def declare(scope: tree_sitter.Node, found: list[tree_sitter.Node]) -> None:
        scopes.setdefault(key(scope), set()).update(n.text.decode() for n in found)

    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        stack.extend(reversed(node.children))
        if kind in NAMES:
            names.append(node)
            if node.text == b"eval":
                keep.add(EVERYTHING)
        elif kind in ("variable_declaration", "lexical_declaration"):
            scope = function_body(node) if kind == "variable_declaration" else enclosing(node, BLOCKS)
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    declare(scope, pattern_names(declarator.child_by_field_name("name")))
        elif kind in ("function_declaration", "generator_function_declaration", "class_declaration"):
            declare(enclosing(node, BLOCKS), pattern_names(node.child_by_field_name("name")))
        elif kind in ("function_expression", "generator_function", "class"):  # its name is seen only inside it
            declare(node, pattern_names(node.child_by_field_name("name")))
        elif kind == "formal_parameters" and node.parent.type in FUNCTIONS:
            declare(node.parent, [n for p in node.named_children for n in pattern_names(p)])
        elif kind == "arrow_function" and node.child_by_field_name("parameter") is not None:
            declare(node, pattern_names(node.child_by_field_name("parameter")))
        elif kind == "catch_clause":
            declare(node, pattern_names(node.child_by_field_name("parameter")))
        elif kind == "for_in_statement" and node.child_by_field_name("kind") is not None:
            scope = function_body(node) if node.child_by_field_name("kind").type == "var" else node
            declare(scope, pattern_names(node.child_by_field_name("left")))
        elif kind in ("export_clause", "import_statement"):  # names other modules know it by
            keep.update(inner.text.decode() for inner in walk(node) if inner.type in NAMES)
        elif kind == "export_statement" and node.child_by_field_name("declaration") is not None:
            keep.update(exported_names(node.child_by_field_name("declaration")))
        elif kind == "with_statement":
            keep.add(EVERYTHING)
    return scopes, keep, names


def exported_names(declaration: tree_sitter.Node) -> set[str]:
    """The names an `export const ...`, `export function ...` or `export class ...` makes public."""
    if declaration.type in ("variable_declaration", "lexical_declaration"):
        found = [n for d in declaration.named_children if d.type == "variable_declarator"
                 for n in pattern_names(d.child_by_field_name("name"))]
    else:
        found = pattern_names(declaration.child_by_field_name("name"))
    return {n.text.decode() for n in found}


def walk(node: tree_sitter.Node):
    yield node
    for child in node.children:
        yield from walk(child)


def is_bound(node: tree_sitter.Node, scopes: dict[tuple, set[str]]) -> bool:
    name, scope = node.text.decode(), node
    while scope is not None:
        if name in scopes.get(key(scope), ()):
            return True
        scope = scope.parent
    return False


def words(root: tree_sitter.Node) -> set[str]:
    """Every word of the file's code: names, properties, labels, keywords (not the text of strings or comments)."""
    return {node.text.decode() for node in walk(root) if node.child_count == 0 and node.type not in NOT_CODE}


def fresh_names(taken: set[str]):
    for length in count(1):
        for letters in product(FIRST, *[REST] * (length - 1)):
            name = "".join(letters)
            if name not in taken and name not in RESERVED:
                yield name


def mangle(text: str) -> str:
    """The script with its local names shortened (see the module's docstring for which, and why it is safe)."""
    source = text.encode()
    tree = PARSER.parse(source)
    if tree.root_node.has_error:
        raise MangleError("the script does not parse")
    scopes, keep, names = declarations(tree.root_node)
    if EVERYTHING in keep:
        return text
    eligible = set().union(*scopes.values()) - keep
    for node in names:
        name = node.text.decode()
        if name in eligible and not is_bound(node, scopes):
            eligible.discard(name)
    uses = Counter(node.text.decode() for node in names if node.text.decode() in eligible)
    first = {}
    for node in names:
        first.setdefault(node.text.decode(), node.start_byte)
    ranked = sorted(uses, key=lambda name: (-uses[name], first[name]))
    renamed = dict(zip(ranked, fresh_names(words(tree.root_node)), strict=False))
    return rename(source, sorted((n for n in names if n.text.decode() in renamed), key=lambda n: n.start_byte),
                  renamed)


def rename(source: bytes, nodes, names: dict[str, str]) -> str:
    """The source with each of these identifier nodes (in source order) named as `names` says; a shorthand
    property `{a}` becomes `{a:new}`, so the property keeps its name."""
    out, at = [], 0
    for node in nodes:
        old = node.text.decode()
        new = names[old] if node.type not in SHORTHAND else f"{old}:{names[old]}"
        out += [source[at:node.start_byte], new.encode()]
        at = node.end_byte
    out.append(source[at:])
    return b"".join(out).decode()
