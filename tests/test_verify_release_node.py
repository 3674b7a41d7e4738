"""examples/verify-release/verify.mjs under node agrees with agentcfg on every release: those the
demo produced, 1,000 generated configs, and tampered ones (which both refuse)."""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from agentcfg.canonical import digest_value
from agentcfg.errors import AgentcfgError
from agentcfg.release import ReleaseFile, parse_release

VERIFIER = ROOT / "examples" / "verify-release"


@pytest.fixture(scope="module", autouse=True)
def _node() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (CI installs node 20 and runs `npm ci --prefix examples/verify-release`)")
    if not (VERIFIER / "node_modules" / "ajv").is_dir() or not (VERIFIER / "node_modules" / "canonicalize").is_dir():
        pytest.skip("examples/verify-release/node_modules is missing: run `npm ci --prefix examples/verify-release`")


def verify(*files: Path) -> tuple[int, dict[str, str], dict[str, str]]:
    """Run the verifier once over ``files``: (exit code, {file: digest}, {file: reason})."""
    r = subprocess.run(["node", str(VERIFIER / "verify.mjs"), *map(str, files)], capture_output=True, text=True,
                       timeout=300)
    ok: dict[str, str] = {}
    failed: dict[str, str] = {}
    if len(files) == 1:
        if r.returncode == 0:
            ok[str(files[0])] = r.stdout.strip()
        else:
            failed[str(files[0])] = r.stderr.strip().split(": ", 1)[1]
        return r.returncode, ok, failed
    for line in r.stdout.splitlines():
        digest, _, name = line.partition("  ")
        ok[name] = digest
    for line in r.stderr.splitlines():
        name, _, reason = line.partition(": ")
        failed[name] = reason
    return r.returncode, ok, failed


@pytest.fixture(scope="module")
def demo_releases(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every version of every release file the demo (examples/demo.sh) committed."""
    tmp = tmp_path_factory.mktemp("demo")
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "TMPDIR": str(tmp),
           "AGENTCFG_DEMO_REGISTRY": "off"}
    r = subprocess.run(["bash", str(ROOT / "examples" / "demo.sh")], capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    (repo,) = tmp.glob("agentcfg-demo.*")
    out = tmp / "releases"
    out.mkdir()
    files = []
    log = subprocess.run(["git", "log", "--format=%H", "--", "releases"], cwd=repo, capture_output=True, text=True,
                         check=True).stdout.split()
    for commit in log:
        names = subprocess.run(["git", "ls-tree", "--name-only", commit, "releases/"], cwd=repo,
                               capture_output=True, text=True, check=True).stdout.split()
        for name in names:
            blob = subprocess.run(["git", "show", f"{commit}:{name}"], cwd=repo, capture_output=True,
                                  check=True).stdout
            path = out / f"{commit[:12]}-{Path(name).name}"
            path.write_bytes(blob)
            files.append(path)
    assert len(files) >= 8
    return files


def test_the_verifier_and_agentcfg_agree_on_every_demo_release(demo_releases: list[Path]) -> None:
    code, ok, failed = verify(*demo_releases)
    assert code == 0 and not failed
    for path in demo_releases:
        assert ok[str(path)] == parse_release(path.read_bytes(), str(path)).digest


def test_one_file_prints_only_its_digest(demo_releases: list[Path]) -> None:
    r = subprocess.run(["node", str(VERIFIER / "verify.mjs"), str(demo_releases[0])], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout == parse_release(demo_releases[0].read_bytes(), "x").digest + "\n"
    r = subprocess.run(["node", str(VERIFIER / "verify.mjs")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "usage" in r.stderr


_WORDS = ["refund", "Ölçü", "返金", "возврат", "\U0001f600", "\ufb33", "\u20ac", "tab\there", 'quote"s', "back\\slash",
          "\u2028", "e\u0301"]


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return rng.uniform(-1e6, 1e6)
    if kind == 1:
        return rng.choice([0.0, -0.0, 1.0, 0.1, 1e-7, 1e21, 1e-300, 5e-324, 1.7976931348623157e308, 2.5e22,
                           333333333.33333329, rng.random() * 10 ** rng.randrange(-30, 30)])
    if kind == 2:
        return rng.choice([0, -1, 2**53, -(2**53), 2**31, rng.randrange(-(2**53), 2**53)])
    if kind == 3:
        return "".join(rng.choice(_WORDS) for _ in range(rng.randrange(4)))
    if kind == 4:
        return rng.choice([True, False, None])
    if kind == 5:
        return rng.choice(_WORDS)
    if kind in (6, 7):
        return {_key(rng): _value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _key(rng: random.Random) -> str:
    return "".join(rng.choice(_WORDS + ["a", "b", "1", ":", ","]) for _ in range(rng.randrange(1, 4)))


def generated_releases(base: dict[str, Any], folder: Path, n: int, seed: int) -> list[tuple[Path, str]]:
    """``n`` release files whose configs vary the base's numbers, strings and keys; (path, agentcfg's digest)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        config = copy.deepcopy(base)
        for model in config["models"].values():
            model["parameters"] = {_key(rng): _value(rng) for _ in range(rng.randrange(1, 6))}
            model["parameters"]["temperature"] = rng.choice([0.0, 0.2, 0.7, 1.0, rng.random()])
        for prompt in config["prompts"].values():
            if rng.random() < 0.3:
                prompt["template"] += rng.choice(_WORDS)
        tool = next(iter(config["tools"].values()))
        tool["x-generated"] = _value(rng)
        release = ReleaseFile(environment="production", digest=digest_value(config), source="0" * 40,
                              action="promote", from_="staging", reason=f"generated {i}", hold=bool(i % 2),
                              config=config)
        path = folder / f"release-{i:04d}.json"
        release.write(path)
        out.append((path, release.digest))
    return out


