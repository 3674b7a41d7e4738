"""`lock`'s manifest work, remembered: prepared renders reused while the tree answers the same.

Loading, checking and rendering a manifest is a pure function of agentcfg's code, the
environment, and what the working tree answered while it ran (:mod:`agentcfg.warm.answers`).
The next `lock` asks the tree the same questions and, when every answer is the same, takes the
:class:`~agentcfg.rendering.Prepared` config from ``.agentcfg/cache/manifest/`` instead of
parsing, type-checking, checking and normalising thousands of artefacts again. Only data and
code are then resolved, which is what changed when a corpus was updated. Only successful
renders are remembered: a manifest with errors is checked every time. A `validate` that found no
error leaves the same memo (lockbuild.remember_prepared): it has just loaded and checked this very
manifest, and CI runs `lock --check` right after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.rendering import Prepared
from agentcfg.warm.answers import AnsweringTree, Answers
from agentcfg.warm.rule import code_digest

MEMO_FORMAT = 3


def _path(state_dir: Path, env: str | None) -> Path:
    return state_dir / "cache" / "manifest" / f"{'@base' if env is None else env}.json"


@dataclass
class Remembered:
    """A remembered render: usable once :meth:`holds` confirmed every answer."""

    prepared: Prepared
    files: dict[str, str]  # artefact id -> referenced file
    answers: Answers
    boundary: str

    def holds(self, tree: Any) -> bool:
        """Whether ``tree`` is the working tree the answers came from (a copied repository is
        another one) and still gives every recorded answer."""
        if self.answers.root != str(tree.root) or self.boundary != str(tree.boundary):
            return False
        return self.answers.holds(self.boundary)


def recall(state_dir: Path, env: str | None) -> Remembered | None:
    """The remembered render of ``env``, not yet checked against the tree (see :meth:`holds`)."""
    try:
        memo = json.loads(_path(state_dir, env).read_bytes())
        if memo["format_version"] != MEMO_FORMAT or memo["code"] != code_digest() or memo["env"] != env:
            return None
        p = memo["prepared"]
        prepared = Prepared(env, p["static"], p["pending"], p["digests"], p["models"], p["policies"],
                            p["environments"])
        answers = Answers.from_json(memo["answers"])
        if answers is None or not isinstance(memo["files"], dict):
            return None
        return Remembered(prepared, memo["files"], answers, str(memo["boundary"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(state_dir: Path, env: str | None, tree: AnsweringTree, prepared: Prepared, files: dict[str, str]) -> None:
    """Remember a successful render (best effort)."""
    from agentcfg.canonical import atomic_write
    from agentcfg.project import ensure_state_dir

    memo = {"format_version": MEMO_FORMAT, "code": code_digest(), "env": env, "boundary": str(tree.boundary),
            "answers": tree.answers.to_json(), "files": files,
            "prepared": {"static": prepared.static, "pending": prepared.pending, "digests": prepared.digests,
                         "models": prepared.models, "policies": prepared.policies,
                         "environments": prepared.environments}}
    try:
        ensure_state_dir(state_dir)
        atomic_write(_path(state_dir, env), json.dumps(memo, separators=(",", ":"), ensure_ascii=False), cache=True)
    except OSError:
        pass
