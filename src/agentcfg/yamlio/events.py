"""The fast path: plain data straight from libyaml's parse events (``ruamel.yaml.clib``).

ruamel's pure-Python scanner, parser, composer and resolver spend about 4 s on a 1.6 MB project
(cold `validate` of a 500-agent project ≤ 4 s). libyaml parses the same text in a
fraction of that, and its parser keeps its state on the heap, not the C stack (its *composer*
recurses in C: 100,000 nested ``[`` crash the process, which is why it is not used). This module
turns the parser's events into a :class:`~agentcfg.yamlio.Document` directly, with the YAML 1.2
tag resolution ruamel would apply.

It handles only the plain, common case. Anything unusual (a syntax error, anchors and aliases,
explicit tags, directives, several documents, duplicate or non-string keys, deep nesting, odd
numbers, surrogate escapes) raises :class:`Unusual`, and the caller parses the text again on the
pure-Python path, which accepts or refuses it with ruamel's own messages. So the two paths can
only differ on documents that both accept, and there they build the same data and positions.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from agentcfg.errors import Location
from agentcfg.yamlio import MAX_DEPTH, MAX_NODES, Document, YamlError, pure

STD = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (f"{STD}{t}" for t in ("str", "null", "bool", "int", "float"))
_VERBATIM = {f"{STD}timestamp", f"{STD}binary"}  # kept as their text, like the pure path does


_DIVERGENT = re.compile("[\t\x85\u2028\u2029\ufeff]|^\\.\\.\\.", re.MULTILINE)


class _TooDeep(Exception):
    """A value nested deeper than the limit, at (line, col): refused here, where it is cheap.

    The careful path would compose the whole document first (recursively, in Python: seconds
    for 10,000 levels, then a RecursionError with no position), to refuse it anyway.
    """

    def __init__(self, position: tuple[int, int]) -> None:
        super().__init__(position)
        self.position = position


class Unusual(Exception):
    """This document needs the pure-Python path (which reports whatever is wrong with it)."""


def available() -> bool:
    try:
        import _ruamel_yaml  # noqa: F401
    except ImportError:  # CPython >= 3.14, PyPy, or an install without the extension
        return False
    return True


_BY_FIRST: dict[str, tuple[tuple[str, Any], ...]] | None = None
_ANY_FIRST: tuple[tuple[str, Any], ...] = ()


def _build_resolvers() -> dict[str, tuple[tuple[str, Any], ...]]:
    """ruamel's own YAML 1.2 implicit resolvers, by first character as its resolver looks them up.

    Each first character's list already ends with the resolvers that claim any first character,
    so resolving a scalar builds no list; a character no resolver claims (most letters: keys and
    words) maps to nothing, so its scalar is a string without running a regex.
    """
    global _BY_FIRST, _ANY_FIRST
    from ruamel.yaml.resolver import implicit_resolvers

    table: dict[str | None, list[tuple[str, Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            for ch in (first or [None]):  # type: ignore[list-item]  # None: any first character
                # The bound match of the compiled pattern: ruamel wraps its patterns in a lazy
                # proxy whose every attribute access is a Python call.
                table.setdefault(ch, []).append((str(tag), regexp.match))
    anywhere = table.pop(None, [])
    _ANY_FIRST = tuple(anywhere)
    _BY_FIRST = {ch: tuple(found + anywhere) for ch, found in table.items() if ch is not None}
    return _BY_FIRST


def _resolve_plain(value: str) -> str:
    """The tag ruamel's YAML 1.2 resolver gives a plain scalar (its first matching resolver)."""
    table = _BY_FIRST if _BY_FIRST is not None else _build_resolvers()
    for tag, match in table.get(value[:1], _ANY_FIRST):
        if match(value):
            return tag
    return _STR


def value_of(tag: str, value: str) -> Any:
    """The value this path builds for a scalar ``value`` resolved to ``tag`` (not a string tag),
    or :class:`Unusual` where the pure path must decide (merge keys, NaN, a number with no digits)."""
    if tag in _VERBATIM:
        return value
    if tag not in (_NULL, _BOOL, _INT, _FLOAT):
        raise Unusual
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() in ("true", "yes", "on", "y")
    try:
        number = pure.number(tag, value)
    except ValueError:
        raise Unusual from None
    if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
        raise Unusual
    return number


