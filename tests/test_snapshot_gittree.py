"""GitTree reads a commit through `git ls-tree` and batched `git cat-file`: it answers as
GitPython's object model does (the reference it replaced), file by file."""

from __future__ import annotations

import os
from typing import Any
from pathlib import Path

from conftest import build_tree, commit_all, init_repo


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = init_repo(tmp_path / "repo")
    build_tree(repo, {
        "sub/agentcfg.yaml": "name: x\n",
        "sub/a/b/c.txt": "deep\n",
        "sub/a/z.txt": "z\n",
        "sub/a/y/x.txt": "x\n",
        "sub/big.yaml": "k: " + "v" * 5000 + "\n",
        "sub/same1.txt": "same\n",
        "sub/same2.txt": "same\n",
        "sub/ünïcode name.md": "u\n",
        "outside.txt": "out\n",
    })
    os.symlink("z.txt", repo / "sub" / "a" / "link.txt")
    return repo, commit_all(repo, "tree")


def test_git_tree_answers_as_gitpython_does(tmp_path: Path) -> None:
    import git

    from agentcfg.gitio import GitTree

    repo, sha = _repo(tmp_path)
    tree = GitTree(repo, sha, "sub")
    ref = git.Repo(repo).commit(sha).tree / "sub"
    paths = [item.path[len("sub/"):] for item in ref.traverse()]
    for rel in paths + ["", "missing", "a/missing.txt", "../outside.txt", "a/./z.txt", "a//z.txt", "a/z.txt/"]:
        full = "/".join(p for p in ("sub", rel.strip("/")) if p)
        try:
            obj = git.Repo(repo).commit(sha).tree / full if full != "sub" else ref
        except KeyError:
            obj = None
        if obj is None or ".." in rel or "/./" in rel or "//" in rel:
            if ".." in rel or "/./" in rel or "//" in rel:
                assert tree.read(rel) is None and tree.kind(rel) is None, rel
            continue
        kind = ("link" if obj.mode == 0o120000 else "blob") if obj.type == "blob" else obj.type
        assert tree.kind(rel) == kind, rel
        expected = obj.data_stream.read() if kind == "blob" else None
        assert tree.read(rel) == expected, rel
    walked = [(e.path, e.kind) for e in tree.walk("a")]
    reference = [(item.path[len("sub/a/"):], "link" if item.type == "blob" and item.mode == 0o120000 else item.type)
                 for item in (ref / "a").traverse()]
    assert walked == reference  # breadth first, in git's order


def test_reads_are_bounded_and_shared(tmp_path: Path) -> None:
    from agentcfg.gitio import GitTree
    from agentcfg.gitio.batch import BlobReader
    from agentcfg.sizes import Head

    repo, sha = _repo(tmp_path)
    blobs = BlobReader(repo)
    tree = GitTree(repo, sha, "sub", blobs=blobs)
    head = tree.read("big.yaml", limit=10)
    assert isinstance(head, Head) and head == b"k: vvvvvvv" and head.size == 5004
    assert tree.read("big.yaml") == b"k: " + b"v" * 5000 + b"\n"
    tree.prefetch(["same1.txt", "same2.txt", "a", "missing", "a/link.txt"])
    assert tree.read("same1.txt") == tree.read("same2.txt") == b"same\n"
    assert tree.read("a/link.txt") is None  # a symlink's blob is its target, never read as a file
    other = GitTree(repo, sha, "", blobs=blobs)
    assert other.read("sub/same1.txt") == b"same\n" and other.read("outside.txt") == b"out\n"
    files = ["a/z.txt", "a/b/c.txt", "a", "same1.txt"]
    assert list(tree.read_files(files)) == [("a/z.txt", b"z\n"), ("a/b/c.txt", b"deep\n"), ("a", None),
                                            ("same1.txt", b"same\n")]
    blobs.close()


def _many(tmp_path: Path, n: int) -> tuple[Path, dict[str, bytes], list[str]]:
    repo = init_repo(tmp_path / "many")
    files = {f"f{i:04d}.txt": f"content {i}\n".encode() * (i % 7 + 1) for i in range(n)}
    build_tree(repo, {name: data.decode() for name, data in files.items()})
    commit_all(repo, "many")
    import subprocess

    listing = subprocess.run(["git", "ls-tree", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout
    oids = {line.split("\t")[1]: line.split()[2] for line in listing.splitlines()}
    return repo, {oids[name]: data for name, data in files.items()}, list(oids.values())


def test_a_large_prefetch_is_shared_between_two_git_processes_and_reads_the_same(
        tmp_path: Path, monkeypatch: Any) -> None:
    from agentcfg.gitio import batch

    repo, expected, oids = _many(tmp_path, 40)
    missing = "0" * 40  # no such object: answered "missing"
    started: list[int] = []
    real = batch._batch
    monkeypatch.setattr(batch, "_batch", lambda top, ids: (started.append(len(ids)), real(top, ids))[1])
    monkeypatch.setattr(batch, "PARALLEL_FROM", 8)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    blobs = batch.BlobReader(repo)
    blobs.prefetch(oids + [missing])
    assert len(started) == 2 and sum(started) == len(oids) + 1
    for oid in oids:
        assert blobs.read(oid, 1 << 20) == expected[oid]
    assert blobs.read(missing, 1 << 20) is None
    blobs.close()


def test_a_failing_second_process_fails_the_prefetch(tmp_path: Path, monkeypatch: Any) -> None:
    import pytest

    from agentcfg.errors import GitError
    from agentcfg.gitio import batch

    repo, _, oids = _many(tmp_path, 20)
    calls: list[int] = []
    real = batch._batch

    def second_fails(top: Path, ids: list[str]) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise GitError("git cat-file could not run: simulated")
        return real(top, ids)

    monkeypatch.setattr(batch, "_batch", second_fails)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 8)
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 2)
    with pytest.raises(GitError, match="simulated"):
        batch.BlobReader(repo).prefetch(oids)
