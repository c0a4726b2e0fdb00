"""YAML text → plain data whose mappings know their lines, read safely.

Every YAML document Trellis reads goes through :func:`read_yaml`. The composed document is
checked before anything is built from it: aliases (``*name``) and merge keys (``<<:``) may
add at most ``MAX_ALIAS_NODES`` nodes beyond the document's own, mappings and lists nest at
most ``MAX_NESTING`` levels, and an alias inside the node it names is refused — so a few
hundred bytes cannot expand to billions of nodes or never end. Problems are findings with
the file and line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from trellis.engine.findings import Finding, error
from trellis.engine.spec.location import Location


class Located(dict[str, Any]):
    """A mapping read from YAML that knows its own line and each key's line."""

    location: Location
    key_lines: dict[str, int]


def _located(node: yaml.Node, file: str) -> Location:
    return Location(file=file, line=node.start_mark.line + 1, column=node.start_mark.column + 1)


class _Reader:
    """Builds plain Python data from a YAML node tree, keeping line numbers."""

    def __init__(self, file: str, findings: list[Finding]) -> None:
        self.file = file
        self.findings = findings
        self.constructor = SafeConstructor()

    def read(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.constructor.flatten_mapping(node)
            out = Located()
            out.location = _located(node, self.file)
            out.key_lines = {}
            for key_node, value_node in node.value:
                key = self.constructor.construct_object(key_node)
                text = str(key)
                if text in out:
                    self.findings.append(
                        error(
                            "duplicate-key",
                            f"key '{text}' appears twice in the same mapping",
                            location=_located(key_node, self.file),
                        )
                    )
                out[text] = self.read(value_node)
                out.key_lines[text] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item) for item in node.value]
        return self.constructor.construct_object(node)


MAX_ALIAS_NODES = 100_000
"""Nodes that aliases (``*name``) and merge keys (``<<:``) may add to a document beyond its
own: enough to share settings, far too few for an "alias bomb" (a few hundred bytes that
expand to billions of nodes)."""
MAX_NESTING = 100
"""Levels of mappings and lists inside one another."""


def read_yaml(text: str, file: str) -> tuple[Any, list[Finding]]:
    """One YAML document as plain data whose mappings know their lines, with the problems
    found: data is None when the text could not be read at all (a key given twice in a
    mapping is reported and the later value kept)."""
    findings: list[Finding] = []
    return _read_text(text, file, findings), findings


def _read_text(text: str, file: str, findings: list[Finding]) -> Any:
    """The YAML document of ``text`` with the location of every mapping (None on errors)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        findings.append(
            error(
                "yaml-too-deep",
                f"mappings and lists nest deeper than {MAX_NESTING} levels",
                location=Location(file=file, line=1),
            )
        )
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        expected = " ".join(p for p in (exc.context, exc.problem) if p)
        findings.append(
            error(
                "yaml-syntax",
                f"malformed YAML: {expected}",
                location=Location(
                    file=file,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                ),
            )
        )
        return None
    except yaml.YAMLError as exc:
        findings.append(
            error("yaml-syntax", f"malformed YAML: {exc}", location=Location(file=file))
        )
        return None
    if node is None:
        return None
    problem = _expansion_problem(node)
    if problem is not None:
        message, where = problem
        findings.append(error("yaml-too-large", message, location=_located(where, file)))
        return None
    return _Reader(file, findings).read(node)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expansion_problem(root: yaml.Node) -> tuple[str, yaml.Node] | None:
    """Why the document would be too large or too deep once its aliases are expanded (or
    would never end: an alias inside the node it names), and where; None when it is fine.

    The composed document shares the node of an anchor among its aliases, so sizes are
    counted once per node (iteratively: the walk itself cannot be made to recurse deeply).
    """
    done: dict[int, tuple[int, int]] = {}  # node → (expanded size, expanded depth)
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if not finished:
            if key in done:
                continue
            on_path.add(key)
            stack.append((node, True))
            for child in _children(node):
                if id(child) in on_path:
                    return "an alias refers to a node that contains it (it would never end)", child
                if id(child) not in done:
                    stack.append((child, False))
            continue
        on_path.discard(key)
        below = [done[id(c)] for c in _children(node)]
        size = 1 + sum(b[0] for b in below)
        depth = 1 + max((b[1] for b in below), default=0)
        done[key] = (size, depth)
        if depth > MAX_NESTING:
            return f"mappings and lists nest deeper than {MAX_NESTING} levels", node
        if size - len(done) > MAX_ALIAS_NODES:
            return (
                f"aliases expand the document by more than {MAX_ALIAS_NODES:,} nodes; "
                "write the repeated parts out or share less",
                node,
            )
    return None
