"""Secret-looking literals: detection (validate refuses them) and redaction (every output).

Secrets belong in the runtime's environment, referenced as ``${env:NAME}``; such references are
never resolved into lock or release files (only :func:`agentcfg.load` resolves them).

Every pattern applied here to text runs on RE2 (``google-re2``), a finite-automaton engine: the
time to scan is linear in the text's length for every pattern, so a crafted 10 MB value or
``--reason`` costs a scan, not minutes of backtracking. The formats are in
:mod:`agentcfg.secret_formats`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import re2

from agentcfg.secret_formats import FORMATS, SECRET_KEY_NAMES

ENV_REF = re2.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_KEYS = re2.compile(SECRET_KEY_NAMES)

# One automaton for every format, one capturing group each: group i+1 matched means FORMATS[i].
_SCANNER = re2.compile("|".join(f"({f.pattern})" for f in FORMATS))
_KINDS = tuple(f.kind for f in FORMATS)

# Passwords that documentation writes in example URLs (`http://user:password@host:port`).
_PLACEHOLDER_PASSWORDS = frozenset({
    "password", "passwd", "pass", "pwd", "secret", "changeme", "token", "apikey", "api_key", "key",
    "example", "redacted", "mypassword", "yourpassword", "your-password", "your_password", "pw",
})

# Joins the strings of one structure for the quick "anything at all?" pass; no format spans it.
_SEPARATOR = "\x00"


def is_placeholder(kind: str, token: str) -> bool:
    """True for a documentation placeholder in a secret's shape (``sk-xxxx…``, ``user:password@``)."""
    if kind == "private key":
        return False  # a key header alone is worth hiding: the body may follow in the next value
    if kind == "credentials in URL":
        password = token.split("://", 1)[1][:-1].partition(":")[2]
        lowered = password.lower()
        return (lowered in _PLACEHOLDER_PASSWORDS or password[0] in "<{[$%*" or "..." in password
                or len(set(password)) == 1 or lowered.startswith(("your", "my-", "my_")))
    lowered = token.lower()
    if "your-" in lowered or "your_" in lowered or lowered.endswith(("-here", "_here")):
        return True
    return len(set(token[-16:])) <= 3  # sk-proj-xxxxxxxxxxxxxxxxxxxx, AKIA0000000000000000


def _kind(match: Any) -> str:
    index: int = match.lastindex  # the one capturing group that matched: its format
    return _KINDS[index - 1]


def _strip_env_refs(text: str) -> str:
    return ENV_REF.sub("", text) if "${" in text else text


def secret_matches(text: str) -> Iterator[tuple[str, str]]:
    """(kind, matched text) for every secret-looking substring of ``text`` (``${env:..}`` ignored)."""
    for match in _SCANNER.finditer(_strip_env_refs(text)):
        found = match.group(0)
        kind = _kind(match)
        if not is_placeholder(kind, found):
            yield kind, found


def first_secret_offset(text: str) -> int | None:
    """Where in ``text`` (a character offset) the first secret-looking substring starts, or None.

    Matches are judged as :func:`redact_text` judges them, on the text as written, so the
    offset points into the file a reader opens.
    """
    for match in _SCANNER.finditer(text):
        found = match.group(0)
        secret = secret_kind(found) is not None if "${" in found else not is_placeholder(_kind(match), found)
        if secret:
            return int(match.start())
    return None


def secret_kind(text: str) -> str | None:
    """The kind of secret ``text`` contains (ignoring ``${env:...}`` references), or None."""
    return next((kind for kind, _ in secret_matches(text)), None)


def may_hold_secret(text: str) -> bool:
    """False when no secret shape occurs in ``text`` at all (one scan); True means look closer."""
    return _SCANNER.search(text) is not None


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                out.append(k)
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)


