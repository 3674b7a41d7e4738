"""find_secrets decides "anything secret-looking at all?" from the distinct keys and strings of a
structure before walking it for paths. The walk it shortcuts is kept here as it was (a key
regex match per dict entry, all strings joined in walk order): the findings (paths, kinds,
order) must be the same, but for what the old gate could miss: a secret that only appears once
a `${env:..}` reference is taken out, which the walk flagged only when something else in the
manifest opened the gate. It is now always found, as the walk alone finds it."""

from __future__ import annotations

from typing import Any, Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg import secrets
from agentcfg.secrets import SECRET_KEYS, any_shape, find_secrets


def _reference_has_secret_key(value: Any) -> bool:
    if isinstance(value, dict):
        return any((isinstance(k, str) and SECRET_KEYS.match(k) is not None) or _reference_has_secret_key(v)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_reference_has_secret_key(v) for v in value)
    return False


def reference_find_secrets(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """find_secrets as it was: a recursive key check and one join of every string, in order."""
    if not path and not _reference_has_secret_key(value) and not any_shape([value]):
        return
    yield from secrets._find(value, path)


# Pieces that make secrets, near-secrets, placeholders and env references likely.
PIECES = [
    "sk-", "sk-ant-", "abcdefghijklmnopqrstuvwxyz0123456789", "AKIA", "ABCDEFGHIJKLMNOP", "xxxxxxxxxxxxxxxxxxxx",
    "${env:TOKEN}", "${env:A}", "${", "}", "https://", "user", ":", "hunter22", "@", "host", "/", "\x00", " ",
    "-----BEGIN RSA PRIVATE KEY-----", "ghp_", "012345678901234567890123456789012345", "hf_", "\n", "é",
    "password", "api_key", "token", "Secret", "name", "description",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=6).map("".join) | st.text(max_size=12)
KEYS = TEXT | st.integers(-3, 3) | st.none() | st.booleans()
LEAVES = TEXT | st.integers() | st.floats(allow_nan=False) | st.none() | st.booleans()
VALUES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=25)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES)
def test_findings_are_the_walks_and_the_old_gates(value: Any) -> None:
    new = list(find_secrets(value))
    truth = list(secrets._find(value, ()))  # the walk alone, no gate: what is really there
    assert new == truth
    old = list(reference_find_secrets(value))
    assert old == new or not old  # the old gate could only miss, never add


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=5), st.integers(0, 3))
def test_shared_subtrees_and_repeated_keys(section: dict[str, Any], copies: int) -> None:
    # A manifest repeats keys (`description`, `type`) and shares nothing by identity; both shapes.
    value = {"tools": {f"t{i}": section for i in range(copies)}, "again": [section, dict(section)]}
    new = list(find_secrets(value))
    assert new == list(secrets._find(value, ()))
    old = list(reference_find_secrets(value))
    assert old == new or not old


def test_a_secret_joined_by_taking_out_an_env_reference() -> None:
    value = {"a": "sk-${env:X}abcdefghijklmnopqrstuvwxyz0123"}
    assert list(reference_find_secrets(value)) == []  # the old gate scanned the text as written
    assert list(find_secrets(value)) == [(("a",), "OpenAI API key")]


def test_a_secret_key_deep_inside() -> None:
    value = {"x": [{"y": {"Password": "hunter2"}}, "plain"]}
    assert list(find_secrets(value)) == list(reference_find_secrets(value)) == [
        (("x", 0, "y", "Password"), "literal value for 'Password'")]


def test_a_bare_string_and_a_path() -> None:
    key = "AKIAABCDEFGHIJKLMNOP"
    assert list(find_secrets(key)) == list(reference_find_secrets(key)) == [((), "AWS access key id")]
    assert list(find_secrets({"k": key}, ("p",))) == [(("p", "k"), "AWS access key id")]
