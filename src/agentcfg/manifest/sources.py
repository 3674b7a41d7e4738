"""Source maps: which file, line and column every value of the merged manifest came from.

The manifest, its `file:` references and its environment overlay are merged into one tree of
plain data. A :class:`SourceMap` remembers, for each mounted subtree, the document it came from,
so an error at ``tools/refund_order/inputSchema/properties/x`` points into ``tools/refund.yaml``.
"""

from __future__ import annotations

from typing import Any

from agentcfg.errors import Location
from agentcfg.yamlio import Document, Path_


class SourceMap:
    def __init__(self, root: Document) -> None:
        self._mounts: dict[Path_, tuple[Document, Path_]] = {(): (root, ())}

    def mount(self, path: Path_, doc: Document, doc_path: Path_ = ()) -> None:
        self._mounts[tuple(path)] = (doc, tuple(doc_path))

    @property
    def root(self) -> Document:
        return self._mounts[()][0]

    def adopt(self, other: SourceMap, prefixes: list[Path_]) -> None:
        """Take ``other``'s mounts at and below each of ``prefixes`` (two-part paths)."""
        wanted = set(prefixes)
        self._mounts.update({path: hit for path, hit in other._mounts.items() if path[:2] in wanted and path})

    def unmount_below(self, path: Path_) -> None:
        n = len(path)
        for key in [k for k in self._mounts if len(k) > n and k[:n] == path]:
            del self._mounts[key]

    def document(self, path: Path_) -> tuple[Document, Path_]:
        """The document holding ``path`` and the path inside it."""
        p = tuple(path)
        for i in range(len(p), -1, -1):
            hit = self._mounts.get(p[:i])
            if hit:
                doc, base = hit
                return doc, base + p[i:]
        raise AssertionError("root is always mounted")  # pragma: no cover

    def location(self, path: Path_) -> Location:
        doc, inner = self.document(path)
        return doc.location(inner)

    def raw_text(self, path: Path_) -> str | None:
        """Source text of a non-string scalar (for "quote it" hints), if known."""
        doc, inner = self.document(path)
        return doc.raw.get(inner)


def deep_merge(base: Any, over: Any, path: Path_, sources: SourceMap, doc: Document, doc_path: Path_) -> Any:
    """Overlay semantics: maps merge, lists and scalars replace, ``null`` deletes."""
    if not (isinstance(base, dict) and isinstance(over, dict)):
        sources.unmount_below(path)
        sources.mount(path, doc, doc_path)
        return over
    out = dict(base)
    for key, value in over.items():
        child = path + (key,)
        if value is None:
            out.pop(key, None)
            sources.unmount_below(child)
        elif key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = deep_merge(out[key], value, child, sources, doc, doc_path + (key,))
        else:
            sources.unmount_below(child)
            sources.mount(child, doc, doc_path + (key,))
            out[key] = value
    return out
