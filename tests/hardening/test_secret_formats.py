"""Which credentials the scanner recognises, what it leaves alone, and that no input stalls it.

The corpus is generated (tests/hardening/secret_corpus.py): realistic shapes, never real keys.
The stall cases run in a child process under a generous timeout: the assertion is that the
scan completes, not how fast (timings live in bench/).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agentcfg.secret_formats import FORMATS
from agentcfg.secrets import find_secrets, redact, redact_text, secret_kind
from agentcfg.semdiff.redaction import display_diff, secret_appears
from hardening.secret_corpus import PLACEHOLDERS, tokens

ROOT = Path(__file__).resolve().parents[2]


def _secret_part(kind: str, token: str) -> str:
    if kind == "credentials in URL":
        return token.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    return token


@pytest.mark.parametrize(("kind", "token"), tokens(), ids=[f"{k}-{i}" for i, (k, _) in enumerate(tokens())])
def test_every_provider_format_is_recognised_and_hidden(kind: str, token: str) -> None:
    prose = f"Call the API with {token} and nothing else."
    assert secret_kind(prose) == kind
    hidden = redact_text(prose)
    assert _secret_part(kind, token) not in hidden
    assert "<redacted:" in hidden and hidden.startswith("Call the API with ") and hidden.endswith(" and nothing else.")
    assert [kind in found for _, found in find_secrets({"tools": {"t": {"description": prose}}})] == [True]


def test_every_format_has_a_sample_in_the_corpus() -> None:
    assert {f.kind for f in FORMATS} == {kind for kind, _ in tokens()}


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_documentation_placeholders_are_not_secrets(text: str) -> None:
    assert secret_kind(text) is None
    assert redact_text(text) == text
    assert list(find_secrets({"prompts": {"p": {"template": text}}})) == []


def test_a_private_key_is_hidden_whole_header_body_and_footer() -> None:
    key = dict(tokens())["private key"]
    body_lines = key.splitlines()[1:-1]
    for text in (f"reason: {key}\nafter", key.replace("\n", "\\n"), key.replace("\n", " ")):
        hidden = redact_text(text)
        assert "PRIVATE KEY" not in hidden
        assert not any(line in hidden for line in body_lines)
    # Without its footer (a pasted fragment), everything up to the end of the body goes.
    fragment = "\n".join(key.splitlines()[:-1]) + "\nnext paragraph"
    assert redact_text(fragment).endswith("next paragraph")
    assert not any(line in redact_text(fragment) for line in body_lines)
    # In a diff the key is spread over `+` lines: still hidden whole.
    diff = "--- a\n+++ b\n@@ -1 +1,14 @@\n" + "".join(f"+{line}\n" for line in key.splitlines())
    shown = display_diff(diff)
    assert shown is not None and not any(line in shown for line in body_lines)


def test_a_key_body_alone_is_not_hidden_but_its_appearance_is_flagged() -> None:
    key = dict(tokens())["private key"]
    assert secret_appears({"p": "hello"}, {"p": f"hello\n{key}"})
    assert not secret_appears({"p": key}, {"p": key})


def test_secret_keys_hide_the_whole_value_and_keep_env_references() -> None:
    assert redact({"api_key": "hunter2-but-longer", "token": "${env:TOKEN}"}) == {
        "api_key": "<redacted: 18 chars>", "token": "${env:TOKEN}"}
    assert [kind for _, kind in find_secrets({"models": {"m": {"aws_secret_access_key": "x" * 40}}})] == [
        "literal value for 'aws_secret_access_key'"]


def test_every_format_is_listed_in_the_security_docs() -> None:
    docs = (ROOT / "docs" / "security.md").read_text()
    missing = [f.kind for f in FORMATS if f"| {f.kind} |" not in docs]
    assert missing == []


# Adversarial inputs: for each format, text made of its own prefix and alphabet that never
# completes a match (the shapes that make a backtracking engine retry from every position),
# plus the classic long runs. Each is 1-10 MB.
_STALL_SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from hardening.secret_corpus import tokens
    from agentcfg.secrets import find_secrets, redact_text, secret_kind
    from agentcfg.semdiff.redaction import secret_marks
    MB = 1024 * 1024
    cases = {
        "y-run": "y" * (10 * MB),
        "hex-run": "0123456789abcdef" * (MB // 16 * 4),
        "url-scheme-run": "a" * (4 * MB) + "://" + "b" * (4 * MB),
        "url-colon-run": ("a://" + "b:" * (MB // 2)),
        "key-header-no-footer": "-----BEGIN RSA PRIVATE KEY-----\\n" + "QUJD" * (MB // 2) + "-----END",
        "key-headers": "-----BEGIN PRIVATE KEY-----" * (MB // 27),
        "jwt-run": "eyJ" * (MB // 3) + "." + "eyJ" * (MB // 3),
        "env-ref-run": "${env:" * (MB // 6) + "A" * MB,
        "backslashes": "\\\\" * (2 * MB),
    }
    for kind, token in dict(tokens()).items():
        head = token[: max(4, len(token) // 2)]
        cases[kind + ": half-token repeated"] = head * (MB // len(head) + 1)
        cases[kind + ": prefix repeated"] = token[:4] * (MB // 4)
    done = []
    for name, text in cases.items():
        secret_kind(text); redact_text(text); secret_marks(text)
        list(find_secrets({"tools": {"t": {"description": text}}}))
        done.append(name)
    print(json.dumps([len(cases), done]))
""")


def test_no_input_stalls_the_scanner() -> None:
    proc = subprocess.run([sys.executable, "-c", _STALL_SCRIPT, str(ROOT / "tests")], capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    planned, done = json.loads(proc.stdout)
    assert len(done) == planned == 9 + 2 * len({kind for kind, _ in tokens()})


def test_a_private_key_in_reason_never_reaches_release_commit_or_history(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole key (header, body, footer) pasted into --reason: the release file, the commit
    message (trailer and body) and `history` hold `<redacted: N chars>`, never a line of it."""
    from conftest import git, run_agentcfg

    from hardening.helpers import staging_with_a_pending_change

    monkeypatch.chdir(tmp_path)
    repo = staging_with_a_pending_change(tmp_path / "repo")
    key = dict(tokens())["private key"]
    body = key.splitlines()[1:-1]
    jwt = dict(tokens())["JSON Web Token"]
    p = run_agentcfg("promote", "HEAD", "staging", "--reason", f"rotated\n{key}\nand {jwt}", cwd=repo)
    assert p.returncode == 0, p.stderr
    shown = [
        (repo / "releases/staging.json").read_text(),
        git(repo, "log", "-1", "--format=%B"),
        run_agentcfg("history", "staging", cwd=repo).stdout,
        run_agentcfg("history", "staging", "--format", "json", cwd=repo).stdout,
        p.stdout + p.stderr,
    ]
    for text in shown:
        assert "PRIVATE KEY" not in text and jwt not in text
        assert not any(line in text for line in body)
    assert "<redacted:" in shown[0] and "<redacted:" in shown[1]
