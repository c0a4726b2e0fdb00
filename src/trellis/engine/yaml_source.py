"""YAML text → plain data whose mappings know their lines, read safely.

Every YAML document Trellis reads goes through :func:`read_yaml`. The composed document is
checked before anything is built from it: aliases (``*name``) and merge keys (``<<:``) may
add at most ``MAX_ALIAS_NODES`` nodes beyond the document's own, mappings and lists nest at
most ``MAX_NESTING`` levels, and an alias inside the node it names is refused — so a few
hundred bytes cannot expand to billions of nodes or never end. Problems are findings with
the file and line.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterable
from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor

from trellis.engine.findings import Finding, error
from trellis.engine.spec.location import Location


class Located(dict[str, Any]):
    """A mapping read from YAML that knows its own line and each key's line."""

    __slots__ = ("location",)
    location: Location


def _located(node: yaml.Node, file: str) -> Location:
    mark = node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
_KEY_TUPLES: dict[tuple[str, ...], tuple[str, ...]] = {}
KEY_TUPLES_MEMORY = 10_000


def _shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Each distinct sequence of keys once (a scorecard repeats a few hundred of them):
    the locations of every mapping share them. Bounded: forgotten whole when full."""
    shared = _KEY_TUPLES.get(keys)
    if shared is None:
        if len(_KEY_TUPLES) >= KEY_TUPLES_MEMORY:
            _KEY_TUPLES.clear()
        shared = _KEY_TUPLES[keys] = keys
    return shared


class _Reader:
    """Builds plain Python data from a YAML node tree, keeping line numbers. Merge keys
    (``<<:``) are resolved only in documents that can have them (``merges``)."""

    def __init__(self, file: str, findings: list[Finding], merges: bool = True) -> None:
        self.file = file
        self.findings = findings
        self.merges = merges
        self.constructor = SafeConstructor()

    def read(self, node: yaml.Node, depth: int = 0) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self._scalar(node)
        if depth >= MAX_NESTING:
            raise TooDeep(node.start_mark)
        if kind is yaml.SequenceNode:
            return [self.read(item, depth + 1) for item in node.value]
        if self.merges:
            self.constructor.flatten_mapping(cast(yaml.MappingNode, node))
        out = Located()
        offsets: list[int] = []
        first = node.start_mark.line
        for key_node, value_node in node.value:
            if key_node.tag == STR_TAG and type(key_node) is yaml.ScalarNode:
                text = sys.intern(key_node.value)  # most keys: the text as written, shared
            else:
                text = str(self.constructor.construct_object(key_node))
            if text in out:
                self.findings.append(
                    error(
                        "duplicate-key",
                        f"key '{text}' appears twice in the same mapping",
                        location=_located(key_node, self.file),
                    )
                )
                offsets[list(out).index(text)] = key_node.start_mark.line - first
            else:
                offsets.append(key_node.start_mark.line - first)
            # Text, the most common value, without a call.
            out[text] = (
                value_node.value
                if value_node.tag == STR_TAG and type(value_node) is yaml.ScalarNode
                else self.read(value_node, depth + 1)
            )
        keys = tuple(out)
        out.location = Location(
            self.file, first + 1, node.start_mark.column + 1, _shared_keys(keys), tuple(offsets)
        )
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        """A scalar, built by its tag's constructor directly (the general entry point's
        bookkeeping for shared and recursive objects is for collections); text is text."""
        if node.tag == STR_TAG:
            return node.value
        build = self.constructor.yaml_constructors.get(node.tag)
        if build is None:
            return self.constructor.construct_object(node)
        return build(self.constructor, node)


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
        try:
            node = _fast_compose(text)
        except yaml.MarkedYAMLError:
            if FAST_LOADER is yaml.SafeLoader:
                raise
            # libyaml words its errors its own way (and refuses some nesting of its own):
            # the pure-Python parser says what Trellis has always said, at the same place.
            # Only a broken file pays for reading it twice.
            node = _compose(text, yaml.SafeLoader)
        if node is None:
            return None
        problem = _expansion_problem(node.root) if node.anchors else None
        if problem is not None:
            message, where = problem
            findings.append(error("yaml-too-large", message, location=_located(where, file)))
            return None
        return _Reader(file, findings, merges="<<" in text).read(node.root)
    except yaml.MarkedYAMLError as exc:
        findings.append(_syntax_error(exc, file))
    except yaml.YAMLError as exc:
        findings.append(
            error("yaml-syntax", f"malformed YAML: {exc}", location=Location(file=file))
        )
    except TooDeep as exc:
        message = f"mappings and lists nest deeper than {MAX_NESTING} levels"
        findings.append(error("yaml-too-large", message, location=_marked(exc.mark, file)))
    return None


def _fast_compose(text: str) -> Composed | None:
    """The document composed by libyaml's own composer where that is safe (its parser
    refuses nesting deeper than 1,000 levels, so its recursion stays short), else from the
    parser's events. Aliases are possible only where the text has an anchor (``&``)."""
    if not C_COMPOSER_SAFE or FAST_LOADER is yaml.SafeLoader:
        return _compose(text, FAST_LOADER)
    root = yaml.compose(text, Loader=FAST_LOADER)
    return None if root is None else Composed(root, "&" in text)


