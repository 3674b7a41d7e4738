"""What makes a data change risky: its content digest. Size and file count are shown as
details of the content change; a new source location with the same digest is low; a content
change with a newly declared migration cannot be undone by a config rollback."""

from __future__ import annotations

from typing import Any

from agentcfg.semdiff.compare.base import Pair, Row, generic, newly_declared, row, same

DERIVED = ("size", "files", "md5")  # follow the digest; shown in its row's details
SOURCES = ("path", "dvc", "uri", "version", "etag")


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    old_digest, new_digest = pair.get("digest")
    content_changed = not same(old_digest, new_digest)
    for key in pair.keys:
        old, new = pair.get(key)
        if key == "digest":
            if not content_changed:
                continue
            migrated = newly_declared(pair)
            details: dict[str, Any] = {k: {"old": pair.old.get(k), "new": pair.new.get(k)} for k in DERIVED
                                       if k in pair.old or k in pair.new}
            if migrated:
                details["migration"] = pair.new.get("migration")
            rows.append(row(key, old, new, "data-migrated" if migrated else "data-content",
                            irreversible=migrated, details=details))
        elif key in DERIVED:
            if not content_changed:
                rows += generic(pair, key, lambda _: "unclassified")
        elif key in SOURCES:
            rows += generic(pair, key, lambda _: "data-content" if content_changed else "data-source-moved")
        elif key in ("role", "description", "migration"):
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "data-content" if content_changed else "unclassified")
    return rows
