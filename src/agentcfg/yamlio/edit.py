"""Editing a user's YAML file in place, located by ruamel.yaml's round-trip mode.

agentcfg writes people's files rarely (`import tools --add` adds entries to `agentcfg.yaml`).
When it does, the file must read as if a careful person had typed the addition: every byte it
does not add stays as it was (comments, their columns, blank lines, quoting, flow or block
style, long lines). Re-emitting the whole document through ruamel's dumper would normalise
indentation and comment spacing, so the round-trip loader is used for what it knows exactly —
the line and column of every key — and the new entries are inserted as lines, indented like
their neighbours. The result is checked before it is returned: parsed again by the safe
loader, it must be the old document plus exactly the new entries, or the edit is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from agentcfg.errors import AgentcfgError


class EntriesExist(AgentcfgError):
    """Some names to add are already in the section (nothing was changed)."""


def add_entries(text: str, origin: str, section: str, entries: Mapping[str, Mapping[str, Any]]) -> str:
    """``text`` with ``entries`` appended to the top-level mapping ``section`` (created at the end
    of the document when absent), each entry written in flow style (``name: {file: x.yaml}``).

    Raises :class:`EntriesExist` naming every entry already present, and AgentcfgError when the
    document or the section is not a mapping.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from agentcfg.yamlio import load

    before = load(text.encode("utf-8"), origin).data  # the safe loader's checks come first
    if not isinstance(before, dict):
        raise AgentcfgError(f"{origin}: the document is not a mapping", hint="fix the manifest first")
    existing = before.get(section)
    if existing is not None and not isinstance(existing, dict):
        raise AgentcfgError(f"{origin}: `{section}` is not a mapping", hint="fix the manifest first")
    taken = sorted(n for n in entries if n in (existing or {}))
    if taken:
        shown = ", ".join(taken[:10]) + (f" and {len(taken) - 10} more" if len(taken) > 10 else "")
        raise EntriesExist(f"{len(taken)} name(s) already in `{section}` of {origin}: {shown}",
                           hint="nothing was written; rename or remove those, or import without --add")

    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    doc = YAML(typ="rt", pure=True).load(text)  # round-trip mode: where every key is, line by line
    keys = list(doc)
    if section not in keys:
        block = [f"{section}:\n"] + _entry_lines(entries, 2)
        new_text = "".join(lines) + ("\n" if lines and lines[-1].strip() else "") + "".join(block)
    else:
        head = doc.lc.key(section)[0]
        nxt = keys.index(section) + 1
        stop = doc.lc.key(keys[nxt])[0] if nxt < len(keys) else len(lines)
        target = doc[section]
        if isinstance(target, CommentedMap) and len(target):
            indent = target.lc.key(next(iter(target)))[1]
        else:
            indent = 2
            # `tools:` (null) or `tools: {}`: the section line becomes a block mapping's key
            lines[head] = f"{' ' * doc.lc.key(section)[1]}{section}:" + _trailing_comment(lines[head]) + "\n"
        # The section ends at its last line indented as an entry (or deeper); comments and blank
        # lines at the margin just before the next key belong to that key.
        end = stop
        while end > head + 1 and (not lines[end - 1].strip()
                                  or (lines[end - 1].lstrip().startswith("#")
                                      and len(lines[end - 1]) - len(lines[end - 1].lstrip()) < indent)):
            end -= 1
        new_text = "".join(lines[:end] + _entry_lines(entries, indent) + lines[end:])

    after = load(new_text.encode("utf-8"), origin).data
    expected = dict(before)
    expected[section] = {**(existing or {}), **{k: dict(v) for k, v in entries.items()}}
    if after != expected:
        raise AgentcfgError(f"{origin}: adding to `{section}` would change other parts of the file",
                            hint="nothing was written; add the entries by hand")
    return new_text


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


def _scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value) and value not in ("true", "false", "null", "yes", "no",
                                                                            "on", "off", "y", "n", "~"):
        return value
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted strings


def _entry_lines(entries: Mapping[str, Mapping[str, Any]], indent: int) -> list[str]:
    return [f"{' ' * indent}{_scalar(name)}: {{{', '.join(f'{k}: {_scalar(v)}' for k, v in value.items())}}}\n"
            for name, value in entries.items()]


def _trailing_comment(line: str) -> str:
    """The ` # comment` at the end of a `key: {}` line, kept when the line is rewritten."""
    found = re.search(r"\s+#.*$", line.rstrip("\n"))
    return found.group(0) if found else ""
