"""What every per-kind comparer shares: the pair being compared, the rows it emits, and walkers.

A comparer receives one :class:`Pair` (the same artefact in the old and the new config, already
known to differ) and returns :class:`Row` objects naming the risk rules that apply. The engine
turns rows into :class:`~agentcfg.semdiff.result.Change` objects (level and reason from the risk
table, impact, redaction).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agentcfg.canonical import canonical_json, digest_value

MISSING: Any = object()
"""Marks a key absent on one side (distinct from an explicit null)."""

LONG_TEXT = 120  # a changed string this long (or multi-line) also gets a unified diff


@dataclass
class Row:
    """A change before the engine adds level, reason, impact and redaction."""

    path: str
    old: Any
    new: Any
    rules: list[str]
    kind: str = "changed"
    text_diff: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    irreversible: bool = False


def content_key(section: str, item: Any) -> str:
    """Digest of an artefact's content, ignoring what only repeats its name (a tool's `name`)."""
    if section == "tools" and isinstance(item, dict) and "name" in item:
        item = {k: v for k, v in item.items() if k != "name"}
    return digest_value(item)


@dataclass
class Context:
    """Both configs, and the renames found between them (section → {old name: new name})."""

    old: dict[str, Any]
    new: dict[str, Any]
    renames: dict[str, dict[str, str]] = field(default_factory=dict)

    def entries(self, side: str, section: str) -> dict[str, Any]:
        config = self.old if side == "old" else self.new
        entries = config.get(section)
        return entries if isinstance(entries, dict) else {}

    def same_content(self, section: str, old_ref: Any, new_ref: Any) -> bool:
        """Whether a reference changed only in name: both names resolve to identical content."""
        if not isinstance(old_ref, str) or not isinstance(new_ref, str):
            return False
        if self.renames.get(section, {}).get(old_ref) == new_ref:
            return True
        a, b = self.entries("old", section).get(old_ref), self.entries("new", section).get(new_ref)
        return a is not None and b is not None and content_key(section, a) == content_key(section, b)


@dataclass
class Pair:
    """One artefact present on both sides with different content."""

    section: str
    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    ctx: Context

    @property
    def keys(self) -> list[str]:
        return sorted(set(self.old) | set(self.new))

    def get(self, key: str) -> tuple[Any, Any]:
        return self.old.get(key, MISSING), self.new.get(key, MISSING)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON (``1`` and ``true`` differ, as they do in a digest)."""
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and (a == b if not isinstance(a, (dict, list))
                                   else canonical_json(a) == canonical_json(b))


def leaves(old: Any, new: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Every differing leaf below two values; mappings are walked key by key."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from leaves(old.get(key, MISSING), new.get(key, MISSING), path + (str(key),))
    elif not same(old, new):
        yield path, old, new


def kind_of(old: Any, new: Any) -> str:
    if old is MISSING or old is None:
        return "added" if new is not MISSING and new is not None else "changed"
    if new is MISSING or new is None:
        return "removed"
    return "changed"


def row(path: str, old: Any, new: Any, *rules: str, **extra: Any) -> Row:
    """A row for one leaf; MISSING becomes None, long text gets a unified diff."""
    o = None if old is MISSING else old
    n = None if new is MISSING else new
    extra.setdefault("text_diff", text_diff(o, n, path))
    return Row(path, o, n, list(rules), kind_of(old, new), **extra)


def text_diff(old: Any, new: Any, label: str) -> str | None:
    """A unified diff when either side is long or multi-line text, else None."""
    if not (isinstance(old, str) or isinstance(new, str)):
        return None
    a = old if isinstance(old, str) else ""
    b = new if isinstance(new, str) else ""
    if "\n" not in a + b and max(len(a), len(b)) < LONG_TEXT:
        return None
    return unified(a, b, label)


def unified(a: str, b: str, label: str) -> str:
    lines = difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                 fromfile=f"a/{label}", tofile=f"b/{label}", n=3)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def generic(pair: Pair, key: str, rule_for: Callable[[tuple[str, ...]], str]) -> list[Row]:
    """One row per differing leaf under ``key``; ``rule_for(path)`` picks the rule."""
    o, n = pair.get(key)
    return [row(".".join((key,) + sub), a, b, rule_for(sub)) for sub, a, b in leaves(o, n)]


def named_list(old: Any, new: Any, label: str, added: str, removed: str, reordered: str,
               ctx: Context, section: str) -> list[Row]:
    """Compare lists of names by name: additions, removals, renames followed, then order."""
    a = [x for x in old if isinstance(x, str)] if isinstance(old, list) else []
    b = [x for x in new if isinstance(x, str)] if isinstance(new, list) else []
    gone = [x for x in a if x not in b]
    came = [x for x in b if x not in a]
    rows: list[Row] = []
    for name in list(came):
        match = next((g for g in gone if ctx.same_content(section, g, name)), None)
        if match is not None:
            gone.remove(match)
            came.remove(name)
            rows.append(Row(f"{label}[{name}]", match, name, ["reference-same-content"], "renamed"))
    rows += [Row(f"{label}[{x}]", None, x, [added], "added") for x in came]
    rows += [Row(f"{label}[{x}]", x, None, [removed], "removed") for x in gone]
    common_a = [x for x in a if x in b]
    common_b = [x for x in b if x in a]
    if common_a != common_b:
        rows.append(Row(label, a, b, [reordered]))
    return rows


def newly_declared(pair: Pair, key: str = "migration") -> bool:
    """A migration counts only when declared in this change: an old one covers earlier changes."""
    new = pair.new.get(key)
    return isinstance(new, str) and bool(new.strip()) and new != pair.old.get(key)


__all__ = [
    "MISSING",
    "Context",
    "Pair",
    "Row",
    "content_key",
    "generic",
    "kind_of",
    "leaves",
    "named_list",
    "newly_declared",
    "row",
    "same",
    "text_diff",
    "unified",
]
