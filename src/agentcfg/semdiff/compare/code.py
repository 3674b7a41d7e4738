"""What makes a code change risky: the commit it resolves to (or repo, path, tree). A moved
`ref` that still resolves to the same commit is low: the same code runs."""

from __future__ import annotations

from agentcfg.semdiff.compare.base import Pair, Row, generic, same

RESOLVED = ("commit", "tree", "repo", "path")


def compare(pair: Pair) -> list[Row]:
    rows: list[Row] = []
    moved = any(not same(*pair.get(k)) for k in RESOLVED)
    for key in pair.keys:
        if key in RESOLVED:
            rows += generic(pair, key, lambda _: "code-commit")
        elif key == "ref":
            rows += generic(pair, key, lambda _: "code-commit" if moved else "code-ref")
        elif key == "description":
            rows += generic(pair, key, lambda _: "metadata")
        else:
            rows += generic(pair, key, lambda _: "unclassified")
    return rows
