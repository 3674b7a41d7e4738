"""Fuzzing the loader: every input ends in a loaded manifest or a clean finding.

Three sources of hostile bytes: raw random bytes, random YAML-ish token soup, and byte-level
mutations (flip, insert, delete, duplicate a span) of the bundled example manifest. Each input
goes through the whole front half of agentcfg: yamlio.load, load_manifest (overlay included),
every check, and render with a fixed resolver. The only exception allowed to escape is
AgentcfgError (a YamlError at most; load_manifest itself turns those into findings).
Derandomized and bounded, so it is fast and never flakes; atheris is not used.
"""

from __future__ import annotations

from typing import Any

from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLE_FILES = {p.relative_to(EXAMPLE).as_posix(): p.read_bytes() for p in EXAMPLE.rglob("*")
                 if p.is_file() and ".agentcfg" not in p.parts}
SEED = EXAMPLE_FILES["agentcfg.yaml"]


class MemoryTree:
    """A tree of files held in memory (the loader's Tree protocol): fuzzing writes nothing."""

    label = "fuzz tree"

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, relpath: str) -> bytes | None:
        return self.files.get(relpath.lstrip("./"))

    def kind(self, relpath: str) -> str | None:
        rel = relpath.strip("/")
        if rel in self.files:
            return "blob"
        return "tree" if any(f.startswith(rel + "/") for f in self.files) else None


class FixedResolver:
    def code(self, name: str, ref: Any) -> dict[str, Any]:
        return {"commit": "0" * 40}

    def data(self, name: str, ds: Any) -> dict[str, Any]:
        return {"digest": "sha256:" + "0" * 64, "size": 0, "files": 0}


def _front_half(manifest: bytes, overlay: bytes | None = None) -> None:
    """Load, check and render ``manifest``: succeed or fail only with AgentcfgError."""
    from agentcfg import checks
    from agentcfg.errors import AgentcfgError
    from agentcfg.manifest.loader import load_manifest
    from agentcfg.rendering import render_loaded
    from agentcfg.yamlio import YamlError, load

    try:
        load(manifest, "agentcfg.yaml")
    except YamlError as exc:
        assert exc.location is not None and exc.location.file == "agentcfg.yaml"
    files = {**EXAMPLE_FILES, "agentcfg.yaml": manifest}
    if overlay is not None:
        files["environments/staging.yaml"] = overlay
    tree = MemoryTree(files)
    for env in (None, "staging"):
        try:
            loaded = load_manifest(tree, env=env)
        except AgentcfgError:
            continue  # e.g. an environment name the overlay path cannot hold
        checks.run_all(loaded)
        for f in loaded.findings:
            assert f.code and f.message and f.file, f
        try:
            render_loaded(loaded, FixedResolver())
        except AgentcfgError:
            pass


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@fuzz(150)
@given(data=st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _front_half(data)


TOKENS = ["name: x\n", "models:\n", "  m: ", "{provider: openai, id: ", "gpt-4o-2024-08-06", "}", "]", "[",
          "- ", "&a ", "*a ", "!!python/object:os.system ", "!custom ", "<<: *a\n", "? ", ": ", "\n", "  ", "\t",
          "'", '"', "\\u", "\\ud800", "\\U0001F600", "#", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2024:\n",
          "1.10", "0x1F", "yes", "~", ".nan", "-.inf", "2024-06-01", "|\n", ">-\n", "\ufeff", "\x85", "\u2028",
          "sk-proj-CANARYa1b2c3d4e5f6g7h8i9j0k1l2m3n4", "${env:X}", "file: ../../etc/passwd", "file: /dev/zero",
          "inputSchema: {$ref: 'https://x'}", "environments: [staging]\n", "prompts:\n  p: {template: '{{x}}'}\n"]


@fuzz(150)
@given(parts=st.lists(st.sampled_from(TOKENS) | st.text(max_size=5), max_size=40),
       overlay=st.none() | st.lists(st.sampled_from(TOKENS), max_size=12))
def test_yaml_token_soup(parts: list[str], overlay: list[str] | None) -> None:
    text = "".join(parts)
    _front_half(text.encode("utf-8", "surrogatepass"),
                None if overlay is None else "".join(overlay).encode("utf-8", "surrogatepass"))


@st.composite
def mutated_example(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8) | st.sampled_from([t.encode() for t in TOKENS]))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "duplicate":
            span = bytes(data[at:at + draw(st.integers(1, 200))])
            data[at:at] = span
        else:
            del data[at:]
    return bytes(data)


@fuzz(120)
@given(data=mutated_example())
def test_mutated_example_manifest(data: bytes) -> None:
    _front_half(data)


def test_the_seed_itself_loads_cleanly() -> None:
    """The fuzzers start from a manifest that is valid, so mutations explore near-valid inputs."""
    from agentcfg import checks
    from agentcfg.manifest.loader import load_manifest

    loaded = load_manifest(MemoryTree(dict(EXAMPLE_FILES)))
    checks.run_all(loaded)
    assert loaded.manifest is not None and not [f for f in loaded.findings if f.severity == "error"]


def test_the_example_is_where_we_think() -> None:
    assert "agentcfg.yaml" in EXAMPLE_FILES and len(SEED) > 1000