def test_the_verifier_and_agentcfg_agree_on_1000_generated_configs(demo_releases: list[Path], tmp_path: Path) -> None:
    base = json.loads(demo_releases[0].read_text())["config"]
    releases = generated_releases(base, tmp_path, 1000, seed=8785)
    code, ok, failed = verify(*(p for p, _ in releases))
    assert code == 0 and not failed, list(failed.items())[:3]
    for path, digest in releases:
        assert ok[str(path)] == digest
        assert parse_release(path.read_bytes(), str(path)).digest == digest


def _tamper(release: dict[str, Any], how: str) -> dict[str, Any]:
    config = release["config"]
    if how == "prompt":
        name = next(iter(config["prompts"]))
        config["prompts"][name]["template"] += " "
    elif how == "number":
        model = next(iter(config["models"].values()))
        model["parameters"]["temperature"] = model["parameters"].get("temperature", 0) + 0.5
    elif how == "tool-removed":
        config["tools"].pop(next(iter(config["tools"])))
    elif how == "digest":
        release["digest"] = "sha256:" + "0" * 64
    elif how == "key-order-only":  # not tampering: JCS ignores member order, both must still accept it
        release["config"] = dict(reversed(list(config.items())))
    return release


@pytest.mark.parametrize("how", ["prompt", "number", "tool-removed", "digest"])
def test_a_tampered_release_fails_in_both(demo_releases: list[Path], tmp_path: Path, how: str) -> None:
    files = []
    for i, source in enumerate(demo_releases):
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(_tamper(json.loads(source.read_text()), how), indent=1, ensure_ascii=False))
        files.append(path)
    code, ok, failed = verify(*files)
    assert code == 1 and not ok and len(failed) == len(files)
    for path in files:
        assert "digest mismatch" in failed[str(path)]
        with pytest.raises(AgentcfgError, match="does not match its digest"):
            parse_release(path.read_bytes(), str(path))


def test_reordered_members_still_verify_in_both(demo_releases: list[Path], tmp_path: Path) -> None:
    path = tmp_path / "reordered.json"
    release = _tamper(json.loads(demo_releases[-1].read_text()), "key-order-only")
    path.write_text(json.dumps(release))
    code, ok, _ = verify(path)
    assert code == 0 and ok[str(path)] == parse_release(path.read_bytes(), str(path)).digest == release["digest"]


@pytest.mark.parametrize(("change", "reason"), [
    ({"format_version": 1}, "release format 1"),
    ({"hold": "yes"}, "does not match the release schema: /hold"),
    ({"digest": "md5:abc"}, "does not match the release schema: /digest"),
])
def test_files_that_are_not_current_releases_are_refused_with_the_reason(demo_releases: list[Path], tmp_path: Path,
                                                                         change: dict[str, Any], reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**json.loads(demo_releases[0].read_text()), **change}))
    code, _, failed = verify(path)
    assert code == 1 and reason in failed[str(path)]
    path.write_text("{not json")
    code, _, failed = verify(path)
    assert code == 1 and "not JSON" in failed[str(path)]
