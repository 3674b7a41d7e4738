"""Data hashing: the digest format, the stat cache, and hostile folders (symlinks, FIFOs, races)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import build_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentcfg import hashing
from agentcfg.errors import AgentcfgError
from agentcfg.hashing import folder_digest, hash_data
from agentcfg.warm.digests import StatCache


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _age(root: Path, seconds: int = 60) -> None:
    """Backdate every file (a data set that was not written in the last moments; see RACY_NS)."""
    past = time.time_ns() - seconds * 1_000_000_000
    for p in root.rglob("*"):
        os.utime(p, ns=(past, past), follow_symlinks=False)


def test_file_digest_is_sha256_of_bytes(tmp_path: Path) -> None:
    build_tree(tmp_path, {"f.bin": b"\x00\x01hello\r\n"})
    got = hash_data(tmp_path / "f.bin", boundary=tmp_path, artefact="data/f")
    assert got.digest == _sha(b"\x00\x01hello\r\n") and got.size == 9 and got.files == 1


def test_folder_digest_matches_the_documented_algorithm(tmp_path: Path) -> None:
    files = {"b.txt": b"bee\n", "a/z.txt": b"zed", "a/\u00e9.txt": b"accent", "A.txt": b""}
    build_tree(tmp_path / "d", files)
    got = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")
    # docs/lock-format.md: sha256 over canonical JSON of [[path, digest], ...] sorted by path.
    listing = sorted([rel, _sha(data)] for rel, data in files.items())
    canonical = json.dumps(listing, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert got.digest == _sha(canonical)
    assert got.size == sum(len(v) for v in files.values()) and got.files == 4
    assert folder_digest([(r, _sha(d)) for r, d in files.items()]) == got.digest


def test_renames_and_moves_change_the_folder_digest(tmp_path: Path) -> None:
    build_tree(tmp_path / "d", {"x/a.txt": "1", "b.txt": "2"})
    before = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d").digest
    (tmp_path / "d/x/a.txt").rename(tmp_path / "d/a.txt")
    moved = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d").digest
    assert moved != before
    (tmp_path / "d/empty").mkdir()  # empty folders are not content
    assert hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d").digest == moved


def test_symlinks_inside_the_repository_are_followed(tmp_path: Path) -> None:
    build_tree(tmp_path, {"real/a.txt": "A", "d/b.txt": "B"})
    os.symlink("../real/a.txt", tmp_path / "d/link.txt")
    os.symlink("../real", tmp_path / "d/dirlink")
    got = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")
    assert got.files == 3
    assert got.digest == folder_digest([("b.txt", _sha(b"B")), ("link.txt", _sha(b"A")), ("dirlink/a.txt", _sha(b"A"))])


def test_symlink_escaping_the_repository_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    repo = tmp_path / "repo"
    build_tree(repo, {"d/a.txt": "A"})
    os.symlink(outside, repo / "d/escape.txt")
    with pytest.raises(AgentcfgError) as exc:
        hash_data(repo / "d", boundary=repo, artefact="data/d")
    assert exc.value.artefact == "data/d" and "outside the repository" in exc.value.message


@pytest.mark.parametrize("kind", ["self", "parent"])
def test_symlink_loops_are_a_clean_error(tmp_path: Path, kind: str) -> None:
    build_tree(tmp_path, {"d/a.txt": "A"})
    if kind == "self":
        os.symlink("loop", tmp_path / "d/loop")
    else:
        os.symlink("..", tmp_path / "d/up")
    with pytest.raises(AgentcfgError) as exc:
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")
    assert exc.value.artefact == "data/d" and "loop" in exc.value.message


def test_dangling_symlink_is_refused(tmp_path: Path) -> None:
    build_tree(tmp_path, {"d/a.txt": "A"})
    os.symlink("missing.txt", tmp_path / "d/dangling")
    with pytest.raises(AgentcfgError, match="points at nothing"):
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    build_tree(tmp_path, {"d/a.txt": "A"})
    os.mkfifo(tmp_path / "d/pipe")
    with pytest.raises(AgentcfgError) as exc:
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")
    assert "FIFO" in exc.value.message and exc.value.artefact == "data/d"
    with pytest.raises(AgentcfgError, match="FIFO"):
        hash_data(tmp_path / "d/pipe", boundary=tmp_path, artefact="data/p")


def test_file_vanishing_mid_hash_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(tmp_path, {f"d/{i}.txt": str(i) for i in range(5)})
    real_walk = hashing._walk

    def walk_then_delete(*args: Any) -> Any:
        files = list(real_walk(*args))
        (tmp_path / "d/3.txt").unlink()
        return iter(files)

    monkeypatch.setattr(hashing, "_walk", walk_then_delete)
    with pytest.raises(AgentcfgError) as exc:
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")
    assert exc.value.artefact == "data/d" and "vanished" in exc.value.message and "d/3.txt" in exc.value.message


def test_file_changing_mid_hash_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(tmp_path, {"d/a.txt": "A", "d/b.txt": "B"})
    real_walk = hashing._walk

    def walk_then_append(*args: Any) -> Any:
        files = list(real_walk(*args))
        with open(tmp_path / "d/a.txt", "a") as fh:
            fh.write("more")
        return iter(files)

    monkeypatch.setattr(hashing, "_walk", walk_then_append)
    with pytest.raises(AgentcfgError, match="changed while"):
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")


def test_non_utf8_file_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    try:
        (tmp_path / "d" / os.fsdecode(b"bad\xff.txt")).write_text("x")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the filesystem refuses non-UTF-8 names")
    with pytest.raises(AgentcfgError, match="not valid UTF-8"):
        hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d")


class _OpenCounter:
    """Counts os.open calls made by the hashing module (every content read goes through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real = os.open

        def counting_open(path: Any, flags: int, *args: Any, **kw: Any) -> int:
            self.paths.append(os.fspath(path))
            return real(path, flags, *args, **kw)

        monkeypatch.setattr(hashing.os, "open", counting_open)


def test_stat_cache_skips_unchanged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(tmp_path, {f"d/{i:03}.txt": f"file {i}\n" for i in range(50)})
    _age(tmp_path / "d")
    cache_path = tmp_path / "cache.json"
    first = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=StatCache(cache_path))
    # StatCache.save is the caller's job (the resolver saves once per run).
    cache = StatCache(cache_path)
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=cache)
    cache.save()
    counter = _OpenCounter(monkeypatch)
    cache = StatCache(cache_path)
    again = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=cache)
    assert again == first and counter.paths == [] and cache.hits == 50
    (tmp_path / "d/007.txt").write_text("changed!\n")
    changed = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=StatCache(cache_path))
    assert changed.digest != first.digest
    assert [Path(p).name for p in counter.paths] == ["007.txt"]


