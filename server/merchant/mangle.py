"""Shorter local names in a built script (server/merchant/build.py), found by parsing it with tree-sitter.

Each use of a name is tied to the declaration it refers to: the nearest scope around it that declares that
name (a `var` or a function in a function's body that repeats a parameter's name is that parameter). Each
declaration then gets the shortest name that nothing else seen inside its scope answers to: outer scopes
choose first, so the same few letters serve every function's parameters and locals, which is what makes
the bytes small after compression. A name is kept as written when it is free (a global, `arguments`, or a
name the analysis cannot place), when a module exports or imports it, or when the file uses `eval` or `with`
(which can reach any local by a name in a string): then nothing in the file is renamed. Property names,
labels and strings are never touched; a shorthand property `{a}` becomes `{a:x}`. Before the result is
used, it is parsed again and every use must still refer to the declaration it referred to (else the build
fails). The output is a pure function of the input. Before shortening, the build drops a bundle's unused
top-level declarations with the same reading of names (shake).
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

    bodies: list[tree_sitter.Node] = []

    def declare(scope: tree_sitter.Node, found: list[tree_sitter.Node]) -> None:
        scopes.setdefault(key(scope), set()).update(n.text.decode() for n in found)
        if scope.type == "statement_block" and scope.parent.type in FUNCTIONS:
            bodies.append(scope)

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
    # A `var` or function in a function's body that has a parameter's name is that parameter (a `let` or
    # `const` there would not parse): one declaration, the parameter's.
    for body in bodies:
        params = scopes.get(key(body.parent), set())
        if key(body) in scopes and params:
            scopes[key(body)] -= params
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
    """The node and all below it, in source order (an explicit stack: nested generators cost more)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


# The name of a function or class declaration belongs to the scope around it, never to the function's own
# parameters (`function f(f) {}` declares two bindings named f).
DECLARED_OUTSIDE = {"function_declaration", "generator_function_declaration", "class_declaration"}


def scope_of(node: tree_sitter.Node, scopes: dict[tuple, set[str]]) -> tree_sitter.Node | None:
    """The scope node whose declaration of this name node's name it refers to; None for a free name."""
    name, scope = node.text.decode(), node.parent
    if scope.type in DECLARED_OUTSIDE and scope.child_by_field_name("name") == node:
        scope = scope.parent
    while scope is not None:
        if name in scopes.get(key(scope), ()):
            return scope
        scope = scope.parent
    return None


def fresh_names(taken: set[str], first: str = FIRST, rest: str = REST):
    for length in count(1):
        for letters in product(first, *[rest] * (length - 1)):
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
    # The letters are ranked in the script as served: without its comments, which the minifier drops. Two
    # passes: ranked without the names, they choose names once; ranked with those names (they are served too),
    # they choose the names kept.
    comments = [n for n in walk(tree.root_node) if n.type == "comment"]
    final = assign(scopes, keep, names, letters(rename(source, in_order([*names, *comments]), lambda n: "", False)))
    renamed = [n for n in names if key(n) in final]
    served = rename(source, in_order([*renamed, *comments]), lambda n: "" if n.type == "comment" else final[key(n)])
    final = assign(scopes, keep, names, letters(served))
    out = rename(source, [n for n in names if key(n) in final], lambda n: final[key(n)])
    shortened, _, shortened_names = declarations(PARSER.parse(out.encode()).root_node)
    if resolution(shortened, shortened_names) != resolution(scopes, names):
        raise MangleError("shortening the names would change what a name refers to")  # a use would move
    return out


# Top-level statements that only declare names, and initializers that make a value and do nothing else
# (nothing called but Object.freeze, no getter run, no name read): dropping an unused one changes nothing.
DECLARATIONS = {"lexical_declaration", "variable_declaration", "function_declaration",
                "generator_function_declaration"}
VALUES = {"number", "string", "regex", "true", "false", "null", "arrow_function", "function_expression", "function",
          "generator_function"}
PURE_OPERATORS = {"-", "+", "!", "~", "void"}


