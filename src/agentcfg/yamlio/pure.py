"""The careful path: ruamel's pure-Python composer, and plain data built from its nodes.

Every document the event fast path (events.py) steps aside from comes here, so every refusal
(custom tags, duplicate keys, merge keys, alias bombs, deep nesting, bad numbers, surrogate
escapes) is worded in one place. Also home to the scalar rules both paths share.
"""

from __future__ import annotations

import math
import re
from typing import Any

from agentcfg.errors import Location
from agentcfg.yamlio import MAX_DEPTH, MAX_NODES, Document, Path_, YamlError

_STD = "tag:yaml.org,2002:"
_KIND = {f"{_STD}int": "an integer", f"{_STD}float": "a number", f"{_STD}bool": "a boolean", f"{_STD}null": "null",
         f"{_STD}timestamp": "a date", f"{_STD}binary": "binary data"}
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}


def compose(text: str, origin: str) -> Document:
    """Compose ``text`` with ruamel's pure-Python parser and build plain data from its nodes."""
    import warnings

    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        # ruamel only *warns* about a reused anchor (printing its internals to stderr); an alias
        # after it would silently mean the last definition, so it is refused like a duplicate key.
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            node = yaml.compose(text)
    except ReusedAnchorWarning as exc:
        raise _reused_anchor(str(exc), origin) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or "invalid YAML"
        if "found duplicate anchor" in str(exc):
            problem = "duplicate anchor"
        raise YamlError(
            "yaml-syntax",
            f"YAML syntax error: {problem}" + (f" ({exc.context})" if exc.context else ""),
            Location(origin, line, col),
        ) from None
    except RecursionError:
        raise YamlError("yaml-too-deep", "YAML is nested too deeply", Location(origin, 1, 1)) from None
    except YAMLError as exc:
        raise YamlError("yaml-syntax", f"YAML error: {exc}", Location(origin, 1, 1)) from None
    doc = Document(origin=origin, data=None)
    if node is None:  # empty file
        doc.positions[()] = (1, 1)
        return doc
    builder = _Builder(doc)
    doc.data = builder.build(node, (), 0)
    doc.positions.setdefault((), (node.start_mark.line + 1, node.start_mark.column + 1))
    return doc


