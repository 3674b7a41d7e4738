"""`lock`'s manifest work, remembered: prepared renders reused while the tree answers the same.

Loading, checking and rendering a manifest is a pure function of agentcfg's version, the
environment, and what the working tree answered while it ran: the bytes of each file read, the
real path (or refusal) of each path resolved, the kind of each path looked at. An
:class:`AnsweringTree` records those answers; the next `lock` asks the tree the same questions
and, when every answer is the same, takes the :class:`~agentcfg.render.Prepared` config from
``.agentcfg/cache/manifest/`` instead of parsing, type-checking, checking and normalising
thousands of artefacts again. Only data and code are then resolved, which is what changed when
a corpus was updated (issue 8: a cold `lock` of a large project must cost about its hashing).

Answers are compared by content (a sha256 of each file), not by timestamps, so a same-second
edit is never missed. Any doubt (an unreadable or foreign memo, another version) means the full
work runs. Only successful renders are remembered: a manifest with errors is checked every time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.render import Prepared

MEMO_FORMAT = 1


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

    def _ask(self, op: str, relpath: str) -> Any:
        answer = getattr(self.inner, op)(relpath)
        self.answers[f"{op}\0{relpath}"] = _fingerprint(op, answer)
        return answer

    def resolve(self, relpath: str) -> Any:
        return self._ask("resolve", relpath)

    def read(self, relpath: str) -> bytes | None:
        data: bytes | None = self._ask("read", relpath)
        return data

    def kind(self, relpath: str) -> str | None:
        kind: str | None = self._ask("kind", relpath)
        return kind


def _path(state_dir: Path, env: str | None) -> Path:
    return state_dir / "cache" / "manifest" / f"{'@base' if env is None else env}.json"


@dataclass
class Remembered:
    """A remembered render: usable once :meth:`holds` confirmed every answer."""

    prepared: Prepared
    files: dict[str, str]  # artefact id -> referenced file
    answers: dict[str, Any]

    def holds(self, tree: Any) -> bool:
        """Whether ``tree`` still gives every recorded answer (asked in the order recorded)."""
        for key, expected in self.answers.items():
            op, _, relpath = key.partition("\0")
            if op not in ("read", "resolve", "kind"):
                return False
            if _fingerprint(op, getattr(tree, op)(relpath)) != expected:
                return False
        return True


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
        remembered = Remembered(prepared, memo["files"], memo["answers"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(remembered.answers, dict) or not isinstance(remembered.files, dict):
        return None
    return remembered


def store(state_dir: Path, env: str | None, tree: AnsweringTree, prepared: Prepared, files: dict[str, str]) -> None:
    """Remember a successful render (best effort)."""
    from agentcfg import __version__
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    memo = {"format_version": MEMO_FORMAT, "agentcfg": __version__, "env": env, "answers": tree.answers,
            "files": files,
            "prepared": {"static": prepared.static, "pending": prepared.pending, "digests": prepared.digests,
                         "models": prepared.models, "policies": prepared.policies,
                         "environments": prepared.environments}}
    try:
        ensure_state_dir(state_dir)
        atomic_write(_path(state_dir, env), json.dumps(memo, separators=(",", ":"), ensure_ascii=False), cache=True)
    except OSError:
        pass