def parts(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    return [child for child in node.named_children if child.type != "comment"]


def pure(node: tree_sitter.Node | None, scopes: dict[tuple, set[str]]) -> bool:
    """Whether evaluating this initializer (None: there is none) can do nothing but make its value."""
    if node is None or node.type in VALUES:
        return True
    kind = node.type
    if kind == "template_string":
        return not any(child.type == "template_substitution" for child in node.named_children)
    if kind == "parenthesized_expression":
        return all(pure(child, scopes) for child in parts(node))
    if kind == "unary_expression":
        return (node.child_by_field_name("operator").type in PURE_OPERATORS
                and pure(node.child_by_field_name("argument"), scopes))
    if kind == "array":
        return all(pure(child, scopes) for child in parts(node))
    if kind == "object":  # no spread (a getter would run) and no shorthand `{a}` (a name read, maybe too early)
        return all(member.type in ("pair", "method_definition") and pure_key(member, scopes)
                   and (member.type == "method_definition" or pure(member.child_by_field_name("value"), scopes))
                   for member in parts(node))
    if kind == "call_expression":  # Object.freeze(<a pure value>), the global Object
        function, arguments = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        return (function.type == "member_expression" and function.child_by_field_name("object").type == "identifier"
                and function.child_by_field_name("object").text == b"Object"
                and scope_of(function.child_by_field_name("object"), scopes) is None
                and function.child_by_field_name("property").text == b"freeze"
                and not any(child.type == "optional_chain" for child in function.children)
                and arguments.type == "arguments" and len(parts(arguments)) == 1
                and pure(parts(arguments)[0], scopes))
    return False


def pure_key(member: tree_sitter.Node, scopes: dict[tuple, set[str]]) -> bool:
    name = member.child_by_field_name("key" if member.type == "pair" else "name")
    return name is not None and (name.type != "computed_property_name" or all(pure(c, scopes) for c in parts(name)))


def declared_by(statement: tree_sitter.Node) -> tuple[list[tree_sitter.Node], list[tree_sitter.Node | None]]:
    """-> (the name nodes a top-level declaration declares, its initializers: None where there is none)."""
    if statement.type in ("lexical_declaration", "variable_declaration"):
        declarators = [d for d in statement.named_children if d.type == "variable_declarator"]
        return ([n for d in declarators for n in pattern_names(d.child_by_field_name("name"))],
                [d.child_by_field_name("value") for d in declarators])
    return pattern_names(statement.child_by_field_name("name")), []


def shake(text: str) -> str:
    """A module's text without the top-level declarations nothing else in it uses and whose initializers can
    do nothing but make a value (pure above), again until none is left: an unused export of a module bundled
    into another, say. Which declaration a name refers to is the mangler's own reading (scope_of); a name a
    module exports, or a file that uses eval or with, keeps everything."""
    while True:
        source = text.encode()
        root = PARSER.parse(source).root_node
        if root.has_error:
            raise MangleError("the script does not parse")
        scopes, keep, names = declarations(root)
        if EVERYTHING in keep:
            return text
        statements = [s for s in root.named_children if s.type in DECLARATIONS]
        declared = Counter(n.text.decode() for s in statements for n in declared_by(s)[0])
        used = set()  # top-level names used by another top-level statement than the one declaring them
        uses = Counter()  # by statement (its start): how many such uses it makes
        for node in names:
            scope = scope_of(node, scopes)
            if scope is None or key(scope) != key(root):
                continue
            statement = node
            while statement.parent != root:
                statement = statement.parent
            if statement.type not in DECLARATIONS or node.text not in {n.text for n in declared_by(statement)[0]}:
                used.add(node.text.decode())
                uses[statement.start_byte] += 1
        unused = [s for s in statements
                  if (found := [n.text.decode() for n in declared_by(s)[0]])
                  and all(name not in used and name not in keep and declared[name] == 1 for name in found)
                  and all(pure(value, scopes) for value in declared_by(s)[1])]
        if not unused:
            return text
        out, at = [], 0
        for statement in unused:
            out += [source[at:statement.start_byte]]
            at = statement.end_byte
        text = b"".join([*out, source[at:]]).decode()
        if not any(uses[statement.start_byte] for statement in unused):
            return text  # what was dropped used no other top-level name: nothing more can have become unused


def resolution(scopes: dict[tuple, set[str]], names: list[tree_sitter.Node]) -> list:
    """What each name node refers to, in source order: a declaration (by the place of its scope and its first
    use among the names) or, for a free name, the name itself."""
    first: dict[tuple, int] = {}
    refers = []
    for index, node in enumerate(names):
        scope = scope_of(node, scopes)
        if scope is None:
            refers.append(node.text.decode())
        else:
            binding = (scope.start_byte, scope.type, node.text.decode())
            refers.append(first.setdefault(binding, index))
    return refers


def letters(served: str) -> tuple[str, str]:
    """The letters a name may start with, and continue with, the most common in the served text first: names
    made of them compress best beside it."""
    counts = Counter(served)
    ranked = sorted(REST, key=lambda c: (-counts[c], REST.index(c)))
    return "".join(c for c in ranked if c in FIRST), "".join(ranked)


def assign(scopes: dict[tuple, set[str]], keep: set[str], names: list[tree_sitter.Node],
           alphabet: tuple[str, str]) -> dict[tuple, str]:
    """A short name for each renamable declaration, reused from scope to scope as freely as is safe: a name is
    free for a declaration when nothing its scope reaches (a free name, a kept name, or another declaration's
    new name, used anywhere inside that scope) already answers to it. -> name node key -> its new name."""
    bindings: dict[tuple, list[tree_sitter.Node]] = {}  # (scope key, name) -> its name nodes
    seen: dict[tuple, set] = {}  # scope key -> what is used inside it from it or outside it
    scope_nodes: dict[tuple, tree_sitter.Node] = {}
    for node in names:
        name = node.text.decode()
        scope = scope_of(node, scopes)
        binding = (key(scope), name) if scope is not None and name not in keep else ("free", name)
        if scope is not None and name not in keep:
            bindings.setdefault(binding, []).append(node)
            scope_nodes[key(scope)] = scope
        inner = node.parent
        while inner is not None:  # every scope from the use out to the declaration's sees this name
            if key(inner) in scopes or inner.parent is None:
                seen.setdefault(key(inner), set()).add(binding)
            if scope is not None and key(inner) == key(scope):
                break
            inner = inner.parent
    # Outer scopes first (each scope's names are fixed before those inside it choose); in a scope, in source
    # order, so that every function's first parameter gets the same letter (which compresses best).
    order = sorted(bindings, key=lambda b: (depth(scope_nodes[b[0]]), b[0][0], bindings[b][0].start_byte))
    chosen: dict[tuple, str] = {binding: binding[1] for scope in seen.values() for binding in scope
                                if binding[0] == "free"}
    final: dict[tuple, str] = {}
    for binding in order:
        around = {chosen[b] for b in seen[binding[0]] if b in chosen and b != binding}
        name = next(fresh_names(around, *alphabet))
        chosen[binding] = name
        for node in bindings[binding]:
            final[key(node)] = name
    return final


def depth(node: tree_sitter.Node) -> int:
    n = 0
    while node.parent is not None:
        node, n = node.parent, n + 1
    return n


def in_order(nodes: list[tree_sitter.Node]) -> list[tree_sitter.Node]:
    """The nodes in source order, as rename() takes them."""
    return sorted(nodes, key=lambda n: n.start_byte)


def rename(source: bytes, nodes, new_name, properties: bool = True) -> str:
    """The source with each of these identifier nodes (in source order) named `new_name(node)`; a shorthand
    property `{a}` becomes `{a:new}`, so the property keeps its name (unless `properties` is false)."""
    out, at = [], 0
    for node in nodes:
        new = new_name(node)
        if properties and node.type in SHORTHAND:
            new = f"{node.text.decode()}:{new}"
        out += [source[at:node.start_byte], new.encode()]
        at = node.end_byte
    out.append(source[at:])
    return b"".join(out).decode()


def merge_declarations(text: str) -> str:
    """The script with each run of adjacent declarations of one kind made one (`const a=1;const b=2;` becomes
    `const a=1,b=2;`): the same bindings, made in the same order, in fewer bytes. Only a declaration that ends
    with its own semicolon takes the next into it."""
    source = text.encode()
    root = PARSER.parse(source).root_node
    if root.has_error:
        raise MangleError("the script does not parse")
    joins = []  # (start, end) of each `;const ` between two declarations, which becomes a comma
    for node in walk(root):
        previous = None
        for statement in node.named_children:
            if statement.type == "comment":
                continue
            if (previous is not None and statement.type == previous.type
                    and statement.type in ("lexical_declaration", "variable_declaration")
                    and statement.children[0].type == previous.children[0].type
                    and previous.children[-1].type == ";"):
                joins.append((previous.children[-1].start_byte, statement.children[0].end_byte))
            previous = statement
    out, at = [], 0
    for start, end in sorted(joins):
        out += [source[at:start], b","]
        at = end
    out.append(source[at:])
    return b"".join(out).decode()
