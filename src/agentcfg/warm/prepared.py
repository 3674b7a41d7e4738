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

A memo is one JSON line (answers, files, digests) followed by the canonical JSON text of each
static section, one per line (canonical JSON holds no raw newline), so megabytes of JSON are
not escaped into a JSON string and back. An environment's memo holds only what differs from the
base manifest's memo it was made with, which it names by a random ``id``: the sections its
overlay left alone and the base's answers are taken from that memo when, and only when, the base
memo recalled in the same run carries that id (otherwise the environment is rendered again).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcfg.rendering import Prepared
from agentcfg.warm.answers import AnsweringTree, Answers, Confirmed
from agentcfg.warm.rule import code_digest

MEMO_FORMAT = 4
_ANSWER_MAPS = ("where", "kinds", "reads", "stamps")


def _path(state_dir: Path, env: str | None) -> Path:
    return state_dir / "cache" / "manifest" / f"{'@base' if env is None else env}.json"


@dataclass
class Remembered:
    """A remembered render: usable once :meth:`holds` confirmed every answer."""

    prepared: Prepared
    files: dict[str, str]  # artefact id -> referenced file
    answers: Answers
    boundary: str
    id: str = ""  # names the stored memo, for the environments' memos made with it

    def holds(self, tree: Any, confirmed: Confirmed | None = None) -> bool:
        """Whether ``tree`` is the working tree the answers came from (a copied repository is
        another one) and still gives every recorded answer (``confirmed``: see Answers.holds)."""
        if self.answers.root != str(tree.root) or self.boundary != str(tree.boundary):
            return False
        return self.answers.holds(self.boundary, confirmed)


def recall(state_dir: Path, env: str | None, base: Remembered | None = None) -> Remembered | None:
    """The remembered render of ``env``, not yet checked against the tree (see :meth:`holds`).

    ``base``: the base manifest's memo as this run holds it (recalled, or just stored); an
    environment's memo made with another one is not used.
    """
    try:
        head_line, *texts = _path(state_dir, env).read_bytes().decode("utf-8").split("\n")
        memo = json.loads(head_line)
        if memo["format_version"] != MEMO_FORMAT or memo["code"] != code_digest() or memo["env"] != env:
            return None
        p = memo["prepared"]
        own = dict(zip(p["static_keys"], texts, strict=True))
        if [_sha256(text) for text in texts] != p["static_sha256"]:
            return None  # a damaged or edited memo: render again
        answers = Answers.from_json(memo["answers"])
        if answers is None or not isinstance(memo["files"], dict):
            return None
        if memo["base"] is not None:
            if (base is None or base.id != memo["base"] or base.answers.created != answers.created
                    or base.answers.root != answers.root):
                return None
            shared = {k: base.prepared.static[k] for k in p["static_from_base"]}
            answers = _with_base(base.answers, answers)
        else:
            shared = {}
        static = {k: own[k] if k in own else shared[k] for k in p["static_order"]}
        prepared = Prepared(env, static, p["pending"], p["digests"], p["models"], p["policies"],
                            p["environments"])
        return Remembered(prepared, memo["files"], answers, str(memo["boundary"]), str(memo["id"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def store(state_dir: Path, env: str | None, tree: AnsweringTree, prepared: Prepared, files: dict[str, str],
          base: Remembered | None = None) -> Remembered | None:
    """Remember a successful render (best effort); what was stored, as :func:`recall` returns it.

    ``base`` (for an environment): the base manifest's memo of this run. What the environment
    shares with it is stored as a reference to it.
    """
    from agentcfg.canonical import atomic_write
    from agentcfg.jsonwrite import compact_json
    from agentcfg.project import ensure_state_dir

    answers = tree.answers.to_json()
    delta = _delta(base.answers.to_json(), answers) if base is not None else None
    from_base = [k for k, text in prepared.static.items()
                 if base is not None and delta is not None and base.prepared.static.get(k) == text]
    own = [k for k in prepared.static if k not in from_base]
    memo_id = os.urandom(12).hex()
    memo = {"format_version": MEMO_FORMAT, "code": code_digest(), "env": env, "id": memo_id,
            "base": base.id if delta is not None and base is not None else None,
            "boundary": str(tree.boundary), "answers": delta if delta is not None else answers, "files": files,
            "prepared": {"static_order": list(prepared.static), "static_keys": own,
                         "static_sha256": [_sha256(prepared.static[k]) for k in own], "static_from_base": from_base,
                         "pending": prepared.pending, "digests": prepared.digests, "models": prepared.models,
                         "policies": prepared.policies, "environments": prepared.environments}}
    head = compact_json(memo)
    try:
        ensure_state_dir(state_dir)
        atomic_write(_path(state_dir, env), b"\n".join([head, *(prepared.static[k].encode("utf-8") for k in own)]),
                     cache=True)
    except OSError:
        return None
    kept = Answers.from_json(answers)  # a copy: the tree goes on recording the environments' loads
    if kept is None:  # pragma: no cover - to_json always reads back
        return None
    return Remembered(prepared, files, kept, str(tree.boundary), memo_id)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _delta(base: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any] | None:
    """``answers`` as what they add to ``base`` (recorded on the same tree, at the same moment),
    or None when they are not such an extension: then they are stored whole."""
    if base["root"] != answers["root"] or base["created"] != answers["created"]:
        return None
    out: dict[str, Any] = {"root": answers["root"], "created": answers["created"]}
    for name in _ANSWER_MAPS:
        mine, theirs = answers[name], base[name]
        if any(key not in mine for key in theirs):
            return None
        out[name] = {key: value for key, value in mine.items() if key not in theirs or theirs[key] != value}
    return out


def _with_base(base: Answers, delta: Answers) -> Answers:
    merged = Answers(delta.root, created=delta.created)
    for name in _ANSWER_MAPS:
        setattr(merged, name, {**getattr(base, name), **getattr(delta, name)})
    return merged
