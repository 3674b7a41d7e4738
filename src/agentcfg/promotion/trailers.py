"""Commit messages of promote/rollback/unhold and their git trailers.

The trailers make `history` fast (one `git log` reads them all) and make the log readable by
other tools (`git log --format='%(trailers:key=Agentcfg-Digest)'`). They are a cache of what the
release file says, not the truth: a commit without them (a `--no-commit` file merged through a
pull request) is read from the file itself.
"""

from __future__ import annotations

import re

from agentcfg.canonical import short

ENV = "Agentcfg-Env"
ACTION = "Agentcfg-Action"
DIGEST = "Agentcfg-Digest"
FROM = "Agentcfg-From"
SOURCE = "Agentcfg-Source"
REASON = "Agentcfg-Reason"
APPROVED = "Agentcfg-Approved"  # --approve "reason": a max_risk refusal overridden on purpose
SKIP_PATH = "Agentcfg-Skip-Path"  # --skip-path: how the promotion left the path
ATTESTATION = "Agentcfg-Attestation"  # attest: the evidence's name
VERDICT = "Agentcfg-Verdict"  # attest: passed | failed
EVIDENCE = "Agentcfg-Evidence"  # promote: the evidence a gated promotion relied on

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_VALUE = 1000


def one_line(text: str) -> str:
    """A trailer value: one line, no control characters, bounded length.

    A newline in a reason must never start a forged trailer (`\\nAgentcfg-Digest: ...`).
    """
    clean = _CONTROL.sub(" ", text).strip()
    return clean if len(clean) <= MAX_VALUE else clean[: MAX_VALUE - 1] + "…"


def subject(action: str, env: str, digest: str, from_: str | None) -> str:
    if action == "promote":
        return f"agentcfg: promote {one_line(from_ or '?')} to {env} ({short(digest)})"
    if action == "rollback":
        return f"agentcfg: roll back {env} to {short(digest)}"
    return f"agentcfg: {action} {env} ({short(digest)})"


def commit_message(*, action: str, env: str, digest: str, source: str | None, from_: str | None,
                   reason: str | None, extra: dict[str, str] | None = None) -> str:
    """Subject, the reason as a paragraph, and the trailers as the last paragraph."""
    trailers = {ENV: env, ACTION: action, DIGEST: digest, FROM: from_ or "", SOURCE: source or "",
                REASON: reason or ""}
    trailers.update(extra or {})
    lines = [f"{key}: {one_line(value)}" for key, value in trailers.items() if value]
    parts = [subject(action, env, digest, from_)]
    if reason and ("\n" in reason.strip() or len(reason) > MAX_VALUE):
        parts.append(reason.strip())
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def get(trailers: dict[str, str], key: str) -> str | None:
    """A trailer value from :func:`agentcfg.gitio.log_path`'s lower-cased dict; '' counts as absent."""
    return trailers.get(key.lower()) or None
