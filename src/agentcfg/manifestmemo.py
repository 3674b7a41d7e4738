"""`lock`'s manifest work, remembered: prepared renders reused while the tree answers the same.

Loading, checking and rendering a manifest is a pure function of agentcfg's version, the
environment, and what the working tree answered while it ran: the bytes of each file read, the
real path (or refusal) of each path resolved, the kind of each path looked at. An
:class:`AnsweringTree` records those answers; the next `lock` asks the tree the same questions
and, when every answer is the same, takes the :class:`~agentcfg.rendering.Prepared` config from
``.agentcfg/cache/manifest/`` instead of parsing, type-checking, checking and normalising
thousands of artefacts again. Only data and code are then resolved, which is what changed when
a corpus was updated (a cold `lock` of a large project must cost about its hashing).

Answers are compared by content (a sha256 of each file), not by timestamps, so a same-second
edit is never missed. Any doubt (an unreadable or foreign memo, another version) means the full
work runs. Only successful renders are remembered: a manifest with errors is checked every time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcfg.rendering import Prepared
from agentcfg.statcache import RACY_NS, now_ns

MEMO_FORMAT = 2


def _fingerprint(op: str, answer: Any) -> Any:
    if op == "read":
        return None if answer is None else hashlib.sha256(answer).hexdigest()
    if op == "resolve":
        real, why = answer
        return [None if real is None else str(real), why]
    return answer  # kind: a short string or None


class AnsweringTree:
    """Wraps a tree and records every answer it gives (see the module docstring)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.label = inner.label
        self.root = inner.root
        self.boundary = inner.boundary
        self.answers: dict[str, Any] = {}  # "op\0relpath" -> fingerprint
        self.real_paths: dict[str, Any] = {}  # relpath -> real path, as resolved

    def _ask(self, op: str, relpath: str) -> Any:
        answer = getattr(self.inner, op)(relpath)
        self.answers[f"{op}\0{relpath}"] = _fingerprint(op, answer)
        return answer

    def resolve(self, relpath: str) -> Any:
        answer = self._ask("resolve", relpath)
        self.real_paths[relpath] = answer[0]
        return answer

    def read(self, relpath: str) -> bytes | None:
        data: bytes | None = self._ask("read", relpath)
        if data is not None and relpath not in self.real_paths:
            self.real_paths[relpath] = self.inner.resolve(relpath)[0]  # for its stat signature
        return data

    def kind(self, relpath: str) -> str | None:
        kind: str | None = self._ask("kind", relpath)
        return kind


def _stat_signature(path: Any) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _path(state_dir: Path, env: str | None) -> Path:
    return state_dir / "cache" / "manifest" / f"{'@base' if env is None else env}.json"


@dataclass
class Remembered:
    """A remembered render: usable once :meth:`holds` confirmed every answer."""

    prepared: Prepared
    files: dict[str, str]  # artefact id -> referenced file
    answers: dict[str, Any]

    stats: dict[str, list[int]] = field(default_factory=dict)  # relpath -> stat signature when read
    created: int = 0  # when the answers were recorded (ns)

    def holds(self, tree: Any) -> bool:
        """Whether ``tree`` still gives every recorded answer (asked in the order recorded).

        A file whose stat signature (size, mtime, ctime, inode, device) is unchanged, and was
        not modified within the racy window of being recorded, counts as the same bytes without
        being read, as in git's index; any other file is read and compared by sha256.
        """
        for key, expected in self.answers.items():
            op, _, relpath = key.partition("\0")
            if op not in ("read", "resolve", "kind"):
                return False
            if op == "read" and self._unchanged(tree, relpath):
                continue
            if _fingerprint(op, getattr(tree, op)(relpath)) != expected:
                return False
        return True

    def _unchanged(self, tree: Any, relpath: str) -> bool:
        recorded = self.stats.get(relpath)
        if recorded is None or recorded[1] >= self.created - RACY_NS:  # racy: mtime alone (as git)
            return False
        real, _ = tree.resolve(relpath)
        return real is not None and _stat_signature(real) == recorded


def recall(state_dir: Path, env: str | None) -> Remembered | None:
    """The remembered render of ``env``, not yet checked against the tree (see :meth:`holds`)."""
    from agentcfg import __version__

    try:
        memo = json.loads(_path(state_dir, env).read_bytes())
        if memo["format_version"] != MEMO_FORMAT or memo["agentcfg"] != __version__ or memo["env"] != env:
            return None
        p = memo["prepared"]
        prepared = Prepared(env, p["static"], p["pending"], p["digests"], p["models"], p["policies"],
                            p["environments"])
        remembered = Remembered(prepared, memo["files"], memo["answers"], memo["stats"], int(memo["created"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(x, dict) for x in (remembered.answers, remembered.files, remembered.stats)):
        return None
    return remembered


def store(state_dir: Path, env: str | None, tree: AnsweringTree, prepared: Prepared, files: dict[str, str]) -> None:
    """Remember a successful render (best effort)."""
    from agentcfg import __version__
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    created = now_ns()
    stats = {}
    for key in tree.answers:
        op, _, relpath = key.partition("\0")
        real = tree.real_paths.get(relpath) if op == "read" else None
        signature = _stat_signature(real) if real is not None else None
        if signature is not None:
            stats[relpath] = signature
    memo = {"format_version": MEMO_FORMAT, "agentcfg": __version__, "env": env, "answers": tree.answers,
            "files": files, "stats": stats, "created": created,
            "prepared": {"static": prepared.static, "pending": prepared.pending, "digests": prepared.digests,
                         "models": prepared.models, "policies": prepared.policies,
                         "environments": prepared.environments}}
    try:
        ensure_state_dir(state_dir)
        atomic_write(_path(state_dir, env), json.dumps(memo, separators=(",", ":"), ensure_ascii=False), cache=True)
    except OSError:
        pass