def _libyaml_limits_nesting() -> bool:
    """Whether this libyaml refuses deep nesting (0.2.5 and later do, at 1,000 levels)."""
    if FAST_LOADER is yaml.SafeLoader:
        return False
    try:
        yaml.compose("[" * 1500 + "]" * 1500, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return True
    return False


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    expected = " ".join(p for p in (exc.context, exc.problem) if p)
    return error("yaml-syntax", f"malformed YAML: {expected}", location=_marked(mark, file))


def _marked(mark: Any, file: str) -> Location:
    if mark is None:
        return Location(file=file)
    return Location(file=file, line=mark.line + 1, column=mark.column + 1)


class _RememberingResolver:
    """PyYAML's safe resolution of plain scalars (``12`` an int, ``yes`` a boolean, ``~`` null),
    remembered per text: it depends on nothing else (the safe loader has no path
    resolvers), and a scorecard repeats the same few hundred keys and values thousands of
    times. Bounded: forgotten whole past ``MEMORY`` texts."""

    MEMORY = 100_000
    _tags: dict[str, str] = {}  # noqa: RUF012 - shared by every loader, on purpose

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if not implicit[0]:  # quoted, or tagged "!": text
                return STR_TAG
            tags = _RememberingResolver._tags
            tag = tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[misc]
                if len(tags) >= self.MEMORY:
                    tags.clear()
                tags[value] = tag
            return tag
        # Collections: the default tags (the safe loader has no path resolvers).
        return MAP_TAG if kind is yaml.MappingNode else SEQ_TAG

    # No path resolvers in the safe loader: nothing to track when the composer descends
    # into a node and comes back, which it says for every node. Built-in functions that
    # ignore their result are called without a Python frame (a tenth of composing).
    descend_resolver: Any = staticmethod(operator.is_)
    ascend_resolver: Any = staticmethod(tuple)


if hasattr(yaml, "CSafeLoader"):

    class _CLoader(_RememberingResolver, yaml.CSafeLoader):
        """libyaml's parser and composer with the remembering resolver."""

    FAST_LOADER: Any = _CLoader
else:
    FAST_LOADER = yaml.SafeLoader
"""libyaml's parser where PyYAML was built with it (14 times faster than pure Python)."""


class TooDeep(Exception):
    """Collections nest deeper than ``MAX_NESTING`` (found while composing, before any
    recursion could reach Python's limit — or the C stack's)."""

    def __init__(self, mark: Any) -> None:
        super().__init__("too deep")
        self.mark = mark


class Composed:
    """A composed document: its root node, and whether it defines anchors (without them,
    no node is shared and nothing can expand)."""

    def __init__(self, root: yaml.Node, anchors: bool) -> None:
        self.root = root
        self.anchors = anchors


def _compose(text: str, loader: Any) -> Composed | None:
    """The node graph of the single document of ``text``, built from the parser's events
    with an explicit stack: no recursion, so no document can exhaust the Python stack or
    (through libyaml's recursive composer) the C stack. Tags are resolved as PyYAML's
    composer resolves them; an alias shares its anchor's node, as there."""
    resolver: Any = yaml.resolver.Resolver()
    anchors: dict[str, yaml.Node] = {}
    open_: list[yaml.Node] = []
    keys: list[yaml.Node | None] = []
    root: yaml.Node | None = None
    documents = 0

    def attach(node: yaml.Node) -> None:
        nonlocal root
        if not open_:
            root = node
            return
        parent = open_[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif keys[-1] is None:
            keys[-1] = node
        else:
            parent.value.append((keys[-1], node))
            keys[-1] = None

    def remember(event: Any, node: yaml.Node) -> None:
        if event.anchor is None:
            return
        if event.anchor in anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {event.anchor!r}; first occurrence",
                anchors[event.anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        anchors[event.anchor] = node

    events: Iterable[Any] = yaml.parse(text, Loader=loader)  # typed loosely by PyYAML
    for event in events:
        # libyaml's marks are its own class, which PyYAML's stubs do not admit for nodes.
        start: Any = event.start_mark
        end: Any = event.end_mark
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    root.start_mark if root is not None else None,
                    "but found another document",
                    start,
                )
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", start
                )
            attach(anchors[event.anchor])
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            scalar = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
            remember(event, scalar)
            attach(scalar)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(open_) >= MAX_NESTING:
                raise TooDeep(start)
            kind = (
                yaml.SequenceNode
                if isinstance(event, yaml.SequenceStartEvent)
                else yaml.MappingNode
            )
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolver.resolve(kind, None, event.implicit)
            collection = kind(tag, [], start, None, flow_style=event.flow_style)
            remember(event, collection)
            attach(collection)
            open_.append(collection)
            keys.append(None)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            open_.pop().end_mark = end
            keys.pop()
    return None if root is None else Composed(root, bool(anchors))


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


C_COMPOSER_SAFE = _libyaml_limits_nesting()
"""libyaml's recursive composer is used only where its parser bounds the recursion."""
