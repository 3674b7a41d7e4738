"""The one home of ruamel.yaml: safe, position-keeping YAML (and JSON) loading.

We compose the YAML node graph ourselves and build plain Python data from it, because that is
the only way to get all of SPEC §9 at once:

* every value keeps its ``line:col`` (errors point inside referenced files too);
* only the standard tags are accepted (``!!python/object/apply`` and friends are refused);
* duplicate keys are refused instead of last-one-wins;
* aliases are expanded under a budget, so a "billion laughs" document fails fast with bounded
  memory;
* the raw text of every non-string scalar is kept, so ``version: 1.10`` can be reported as
  "read as the number 1.1; quote it" rather than silently coerced;
* size, NUL bytes, encoding and nesting depth are checked before or while parsing.

Plain documents are read from libyaml's events when ruamel's C extension is installed
(:mod:`agentcfg.yamlio.events`, several times faster, issue 8); everything unusual, and every
machine without the extension, goes through ruamel's pure-Python composer below, so errors are
always worded by the same code. :class:`ParseCache` lets callers skip re-parsing bytes they
have seen before.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentcfg.errors import AgentcfgError, Location

MAX_BYTES = 10 * 1024 * 1024  # a manifest or artefact file beyond this is refused, not loaded
MAX_NODES = 250_000  # values per document after alias expansion (a big manifest has ~20k)
MAX_DEPTH = 200

Path_ = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_KIND = {f"{_STD}int": "an integer", f"{_STD}float": "a number", f"{_STD}bool": "a boolean", f"{_STD}null": "null",
         f"{_STD}timestamp": "a date", f"{_STD}binary": "binary data"}
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}


class YamlError(AgentcfgError):
    """A YAML file could not be loaded safely. ``code`` names the check for findings."""

    def __init__(self, code: str, message: str, location: Location, hint: str | None = None):
        super().__init__(message, location=location, hint=hint)
        self.code = code


@dataclass
class Document:
    """Plain data from one file plus where every value came from."""

    origin: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)  # source text of non-string scalars

    def location(self, path: Path_) -> Location:
        """Closest known position for ``path`` (walks up to the nearest ancestor)."""
        p = tuple(path)
        while p:
            pos = self.positions.get(p)
            if pos:
                return Location(self.origin, *pos)
            p = p[:-1]
        pos = self.positions.get((), (1, 1))
        return Location(self.origin, *pos)

    def to_cache(self) -> dict[str, Any]:
        return {
            "data": self.data,
            "pos": [[list(k), v[0], v[1]] for k, v in self.positions.items()],
            "raw": [[list(k), v] for k, v in self.raw.items()],
        }

    @classmethod
    def from_cache(cls, origin: str, blob: dict[str, Any]) -> "Document":
        return cls(
            origin=origin,
            data=blob["data"],
            positions={tuple(k): (line, col) for k, line, col in blob["pos"]},
            raw={tuple(k): v for k, v in blob["raw"]},
        )


class ParseCache(Protocol):
    """Maps a content digest to a previously parsed :class:`Document` (as ``to_cache`` data)."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


def decode(data: bytes, origin: str) -> str:
    """Bytes → text with the checks every text input gets (size, NUL, UTF-8, BOM)."""
    if len(data) > MAX_BYTES:
        raise YamlError(
            "file-too-large",
            f"file is {len(data) // 1024 // 1024} MiB; the limit is {MAX_BYTES // 1024 // 1024} MiB",
            Location(origin),
            hint="split it, or move large content into a data artefact",
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise YamlError("binary-file", "file contains NUL bytes (binary data)", Location(origin, line, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(
            "encoding",
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            Location(origin, line, 1),
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")  # a UTF-8 BOM is harmless; drop it


def load(data: bytes, origin: str, *, cache: ParseCache | None = None) -> Document:
    """Load YAML or JSON ``data`` (from file ``origin``) into a :class:`Document`."""
    key = None
    if cache is not None:
        import hashlib

        key = hashlib.sha256(data).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            return Document.from_cache(origin, hit)
    text = decode(data, origin)
    doc = _compose(text, origin)
    if cache is not None and key is not None:
        cache.put(key, doc.to_cache())
    return doc


def _compose(text: str, origin: str) -> Document:
    from agentcfg.yamlio import events

    if events.available():
        try:
            return _compose_events(text, origin)
        except events.Unusual:
            pass  # the careful path below accepts it or says what is wrong
    return _compose_pure(text, origin)


def _compose_events(text: str, origin: str) -> Document:
    from agentcfg.yamlio.events import EventComposer

    composer = EventComposer(text, max_depth=MAX_DEPTH, max_nodes=MAX_NODES, convert=_number,
                             surrogate=lambda s: _SURROGATE.search(s) is not None)
    data, root = composer.compose()
    doc = Document(origin=origin, data=data, positions=composer.positions, raw=composer.raw)
    doc.positions.setdefault((), root or (1, 1))
    return doc


def _number(tag: str, text: str) -> int | float:
    return _parse_int(text) if tag == f"{_STD}int" else _parse_float(text)


def _compose_pure(text: str, origin: str) -> Document:
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
        if not _SURROGATE.search(value):
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
        if tag == f"{_STD}int":
            return _parse_int(value)
        number = _parse_float(value)
        if math.isnan(number) or math.isinf(number):
            raise YamlError(
                "yaml-number",
                f"{value} is not a finite number",
                self._loc(node),
                hint="quote it if you meant a string",
            )
        return number


_SURROGATE = re.compile("[\ud800-\udfff]")


def _shorthand(tag: str) -> str:
    return "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag


def _parse_int(text: str) -> int:
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


def _parse_float(text: str) -> float:
    t = text.replace("_", "").lower()
    if t in (".inf", "+.inf"):
        return math.inf
    if t == "-.inf":
        return -math.inf
    if t == ".nan":
        return math.nan
    return float(t)


def dump_yaml(value: Any) -> str:
    """Block-style YAML for files agentcfg writes for people (imported tools, rendered output)."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 100
    yaml.allow_unicode = True
    plain = json.loads(json.dumps(value))
    if _needs_escapes(plain):
        # Text with control characters or U+0085/U+2028/U+2029 must be written double-quoted with
        # escapes to read back the same. ruamel writes those breaks raw when allow_unicode is on
        # (a reader folds them into spaces) and can fold a long double-quoted line at a point
        # where the reader then adds a space, so: escape everything, never wrap.
        yaml.allow_unicode = False
        yaml.width = 1 << 30
    buf = io.StringIO()
    yaml.dump(plain, buf)
    return buf.getvalue()


_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _needs_escapes(value: Any) -> bool:
    if isinstance(value, str):
        return _NEEDS_ESCAPE.search(value) is not None
    if isinstance(value, dict):
        return any(_needs_escapes(k) or _needs_escapes(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_needs_escapes(v) for v in value)
    return False