def any_shape(values: Iterable[Any]) -> bool:
    """Whether any string inside ``values`` has a secret's shape: one scan for a whole structure.

    A manifest has tens of thousands of strings and almost never a secret; one automaton pass
    over all of them joined costs a fraction of a pass per string.
    """
    strings: list[str] = []
    for value in values:
        _strings(value, strings)
    return may_hold_secret(_SEPARATOR.join(strings))


def find_secrets(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Yield (path, kind) for every secret-looking string inside ``value``."""
    if not path and not _anything_secret(value):
        return
    yield from _find(value, path)


def _anything_secret(value: Any) -> bool:
    """Whether any key is a secret's name or any string has a secret's shape.

    A manifest holds hundreds of thousands of keys and strings but only a few hundred distinct
    keys, and almost never a secret: the structure is walked once to gather its distinct
    strings, each key is matched once, and the strings go through one automaton scan, joined.
    A format found in one string is found in the join whatever the order; one straddling the
    separator (a URL's credentials can) only costs the walk for paths, which finds nothing.
    """
    keys: set[Any] = set()
    strings: set[str] = set()
    if isinstance(value, str):
        strings.add(value)
    stack = [value]
    pop, push, add = stack.pop, stack.append, strings.add
    while stack:
        node = pop()
        if isinstance(node, dict):
            keys.update(node)
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        for child in children:
            if isinstance(child, str):
                add(child)
            elif isinstance(child, (dict, list)):
                push(child)
    names = [k for k in keys if isinstance(k, str)]
    if any(SECRET_KEYS.match(k) is not None for k in names):
        return True
    strings.update(names)
    if may_hold_secret(_SEPARATOR.join(strings)):
        return True
    # Detection reads a string with its `${env:NAME}` references taken out, which can join two
    # halves of a secret: those strings are scanned once more as detection reads them.
    referring = [_strip_env_refs(s) for s in strings if "${" in s]
    return bool(referring) and may_hold_secret(_SEPARATOR.join(referring))


def _find(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            # A key is printed as often as a value (diff paths, unknown-key findings): check it too.
            key_kind = secret_kind(k) if isinstance(k, str) else None
            if key_kind:
                yield path + (k,), f"{key_kind} used as a key"
                continue
            if isinstance(v, str) and _literal_under_secret_key(str(k), v):
                yield path + (k,), f"literal value for '{k}'"
                continue
            if isinstance(v, str):
                leaf = secret_kind(v)
                if leaf:
                    yield path + (k,), leaf
            elif isinstance(v, (dict, list)):
                yield from _find(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _find(v, path + (i,))
    elif isinstance(value, str):
        kind = secret_kind(value)
        if kind:
            yield path, kind


def _literal_under_secret_key(key: str | None, value: str) -> bool:
    return (bool(key) and SECRET_KEYS.match(str(key)) is not None and bool(value)
            and ENV_REF.fullmatch(value.strip()) is None)


def redact_text(text: str) -> str:
    """Replace every secret-looking substring with ``<redacted: N chars>``.

    A private key is replaced whole, header to footer. A match that is a secret only because of
    a ``${env:NAME}`` reference inside it (``postgres://app:${env:DB_PASSWORD}@db``) is kept:
    detection (:func:`secret_kind`) does not flag it either, and the reference is what tells a
    reader where the secret comes from.
    """
    if not may_hold_secret(text):
        return text

    def hide(match: Any) -> str:
        found: str = match.group(0)
        secret = secret_kind(found) is not None if "${" in found else not is_placeholder(_kind(match), found)
        return f"<redacted: {len(found)} chars>" if secret else found

    return str(_SCANNER.sub(hide, text))


def redact(value: Any, key: str | None = None) -> Any:
    """A deep copy of ``value`` with secrets redacted (strings by pattern, secret keys wholesale)."""
    if isinstance(value, dict):
        return {redact_text(k) if isinstance(k, str) else k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        if _literal_under_secret_key(key, value):
            return f"<redacted: {len(value)} chars>"
        return redact_text(value)
    return value
