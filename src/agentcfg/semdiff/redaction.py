"""Secrets in a diff: never shown, and flagged when one appears.

Values go through :func:`agentcfg.secrets.redact` (``<redacted: N chars>``), except text whose
only secret-looking part is a ``${env:NAME}`` reference: a reference is not a secret and is
shown as written (``postgres://app:${env:DB_PASSWORD}@db/app`` stays readable).
"""

from __future__ import annotations

from typing import Any

from agentcfg.secrets import ENV_REF, SECRET_KEYS, redact, redact_text, secret_kind, secret_matches


def _secret_key(key: str | None, value: str) -> bool:
    return (bool(key) and SECRET_KEYS.match(str(key)) is not None and bool(value)
            and ENV_REF.fullmatch(value.strip()) is None)


def display(value: Any, key: str | None = None) -> Any:
    """``value`` safe to print: secret-looking literals redacted with their length."""
    if isinstance(value, dict):
        return {k: display(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [display(v, key) for v in value]
    if isinstance(value, str) and (_secret_key(key, value) or secret_kind(value)):
        return redact(value, key)
    return value


def display_diff(text: str | None) -> str | None:
    """A unified diff with every secret redacted; a private key spread over lines is hidden whole."""
    if text is None:
        return None
    return redact_text(text)


def secret_marks(value: Any, key: str | None = None, path: tuple[str, ...] = ()) -> set[tuple[Any, ...]]:
    """Fingerprints of the secrets inside ``value``: (path, kind, matched text) — never printed."""
    marks: set[tuple[Any, ...]] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            marks |= secret_marks(v, str(k), path + (str(k),))
    elif isinstance(value, list):
        for v in value:
            marks |= secret_marks(v, key, path)
    elif isinstance(value, str):
        if _secret_key(key, value):
            marks.add((path, "key", value))
        marks |= set(secret_matches(value))
    return marks


def secret_appears(old: Any, new: Any, key: str | None = None) -> bool:
    """Whether ``new`` holds a secret-looking literal that ``old`` did not."""
    return bool(secret_marks(new, key) - secret_marks(old, key))


__all__ = ["display", "display_diff", "secret_appears", "secret_marks"]
