"""Secret-looking literals: detection (validate refuses them) and redaction (every output).

Secrets belong in the runtime's environment, referenced as ``${env:NAME}``; such references are
never resolved into lock or release files (only :func:`agentcfg.load` resolves them).
"""

from __future__ import annotations

import re
from typing import Any, Iterator

ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")

# (kind, pattern). Shapes of widely used credentials; anchored on their fixed prefixes so that
# ordinary prose and digests do not match.
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Anthropic API key", re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}")),
    ("OpenAI API key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("AWS access key id", re.compile(r"(?:AKIA|ASIA)[0-9A-Z]{16}")),
    ("GitHub token", re.compile(r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("Slack token", re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_-]{35}")),
    ("Stripe key", re.compile(r"(?:sk|rk)_live_[0-9A-Za-z]{20,}")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("credentials in URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@")),
)

# One alternation of every pattern: a string none of them matches (nearly every string) is
# ruled out by one regex scan instead of nine (validate scans every value of the manifest).
try:
    _ANY: re.Pattern[str] | None = re.compile("|".join(f"(?:{p.pattern})" for _, p in SECRET_PATTERNS))
except re.error:  # pragma: no cover - a pattern that cannot be combined: check them one by one
    _ANY = None

# Keys whose literal value is a secret whatever it looks like.
SECRET_KEYS = re.compile(r"(?i)^(api[_-]?key|apikey|secret|client[_-]?secret|password|passwd|token|access[_-]?token"
                         r"|auth[_-]?token|private[_-]?key)$")


def secret_kind(text: str) -> str | None:
    """The kind of secret ``text`` contains (ignoring ``${env:...}`` references), or None."""
    stripped = ENV_REF.sub("", text) if "${" in text else text
    if _ANY is not None and not _ANY.search(stripped):
        return None
    for kind, pattern in SECRET_PATTERNS:
        if pattern.search(stripped):
            return kind
    return None


def find_secrets(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (path, kind) for every secret-looking string inside ``value``."""
    if isinstance(value, dict):
        for k, v in value.items():
            # A key is printed as often as a value (diff paths, unknown-key findings): check it too.
            key_kind = secret_kind(k) if isinstance(k, str) else None
            if key_kind:
                yield path + (k,), f"{key_kind} used as a key"
                continue
            if isinstance(v, str) and SECRET_KEYS.match(str(k)) and v and not ENV_REF.fullmatch(v.strip()):
                yield path + (k,), f"literal value for '{k}'"
                continue
            if isinstance(v, str):  # leaves inline: a generator per value is most of the cost
                leaf = secret_kind(v)
                if leaf:
                    yield path + (k,), leaf
            elif isinstance(v, (dict, list)):
                yield from find_secrets(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                leaf = secret_kind(v)
                if leaf:
                    yield path + (i,), leaf
            elif isinstance(v, (dict, list)):
                yield from find_secrets(v, path + (i,))
    elif isinstance(value, str):
        kind = secret_kind(value)
        if kind:
            yield path, kind


def may_hold_secret(text: str) -> bool:
    """False when no secret shape occurs in ``text`` at all (one scan); True means look closer."""
    return _ANY is None or _ANY.search(text) is not None


def redact_text(text: str) -> str:
    """Replace every secret-looking substring with ``<redacted: N chars>``.

    A match that is a secret only because of a ``${env:NAME}`` reference inside it
    (``postgres://app:${env:DB_PASSWORD}@db``) is kept: detection (:func:`secret_kind`) does not
    flag it either, and the reference is what tells a reader where the secret comes from.
    """

    if _ANY is not None and not _ANY.search(text):
        return text

    def hide(m: re.Match[str]) -> str:
        found = m.group(0)
        return f"<redacted: {len(found)} chars>" if secret_kind(found) else found

    for _, pattern in SECRET_PATTERNS:
        text = pattern.sub(hide, text)
    return text


def redact(value: Any, key: str | None = None) -> Any:
    """A deep copy of ``value`` with secrets redacted (strings by pattern, secret keys wholesale)."""
    if isinstance(value, dict):
        return {redact_text(k) if isinstance(k, str) else k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        if key and SECRET_KEYS.match(key) and value and not ENV_REF.fullmatch(value.strip()):
            return f"<redacted: {len(value)} chars>"
        return redact_text(value)
    return value
