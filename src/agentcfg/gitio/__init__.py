"""The one home of GitPython: repository discovery, reads of old revisions, and argument safety.

Every string a user types (a revision, a ref, a URL) passes through :func:`safe_rev` or
:func:`safe_url` before it reaches git, so it can never become a git option
(``--upload-pack=...``, ``--output=...``) or an ``ext::`` transport. GitPython's
exceptions are translated into :class:`agentcfg.errors.GitError` in this package and nowhere
else. Callers use ``from agentcfg import gitio`` and ``gitio.<name>``:

- ``args``: argument safety (``safe_rev``, ``safe_url``, ``SHALLOW_HINT``)
- ``repo``: discovery and revision resolution (``open_repo``, ``resolve_commit``, ...)
- ``tree``: ``GitTree``, a commit's files without a checkout
- ``refs``: code refs (``ls_remote``, ``resolve_local_ref``, ``last_commit_touching``)
- ``paths``: one release file's history and commits (``log_path``, ``commit_path``, ...)
"""

from agentcfg.gitio.args import SHALLOW_HINT, safe_rev, safe_url
from agentcfg.gitio.paths import (
    PathCommit,
    commit_path,
    count_commits,
    identity,
    is_ignored,
    list_files,
    log_path,
    path_status,
    read_blob,
    staged_paths,
    unstage_path,
)
from agentcfg.gitio.refs import last_commit_touching, ls_remote, object_id, resolve_local_ref
from agentcfg.gitio.repo import (
    RepoPaths,
    has_commits,
    is_shallow,
    locate,
    not_a_repository,
    open_repo,
    require_repo,
    resolve_commit,
    toplevel,
    verify_rev,
)
from agentcfg.gitio.tree import CommitFolder, GitTree, TreeEntry, commit_folder

__all__ = [
    "SHALLOW_HINT", "safe_rev", "safe_url",
    "PathCommit", "commit_path", "count_commits", "identity", "is_ignored", "list_files", "log_path", "path_status", "read_blob",
    "staged_paths", "unstage_path",
    "last_commit_touching", "ls_remote", "object_id", "resolve_local_ref",
    "RepoPaths", "has_commits", "is_shallow", "locate", "not_a_repository", "open_repo", "require_repo",
    "resolve_commit", "toplevel", "verify_rev",
    "CommitFolder", "GitTree", "TreeEntry", "commit_folder",
]
