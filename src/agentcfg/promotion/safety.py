"""Refusals: the checks that stand between a command and the user's repository.

Two kinds. Repository-state checks (a dirty release file, staged changes, no commits, another
writer) mean the command cannot do its job safely: exit 2, nothing touched. Policy refusals
(frozen, hold, path order, max_risk, unpinned models, unapproved tools, a moved target) are the
check finding something: exit 1, each naming the rule, the artefact and how to proceed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from agentcfg import gitio
from agentcfg.errors import AgentcfgError, CheckFailed, GitError
from agentcfg.promotion.target import EnvTarget

_STATUS_WORDS = {"?": "is untracked", "M": "has uncommitted changes", "A": "is staged but not committed",
                 "D": "is deleted but not committed", "R": "is renamed but not committed",
                 "U": "has merge conflicts"}


@dataclass(frozen=True)
class Refusal:
    """One reason a promotion may not go ahead."""

    rule: str  # frozen | hold | path | expect_current | max_risk | require_pinned_models | require_approval_for
    message: str
    artefact: str | None = None
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        head = f"{self.artefact}: " if self.artefact else ""
        return f"{head}{self.message}"


class PromotionRefused(CheckFailed):
    """A promotion refused by one or more rules (exit 1); ``refusals`` lists them all."""

    def __init__(self, refusals: list[Refusal]) -> None:
        first = refusals[0]
        more = "".join(f"\n  also refused by {r.rule}: {r}" for r in refusals[1:])
        super().__init__(f"promotion refused by {first.rule}: {first.message}{more}",
                         artefact=first.artefact, hint=first.hint)
        self.refusals = refusals


def raise_refusals(refusals: list[Refusal]) -> None:
    if refusals:
        raise PromotionRefused(refusals)


def require_history(target: EnvTarget) -> None:
    if not gitio.has_commits(target.paths.top):
        raise GitError("the repository has no commits yet",
                       hint="commit your manifest first: agentcfg releases point at commits")


def check_release_file_clean(target: EnvTarget) -> None:
    """Refuse to overwrite uncommitted work on the release file itself."""
    xy = gitio.path_status(target.paths.top, target.repo_path)
    if not xy:
        return
    code = xy[1] if xy[1] != " " else xy[0]
    what = _STATUS_WORDS.get(code, f"is not committed (git status {xy.strip()})")
    raise AgentcfgError(
        f"{target.relpath} {what}; agentcfg will not overwrite it",
        hint=(f"commit it, or discard it with `git checkout -- {target.repo_path}`"
              if code != "?" else f"commit it (a `--no-commit` release?) or remove {target.relpath}"),
    )


def check_not_ignored(target: EnvTarget) -> None:
    """A release file git ignores could never be committed: say so before writing anything."""
    if gitio.is_ignored(target.paths.top, target.repo_path):
        raise AgentcfgError(f"{target.relpath} is ignored by a .gitignore rule; release files belong in git",
                            hint=f"see `git check-ignore -v {target.repo_path}` and remove that rule")


def check_index_clean(target: EnvTarget) -> None:
    """Refuse while other changes are staged: the user is in the middle of their own commit."""
    staged = gitio.staged_paths(target.paths.top)
    if not staged:
        return
    shown = ", ".join(staged[:5]) + (f" and {len(staged) - 5} more" if len(staged) > 5 else "")
    raise AgentcfgError(
        f"the index has staged changes ({shown}); agentcfg commits only {target.relpath} "
        "and will not run while you are preparing a commit of your own",
        hint="commit them, or unstage them with `git restore --staged <path>`, then run agentcfg again",
    )


# git's own markers of an operation stopped half-way, and how to finish or leave it.
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "git commit` (after resolving conflicts) or `git merge --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue` or `git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue` or `git revert --abort"),
    ("rebase-merge", "a rebase", "git rebase --continue` or `git rebase --abort"),
    ("rebase-apply", "a rebase or `git am`", "git rebase --continue` / `git am --continue` or `--abort"),
)


def check_no_operation_in_progress(target: EnvTarget) -> None:
    """Refuse in the middle of a merge, rebase, cherry-pick or revert: a release commit there
    would be folded into the user's half-done operation (or land on a commit being rewritten)."""
    for marker, what, fix in _IN_PROGRESS:
        if (target.paths.git_dir / marker).exists():
            raise AgentcfgError(
                f"{what} is in progress in this repository ({marker} in {target.paths.git_dir}); agentcfg "
                "will not commit in the middle of it",
                hint=f"finish it (`{fix}`), then run agentcfg again")


def detached_head_warning(target: EnvTarget) -> str | None:
    """A caution when HEAD is detached (a CI checkout): a commit made there is on no branch."""
    try:
        head = (target.paths.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if head.startswith("ref:"):
        return None
    return ("HEAD is detached: the release commit is on no branch and is lost when this checkout goes away; "
            "push it (`git push origin HEAD:<branch>`) or check out a branch first")


def check_git_index_unlocked(target: EnvTarget) -> None:
    """Refuse up front while `.git/index.lock` exists: the commit would fail after the release
    file was written, with git's message cut short (another git running, or one that crashed)."""

    lock = target.paths.git_dir / "index.lock"
    if lock.exists():
        raise GitError(
            f"git's index is locked ({lock} exists): another git process is running in this repository, "
            "or one crashed and left the lock behind",
            hint=f"wait for the other git command to finish; if none is running, delete {lock} and run again",
        )


def shallow_hint(target: EnvTarget, fallback: str | None = None) -> str | None:
    """The `fetch-depth: 0` hint in a shallow clone, else ``fallback``."""
    return gitio.SHALLOW_HINT if target.paths.shallow else fallback


@contextmanager
def writing(target: EnvTarget, *, check_index: bool = True, wait: float = 0.0) -> Iterator[None]:
    """Be the only writer and check the repository state for the duration of one write.

    ``wait``: seconds to queue behind another writer before giving up (0: give up at once).
    """
    from agentcfg.writer import exclusive_writer

    require_history(target)
    with exclusive_writer(target.project.state_dir, wait=wait):
        check_release_file_clean(target)
        if check_index:
            check_git_index_unlocked(target)
            check_no_operation_in_progress(target)
            check_index_clean(target)
            check_not_ignored(target)
        yield
