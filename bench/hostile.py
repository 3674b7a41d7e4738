"""A project made to stall a backtracking secret scanner: a 10 MB single-line value and a 1 MB
prompt of adversarial text, neither holding a secret (so every command must run to the end).

Each piece is a shape that made Python's `re` retry from every position: long runs with no
match end (`y` * N before a `://`), near-misses of every credential prefix (one character
short), key headers without bodies, JWT-looking runs without their dots, backslash runs.
"""

from __future__ import annotations

from pathlib import Path

import generate

MANIFEST = """\
format_version: 1
name: hostile
environments: [staging, production]
models:
  chat: {{provider: openai, id: gpt-4o-2024-08-06}}
prompts:
  greet: {{file: prompts/greet.md, variables: [user]}}
tools:
  lookup:
    description: "{description}"
    inputSchema: {{type: object}}
    annotations: {{readOnlyHint: true}}
agents:
  helper: {{model: chat, prompt: greet, tools: [lookup]}}
"""

MB = 1_000_000
_NEAR_MISSES = ("sk-ant-" + "x7" * 9 + " ", "AKIA" + "Q" * 15 + " ", "ghp_" + "a1" * 17 + " ", "hf_" + "b2" * 14 + " ",
                "-----BEGIN RSA PRIVATE KEY---- ", "eyJhbGciOiJIUzI1NiJ9 eyJzdWIiOjF9 ", "postgres://app@db ",
                "xoxb-12345 ", "glpat-short ")


def adversarial_text(size: int) -> str:
    """``size`` characters of near-misses and long runs, in lines of at most ~100 KB."""
    parts = ["y" * (size // 5), "\n", "a" * (size // 10) + "://host/path", "\n", "\\" * (size // 10), "\n"]
    near = "".join(_NEAR_MISSES)
    parts.append(near * ((size - sum(map(len, parts))) // len(near)))
    return "".join(parts)[:size]


def generate_hostile(root: Path, *, value_bytes: int = 10 * MB, prompt_bytes: int = 1 * MB) -> None:
    """The project in a fresh git repository, committed."""
    root.mkdir(parents=True)
    description = ("y" * (value_bytes // 2) + "0123456789abcdef" * (value_bytes // 32))[:value_bytes]
    (root / "agentcfg.yaml").write_text(MANIFEST.format(description=description))
    (root / "prompts").mkdir()
    (root / "prompts/greet.md").write_text("Hello {{user}}.\n" + adversarial_text(prompt_bytes) + "\n")
    (root / ".gitignore").write_text(".agentcfg/\n")
    generate.git(root, "init", "-q", "-b", "main")
    generate.commit_all(root, "hostile project")


def change_prompt(root: Path, n: int) -> None:
    """A one-line change at the end of the adversarial prompt (a diff and a promotion to make)."""
    path = root / "prompts/greet.md"
    path.write_text(path.read_text() + f"change {n}\n")