def test_racy_entries_are_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_tree(tmp_path, {"d/a.txt": "A", "d/b.txt": "B"})  # written just now: mtime ≈ hashing time
    cache_path = tmp_path / "cache.json"
    cache = StatCache(cache_path)
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=cache)
    cache.save()
    counter = _OpenCounter(monkeypatch)
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=StatCache(cache_path))
    assert len(counter.paths) == 2  # a same-tick rewrite could have kept size and mtime


def test_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    build_tree(tmp_path, {"d/a.txt": "A"})
    (tmp_path / "cache.json").write_text("{not json")
    got = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=StatCache(tmp_path / "cache.json"))
    assert got.files == 1
    (tmp_path / "cache.json").write_text(json.dumps({"format_version": 1, "entries": {"d/a.txt": "junk"}}))
    again = hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=StatCache(tmp_path / "cache.json"))
    assert again == got


def test_cache_drops_entries_of_deleted_files(tmp_path: Path) -> None:
    build_tree(tmp_path, {"d/a.txt": "A", "d/b.txt": "B", "other.txt": "O"})
    cache = StatCache(tmp_path / "cache.json")
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=cache)
    hash_data(tmp_path / "other.txt", boundary=tmp_path, artefact="data/o", cache=cache)
    cache.save()
    (tmp_path / "d/b.txt").unlink()
    cache = StatCache(tmp_path / "cache.json")
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", cache=cache)
    cache.save()
    entries = json.loads((tmp_path / "cache.json").read_text())["entries"]
    assert set(entries) == {"d/a.txt", "other.txt"}


def test_progress_reports_every_file(tmp_path: Path) -> None:
    build_tree(tmp_path, {f"d/{i}.txt": str(i) for i in range(7)})
    seen: list[tuple[str, int, int]] = []
    hash_data(tmp_path / "d", boundary=tmp_path, artefact="data/d", progress=lambda *a: seen.append(a))
    assert seen[-1] == ("data/d", 7, 7) and all(t == 7 for _, _, t in seen)


_names = st.text(alphabet="abcXYZ09_-.é中", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(st.lists(_names, min_size=1, max_size=3).map(tuple), st.binary(max_size=64),
                            min_size=0, max_size=8))
def test_folder_digest_property(tmp_path_factory: pytest.TempPathFactory, tree: dict[tuple[str, ...], bytes]) -> None:
    """For any tree, the digest is the documented formula, independent of creation order."""
    root = tmp_path_factory.mktemp("prop")
    written: dict[str, bytes] = {}
    for parts, data in tree.items():
        rel = "/".join(parts)
        if any(w == rel or w.startswith(rel + "/") or rel.startswith(w + "/") for w in written):
            continue  # a file and a folder cannot share a name
        written[rel] = data
    build_tree(root / "d", {rel: data for rel, data in reversed(list(written.items()))})
    (root / "d").mkdir(exist_ok=True)
    got = hash_data(root / "d", boundary=root, artefact="data/d")
    listing = sorted([rel, _sha(data)] for rel, data in written.items())
    canonical = json.dumps(listing, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert got.digest == _sha(canonical) and got.files == len(written)