def _reused_anchor(text: str, origin: str) -> YamlError:
    import re

    name = re.search(r"duplicate anchor '([^']*)'", text)
    lines = [int(n) for n in re.findall(r"line (\d+), column \d+", text)]
    cols = [int(n) for n in re.findall(r"line \d+, column (\d+)", text)]
    first = f" (first defined on line {lines[0]})" if lines else ""
    where = Location(origin, lines[-1], cols[-1]) if lines else Location(origin, 1, 1)
    return YamlError(
        "yaml-syntax",
        f"YAML syntax error: duplicate anchor '&{name.group(1) if name else '?'}'{first}",
        where,
        hint="rename one of them; an alias would silently refer to the last one",
    )


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.budget = MAX_NODES

    def _loc(self, node: Any) -> Location:
        return Location(self.doc.origin, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Any, path: Path_, depth: int) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.budget -= 1
        if self.budget < 0:
            raise YamlError(
                "yaml-alias-bomb",
                f"document expands to more than {MAX_NODES:,} values (alias expansion bomb?)",
                self._loc(node),
                hint="YAML anchors/aliases may not be used to blow up a document",
            )
        if depth > MAX_DEPTH:
            raise YamlError("yaml-too-deep", f"YAML is nested more than {MAX_DEPTH} levels deep", self._loc(node))
        tag = node.tag
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            if tag != f"{_STD}seq":
                raise self._bad_tag(node)
            out = []
            for i, child in enumerate(node.value):
                self.doc.positions[path + (i,)] = (child.start_mark.line + 1, child.start_mark.column + 1)
                out.append(self.build(child, path + (i,), depth + 1))
            return out
        if isinstance(node, MappingNode):
            if tag != f"{_STD}map":
                raise self._bad_tag(node)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == f"{_STD}merge":
                    raise YamlError(
                        "yaml-merge-key",
                        "YAML merge keys (<<) are not supported",
                        self._loc(key_node),
                        hint="write the keys out, or use an environment overlay",
                    )
                if not isinstance(key_node, ScalarNode):
                    raise YamlError("yaml-key-type", "mapping keys must be plain strings", self._loc(key_node))
                key = self._text(key_node) if key_node.tag == f"{_STD}str" else key_node.value
                if key_node.tag != f"{_STD}str":
                    self._scalar(key_node, path)  # refuses custom tags on keys
                    raise YamlError(
                        "yaml-key-type",
                        f"key {key} is read as {_KIND.get(str(key_node.tag), f'a {key_node.tag}')}, not a string",
                        self._loc(key_node),
                        hint=f"quote it: \"{key}\"",
                    )
                if key in result:
                    first = self.doc.positions.get(path + (key,), (0, 0))
                    raise YamlError(
                        "duplicate-key",
                        f"duplicate key '{key}' (first defined on line {first[0]})",
                        self._loc(key_node),
                        hint="remove one of them; YAML would silently keep only the last",
                    )
                self.doc.positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, path + (key,), depth + 1)
            return result
        raise self._bad_tag(node)  # pragma: no cover - ruamel only makes the three node kinds

    def _bad_tag(self, node: Any) -> YamlError:
        return YamlError(
            "yaml-tag",
            # Shown as written: `!!python/object` rather than its expanded `tag:yaml.org,2002:` URI.
            f"tag '{_shorthand(node.tag)}' is not allowed",
            self._loc(node),
            hint="agentcfg reads plain YAML only: remove the tag",
        )

    def _text(self, node: Any) -> str:
        """A string scalar's text. YAML's 16-bit `\\u` escapes can spell UTF-16 surrogates: a
        pair (JSON's way to write an emoji) is joined into its character; a lone one is not a
        character at all (no digest or output could encode it) and is refused."""
        value: str = node.value
        if not SURROGATE.search(value):
            return value
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            raise YamlError(
                "encoding",
                "text holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff), which is not a character",
                self._loc(node),
                hint="write the character itself, or escape it as \\UXXXXXXXX",
            ) from None

    def _scalar(self, node: Any, path: Path_) -> Any:
        tag, value = node.tag, node.value
        if tag not in _SCALAR_TAGS:
            raise self._bad_tag(node)
        if tag == f"{_STD}str":
            return self._text(node)
        if tag in (f"{_STD}timestamp", f"{_STD}binary"):
            return value  # dates stay strings: a version "2024-06-01" is an id, not a date
        self.doc.raw[path] = value
        if tag == f"{_STD}null":
            return None
        if tag == f"{_STD}bool":
            return value.lower() in ("true", "yes", "on", "y")
        try:
            parsed = number(tag, value)
        except ValueError:  # YAML 1.2's patterns take `0x_` and `._` for numbers with no digits
            raise YamlError(
                "yaml-number",
                f"{value} is read as a number but has no digits",
                self._loc(node),
                hint=f'quote it if you meant a string: "{value}"',
            ) from None
        if isinstance(parsed, float) and (math.isnan(parsed) or math.isinf(parsed)):
            raise YamlError(
                "yaml-number",
                f"{value} is not a finite number",
                self._loc(node),
                hint="quote it if you meant a string",
            )
        return parsed


SURROGATE = re.compile("[\ud800-\udfff]")


def _shorthand(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag


def parse_int(text: str) -> int:
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    if t.startswith(("0x", "0X")):
        return sign * int(t[2:], 16)
    if t.startswith(("0o", "0O")):
        return sign * int(t[2:], 8)
    if t.startswith(("0b", "0B")):
        return sign * int(t[2:], 2)
    return sign * int(t)


def parse_float(text: str) -> float:
    t = text.replace("_", "").lower()
    if t in (".inf", "+.inf"):
        return math.inf
    if t == "-.inf":
        return -math.inf
    if t == ".nan":
        return math.nan
    return float(t)


def number(tag: str, text: str) -> int | float:
    """An int or float scalar's value (``tag`` is its resolved YAML tag); ValueError when the
    text has no digits."""
    return parse_int(text) if tag == f"{_STD}int" else parse_float(text)
