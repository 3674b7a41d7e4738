"""The first bytes of a file that is too large to read whole, still knowing its real size.

Manifests, overlays, prompts and tool files are read up to one byte past the size limit, so an
oversized file is refused without being loaded. The refusal must still say how big the file
is ("48.0 MiB"), not the size of the part that was read.
"""

from __future__ import annotations


class Head(bytes):
    """The first ``len(self)`` bytes of a file whose whole size is ``size``."""

    size: int

    def __new__(cls, data: bytes, size: int) -> Head:
        head = super().__new__(cls, data)
        head.size = size
        return head


def read_size(data: bytes) -> int:
    """The size of the file ``data`` was read from (its length unless it is a :class:`Head`)."""
    return data.size if isinstance(data, Head) else len(data)


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


__all__ = ["Head", "mib", "read_size"]
