"""Where attestations live and how they are read and written.

`attestations/<digest hex>/<name>/<UTCtime>-<sha256 of the file, 12 hex>.json`, relative to the
manifest's folder. One folder per (digest, name); a new attestation of the same name on the same
digest is a new file beside the old one (agentcfg never edits or deletes one), and the newest
counts. The time first in the name keeps `ls` in time order; the content hash makes names
unique and lets `verify` notice a file edited after it was written.

What counts for a promotion is what is committed on HEAD, like the policy it is judged by: an
attestation written with `--no-commit` counts once it is committed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agentcfg import gitio
from agentcfg.canonical import load_json
from agentcfg.errors import AgentcfgError, GitError
from agentcfg.evidence.statement import Attestation, check_statement, from_statement
from agentcfg.project import Project

ATTESTATIONS_DIR = "attestations"


def folder_of(digest: str, name: str) -> str:
    return f"{ATTESTATIONS_DIR}/{digest.removeprefix('sha256:')}/{name}"


def file_name(created: str, data: bytes) -> str:
    stamp = created.replace("-", "").replace(":", "")  # 2026-12-06T18:30:00Z -> 20261206T183000Z
    return f"{stamp}-{content_tag(data)}.json"


def content_tag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def repo_path(project: Project, relpath: str) -> str:
    sub = project.subdir
    return f"{sub}/{relpath}" if sub else relpath


def committed_files(project: Project, digest: str | None = None) -> Iterator[tuple[str, bytes]]:
    """(path relative to the manifest folder, bytes) of every attestation file on HEAD."""
    top = project.paths.top
    if not gitio.has_commits(top):
        return
    folder = ATTESTATIONS_DIR + (f"/{digest.removeprefix('sha256:')}" if digest else "")
    names = gitio.list_files(top, "HEAD", repo_path(project, folder))
    if not names:
        return
    repo = project.require_repo()  # one persistent `cat-file --batch` for all the reads
    for name in names:
        rel = f"{folder}/{name}"
        data = gitio.read_blob(repo, "HEAD", repo_path(project, rel))
        if data is not None:
            yield rel, data


def working_files(project: Project) -> Iterator[tuple[str, bytes]]:
    """Every file under `attestations/` in the working tree (what `verify` checks)."""
    base = project.root / ATTESTATIONS_DIR
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        yield path.relative_to(project.root).as_posix(), path.read_bytes()


def parse(rel: str, data: bytes) -> Attestation:
    """One attestation file, checked; AgentcfgError naming the file when it is malformed."""
    doc = load_json(data, rel, "the attestation", "attestations are written by `agentcfg attest`; restore it from git")
    problems = check_statement(doc)
    if problems:
        raise AgentcfgError(f"not a valid attestation: {problems[0]}", artefact=rel,
                            hint="attestations are written by `agentcfg attest`; restore this one from git")
    return from_statement(doc, rel)


def committed(project: Project, digest: str | None = None) -> list[Attestation]:
    """The well-formed attestations on HEAD (of one digest, or all), oldest first.

    A malformed or misplaced file is skipped here, never trusted as evidence; `agentcfg verify`
    names it.
    """
    found = []
    for rel, data in committed_files(project, digest):
        try:
            att = parse(rel, data)
        except AgentcfgError:
            continue
        folder, _, filename = rel.rpartition("/")
        # Misplaced or edited after it was written (the name carries the hash of the bytes):
        # not evidence. `agentcfg verify` says which.
        if folder == folder_of(att.digest, att.name) and filename[:-5].rpartition("-")[2] == content_tag(data):
            found.append(att)
    return sorted(found, key=lambda a: (a.created, a.path))


def newest_by_name(attestations: list[Attestation]) -> dict[str, Attestation]:
    """The attestation that counts for each name: the newest (a later one supersedes)."""
    out: dict[str, Attestation] = {}
    for att in sorted(attestations, key=lambda a: (a.created, a.path)):
        out[att.name] = att
    return dict(sorted(out.items()))


@contextmanager
def writing(project: Project, rel: str, *, commit: bool, wait: float = 0.0) -> Iterator[None]:
    """Writer mutex and repository checks around writing one attestation (as promote does)."""
    from agentcfg.writer import exclusive_writer

    top = project.paths.top
    if not gitio.has_commits(top):
        raise GitError("the repository has no commits yet",
                       hint="commit your manifest and promote it first: attestations are about releases")
    with exclusive_writer(project.state_dir, wait=wait):
        if commit:
            lock = project.paths.git_dir / "index.lock"
            if lock.exists():
                raise GitError(f"git's index is locked ({lock} exists): another git process is running here, "
                               "or one crashed and left the lock behind",
                               hint=f"wait for the other git command; if none is running, delete {lock}")
            staged = gitio.staged_paths(top)
            if staged:
                shown = ", ".join(staged[:5]) + (f" and {len(staged) - 5} more" if len(staged) > 5 else "")
                raise AgentcfgError(f"the index has staged changes ({shown}); agentcfg commits only the "
                                    "attestation and will not run while you are preparing a commit of your own",
                                    hint="commit them, or unstage them with `git restore --staged <path>`")
            if gitio.is_ignored(top, repo_path(project, rel)):
                raise AgentcfgError(f"{rel} would be ignored by a .gitignore rule; attestations belong in git",
                                    hint=f"see `git check-ignore -v {repo_path(project, rel)}` and remove that rule")
        yield


def write(project: Project, rel: str, data: bytes, *, message: str | None) -> str | None:
    """Write one new attestation file and, with a ``message``, commit exactly it.

    Returns the commit's SHA (None without a message). The caller holds :func:`writing`. On a
    failed commit (a hook, signing) the file and its index entry are removed again.
    """
    from agentcfg.canonical import atomic_write

    path = project.root / rel
    if path.exists():
        raise AgentcfgError(f"{rel} already exists; agentcfg never overwrites an attestation",
                            hint="run attest again: the new attestation gets a new file name")
    atomic_write(path, data)
    if message is None:
        return None
    target = repo_path(project, rel)
    try:
        return gitio.commit_path(project.paths.top, target, message)
    except BaseException as exc:
        if gitio.read_blob(project.paths.top, "HEAD", target) != data:
            _remove(project, path, target)
        if isinstance(exc, GitError):
            raise GitError(f"{exc.message}; {rel} was removed again, nothing changed",
                           hint="see git's message: often a hook or commit signing; fix that and run again, "
                                "or use --no-commit and commit the file yourself") from None
        raise


def _remove(project: Project, path: Path, target: str) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    gitio.unstage_path(project.paths.top, target)


def summaries(attestations: list[Attestation]) -> list[dict[str, object]]:
    """The newest attestation of each name, in the short form status, history and show print."""
    return [{"name": a.name, "verdict": a.verdict, "created": a.created, "pass_rate": a.summary.get("pass_rate"),
             "metrics": a.metrics, "path": a.path} for a in newest_by_name(attestations).values()]


def by_digest(project: Project) -> dict[str, list[Attestation]]:
    """Every committed attestation, grouped by the digest it is about."""
    out: dict[str, list[Attestation]] = {}
    # No folder on disk: nothing to read (spares `history`, which must stay fast, a git run).
    if not (project.root / ATTESTATIONS_DIR).is_dir():
        return out
    for att in committed(project):
        out.setdefault(att.digest, []).append(att)
    return out

