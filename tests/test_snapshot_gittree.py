"""GitTree reads a commit through `git ls-tree` and batched `git cat-file`: it answers as
GitPython's object model does (the reference it replaced), file by file."""

from __future__ import annotations

import os
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