class EventComposer:
    """Builds plain data and positions from one text's events (see the module docstring)."""

    def __init__(self, text: str, *, max_depth: int, max_nodes: int) -> None:
        from _ruamel_yaml import CParser

        if _DIVERGENT.search(text):
            # libyaml counts NEL/LS/PS as line breaks (YAML 1.1), so positions would drift; it
            # accepts tabs, BOMs and `...` document-end markers where ruamel refuses them.
            raise Unusual
        self._lines: list[str] | None = None
        self._text = text
        self._next = CParser(text).get_event
        self.max_depth = max_depth
        self.budget = max_nodes
        self.positions: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.raw: dict[tuple[Any, ...], str] = {}

    def compose(self) -> tuple[Any, tuple[int, int] | None]:
        """(data, root position); (None, None) for an empty stream."""
        try:
            if type(self._next()) is not StreamStartEvent:
                raise Unusual
            event = self._next()
            if type(event) is StreamEndEvent:
                return None, None
            if type(event) is not DocumentStartEvent or event.version is not None or event.tags:
                raise Unusual  # %YAML / %TAG directives change how the rest is read
            root = self._next()
            if type(root) not in (MappingStartEvent, SequenceStartEvent):
                raise Unusual  # a bare scalar document (never a valid manifest) reads differently
            data = self._node(root, (), 0)
            self._next()  # DocumentEndEvent
            if type(self._next()) is not StreamEndEvent:
                raise Unusual  # a second document
        except (Unusual, _TooDeep):
            raise
        except Exception as exc:  # noqa: BLE001 - libyaml's syntax errors: the pure path words them
            raise Unusual from exc
        return data, _pos(root)

    def _node(self, event: Any, path: tuple[Any, ...], depth: int) -> Any:
        if depth > self.max_depth:  # the careful path's rule too: any value below the limit
            raise _TooDeep((event.start_mark.line + 1, event.start_mark.column + 1))
        self.budget -= 1
        if self.budget < 0 or event.anchor is not None:
            raise Unusual  # anchors and aliases (and AliasEvent.anchor) take the careful path
        kind = type(event)
        if kind is ScalarEvent:
            value = self._scalar(event)
            if type(value) is not str:  # null, booleans and numbers: their text backs "quote it" hints
                self.raw[path] = event.value
            return value
        if event.tag is not None:
            raise Unusual
        if kind is SequenceStartEvent:
            items: list[Any] = []
            while type(child := self._next()) is not SequenceEndEvent:
                key = path + (len(items),)
                self.positions[key] = _pos(child)
                items.append(self._node(child, key, depth + 1))
            return items
        if kind is MappingStartEvent:
            result: dict[str, Any] = {}
            while type(key_event := self._next()) is not MappingEndEvent:
                if type(key_event) is not ScalarEvent or key_event.anchor is not None:
                    raise Unusual
                tag = key_event.tag
                if tag is None:
                    tag = _resolve_plain(key_event.value) if key_event.implicit[0] else _STR
                key = key_event.value
                if tag != _STR or key in result or _surrogate(key):
                    raise Unusual  # merge keys, non-string keys, duplicates: reported by the pure path
                self.positions[path + (key,)] = _pos(key_event)
                result[key] = self._node(self._next(), path + (key,), depth + 1)
            return result
        raise Unusual  # an alias

    def _scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if event.style in ("|", ">"):
            self._check_block_header(event)
        if tag is None:
            tag = _resolve_plain(value) if event.implicit[0] else _STR
        elif tag != _STR:
            raise Unusual  # explicit tags (even `!`): the pure path checks them
        if tag == _STR:
            if _surrogate(value):
                raise Unusual
            return value
        return value_of(tag, value)


    def _check_block_header(self, event: Any) -> None:
        """libyaml takes `|#` (a comment without a space) as a header; ruamel refuses it."""
        if self._lines is None:
            self._lines = self._text.split("\n")
        mark = event.start_mark
        line = self._lines[mark.line] if mark.line < len(self._lines) else ""
        if not _BLOCK_HEADER.match(line, mark.column):
            raise Unusual


