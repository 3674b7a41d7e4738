"""The one home of ruamel.yaml: safe, position-keeping YAML (and JSON) loading.

We compose the YAML node graph ourselves and build plain Python data from it, because that is
the only way to get all of these at once:

* every value keeps its ``line:col`` (errors point inside referenced files too);
* only the standard tags are accepted (``!!python/object/apply`` and friends are refused);
* duplicate keys are refused instead of last-one-wins;
* aliases are expanded under a budget, so a "billion laughs" document fails fast with bounded
  memory;
* the raw text of every non-string scalar is kept, so ``version: 1.10`` can be reported as
  "read as the number 1.1; quote it" rather than silently coerced;
* size, NUL bytes, encoding and nesting depth are checked before or while parsing.

Loading builds the data only; positions and raw texts are computed from the kept text when
first read (see :class:`Document`). A JSON object text is read by ``json.loads`` where both
readings provably agree (:mod:`agentcfg.yamlio.jsontext`), a YAML text by yaml-rs where it reads
as ruamel does (:mod:`agentcfg.yamlio.native`); other plain documents are read from
libyaml's events when ruamel's C extension is installed (:mod:`agentcfg.yamlio.events`, several
times faster); everything unusual, and every machine without the extension, goes through ruamel's
pure-Python composer (pure.py), so errors are always worded by the same code. :class:`ParseCache`
lets callers skip re-parsing bytes they have seen before.
"""

from __future__ import annotations

from typing import Any, Protocol

from agentcfg.errors import AgentcfgError, Location

MAX_BYTES = 10 * 1024 * 1024  # a manifest or artefact file beyond this is refused, not loaded
MAX_NODES = 250_000  # values per document after alias expansion (a big manifest has ~20k)
MAX_DEPTH = 200

Path_ = tuple[str | int, ...]

class YamlError(AgentcfgError):
    """A YAML file could not be loaded safely. ``code`` names the check for findings."""

    def __init__(self, code: str, message: str, location: Location, hint: str | None = None):
        super().__init__(message, location=location, hint=hint)
        self.code = code


class Document:
    """Plain data from one file plus where every value came from.

    ``positions`` (a ``(line, col)`` per value) and ``raw`` (the source text of non-string
    scalars) are only read when a finding needs a location or a "quote it" hint, yet building
    them costs more than the data and most of a large project's memory. So a document loaded
    from text keeps that text and computes both on first access, with the positioned parser:
    locations are exactly what an eager parse would give.
    """

    __slots__ = ("origin", "data", "_positions", "_raw", "_source")

    def __init__(self, origin: str, data: Any, positions: dict[Path_, tuple[int, int]] | None = None,
                 raw: dict[Path_, str] | None = None, *, source: bytes | str | None = None) -> None:
        self.origin = origin
        self.data = data
        self._positions = positions
        self._raw = raw
        self._source = source

    def __repr__(self) -> str:
        return f"Document(origin={self.origin!r}, data={self.data!r})"

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        if self._positions is None:
            self._locate()
        assert self._positions is not None
        return self._positions

    @positions.setter
    def positions(self, value: dict[Path_, tuple[int, int]]) -> None:
        self._positions = value

    @property
    def raw(self) -> dict[Path_, str]:
        """Source text of non-string scalars, by path."""
        if self._raw is None:
            self._locate()
        assert self._raw is not None
        return self._raw

    @raw.setter
    def raw(self, value: dict[Path_, str]) -> None:
        self._raw = value

    def _locate(self) -> None:
        source, self._source = self._source, None
        if source is None:
            self._positions = {} if self._positions is None else self._positions
            self._raw = {} if self._raw is None else self._raw
            return
        text = source if isinstance(source, str) else decode(source, self.origin)
        # The text was accepted once already (same bytes, same code), so this parse accepts it too.
        located = _compose(text, self.origin)
        if self._positions is None:
            self._positions = located.positions
        if self._raw is None:
            self._raw = located.raw

    def location(self, path: Path_) -> Location:
        """Closest known position for ``path`` (walks up to the nearest ancestor)."""
        positions = self.positions
        p = tuple(path)
        while p:
            pos = positions.get(p)
            if pos:
                return Location(self.origin, *pos)
            p = p[:-1]
        pos = positions.get((), (1, 1))
        return Location(self.origin, *pos)

    def to_cache(self) -> dict[str, Any]:
        """The cacheable part: the data only (positions are recomputed from the text on demand)."""
        return {"data": self.data}

    @classmethod
    def from_cache(cls, origin: str, blob: dict[str, Any], source: bytes | str | None = None) -> "Document":
        """A document from ``to_cache`` data; ``source`` (its bytes or text) gives positions on demand."""
        return cls(origin, blob["data"], source=source)


class ParseCache(Protocol):
    """Maps a content digest to a previously parsed :class:`Document` (as ``to_cache`` data).

    A cache with a true ``durable`` attribute (one kept on disk) is not given documents read by
    the JSON fast path: writing them out and reading them back costs what parsing them does.
    """

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


def decode(data: bytes, origin: str) -> str:
    """Bytes → text with the checks every text input gets (size, NUL, UTF-8, BOM)."""
    if len(data) > MAX_BYTES:
        from agentcfg.sizes import mib, read_size

        raise YamlError(
            "file-too-large",
            f"file is {mib(read_size(data))}; the limit is {mib(MAX_BYTES)}",
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
            return Document.from_cache(origin, hit, source=data)
    text = decode(data, origin)
    doc, as_json = _compose_data(text, origin, data)
    if cache is not None and key is not None and not (as_json and getattr(cache, "durable", False)):
        cache.put(key, doc.to_cache())
    return doc


def _compose_data(text: str, origin: str, source: bytes) -> tuple[Document, bool]:
    """(the data of ``text``, its positions left for later (see :class:`Document`); whether the
    JSON fast path read it)."""
    from agentcfg.yamlio import jsontext, native

    obj = jsontext.load_object(text)  # None unless a JSON object both readings agree on
    if obj is not None:
        return Document(origin, obj, source=source), True
    if native.available():
        # Kept in a durable cache: reading a document back from it is still ~3x quicker.
        data = native.load_data(text)  # None unless yaml-rs provably reads it as ruamel does
        if data is not None:
            return Document(origin, data, source=source), False
    from agentcfg.yamlio import events, pure  # ruamel itself (~15 ms to import): only when needed

    if events.available():
        try:
            return Document(origin, events.compose_data(text, origin), source=source), False
        except events.Unusual:
            pass
    return pure.compose(text, origin), False  # the careful path builds positions anyway: keep them


def _compose(text: str, origin: str) -> Document:
    """The positioned parse: data, positions and raw texts."""
    from agentcfg.yamlio import events, pure

    if events.available():
        try:
            return events.compose(text, origin)
        except events.Unusual:
            pass  # the careful path accepts it or says what is wrong
    return pure.compose(text, origin)


from agentcfg.yamlio.dump import dump_yaml  # noqa: E402 - re-exported; imports nothing heavy

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "Document", "ParseCache", "Path_", "YamlError", "decode",
           "dump_yaml", "load"]