class DataComposer(EventComposer):
    """The same reading as :class:`EventComposer`, building only the data.

    No path tuples, positions or raw texts (they are computed again, from the text, when a
    finding needs them) and no recursion: the events are folded into containers on an explicit
    stack. Every decision (``Unusual``, too deep, the node budget) is taken on the same event, in
    the same order, as the positioned composer takes it, so the two accept the same documents.
    """

    def _node(self, root: Any, path: tuple[Any, ...], depth: int) -> Any:
        nxt, max_depth, scalar = self._next, self.max_depth, self._scalar
        by_first = _BY_FIRST if _BY_FIRST is not None else _build_resolvers()
        key_tags: dict[str, str] = {}
        budget = self.budget - 1
        if budget < 0 or root.anchor is not None or root.tag is not None:
            raise Unusual
        is_map = type(root) is MappingStartEvent
        current: Any = {} if is_map else []
        result = current
        stack: list[tuple[Any, bool]] = []
        depth = 0
        key = ""
        while True:
            event = nxt()
            kind = type(event)
            if is_map:
                if kind is MappingEndEvent:
                    if not stack:
                        return result
                    current, is_map = stack.pop()
                    depth -= 1
                    continue
                if kind is not ScalarEvent or event.anchor is not None:
                    raise Unusual
                key = event.value
                tag = event.tag
                plain = event.implicit[0]
                if tag is None:  # a plain key whose first character no resolver claims is a string
                    if plain and by_first.get(key[:1], _ANY_FIRST):
                        tag = key_tags.get(key)  # keys repeat ("type", "name"): resolved once per text
                        if tag is None:
                            tag = key_tags[key] = _resolve_plain(key)
                    else:
                        tag = _STR
                if tag != _STR or key in current or _surrogate(key) or (not key and plain):
                    raise Unusual
                event = nxt()
                kind = type(event)
            elif kind is SequenceEndEvent:
                if not stack:
                    return result
                current, is_map = stack.pop()
                depth -= 1
                continue
            elif kind is ScalarEvent and not event.value and event.implicit[0]:
                raise Unusual  # an empty plain item: placed differently (see _pos)
            if depth >= max_depth:
                raise _TooDeep((event.start_mark.line + 1, event.start_mark.column + 1))
            budget -= 1
            if budget < 0 or event.anchor is not None:
                raise Unusual
            if kind is ScalarEvent:
                value = event.value
                if (event.tag is None and event.style not in _BLOCK_STYLES
                        and not (event.implicit[0] and by_first.get(value[:1], _ANY_FIRST))):
                    # Quoted, or plain with no resolver for its first character: the common
                    # string, decided here without the general scalar rules.
                    if not value.isascii() and _surrogate(value):
                        raise Unusual
                else:
                    value = scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag is not None:
                    raise Unusual
                value = {} if kind is MappingStartEvent else []
            else:
                raise Unusual  # an alias
            if is_map:
                current[key] = value
            else:
                current.append(value)
            if kind is not ScalarEvent:
                stack.append((current, is_map))
                current, is_map = value, kind is MappingStartEvent
                depth += 1


_BLOCK_STYLES = ("|", ">")
_BLOCK_HEADER = re.compile(r"[|>]([1-9][+-]?|[+-][1-9]?)?( +#.*| *)\r?$")


def _surrogate(text: str) -> bool:
    return not text.isascii() and pure.SURROGATE.search(text) is not None


def _pos(event: Any) -> tuple[int, int]:
    if type(event) is ScalarEvent and not event.value and event.implicit[0]:
        raise Unusual  # an empty plain scalar: libyaml and ruamel place it differently
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _too_deep(origin: str, position: tuple[int, int]) -> YamlError:
    return YamlError("yaml-too-deep", f"YAML is nested more than {MAX_DEPTH} levels deep",
                     Location(origin, *position),
                     hint="flatten the structure; no agentcfg artefact needs this depth")


def compose_data(text: str, origin: str) -> Any:
    """The document's data only (see :class:`DataComposer`), or :class:`Unusual`."""
    try:
        data, _ = DataComposer(text, max_depth=MAX_DEPTH, max_nodes=MAX_NODES).compose()
    except _TooDeep as exc:
        raise _too_deep(origin, exc.position) from None
    return data


def compose(text: str, origin: str) -> Document:
    """The document with positions and raw texts, or :class:`Unusual` when the pure-Python path must decide."""
    composer = EventComposer(text, max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
    try:
        data, root = composer.compose()
    except _TooDeep as exc:
        raise _too_deep(origin, exc.position) from None
    doc = Document(origin=origin, data=data, positions=composer.positions, raw=composer.raw)
    doc.positions.setdefault((), root or (1, 1))
    return doc
