"""Argument safety: every user-typed revision or URL is checked here before git sees it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agentcfg.errors import UsageError

if TYPE_CHECKING:
    pass


# git's own ref-name rules (git-check-ref-format) plus: no leading '-', no control chars.
_BAD_REV = re.compile(r"(^-)|(\.\.\.?(?!$))|[\x00-\x20\x7f~^:?*\[\\]|@\{|//|\.lock$|^/|/$")
_REV_SUFFIX = re.compile(r"^(?P<base>.*?)(?P<nav>(?:[~^]\d*)*)$")

SHALLOW_HINT = (
    "this is a shallow clone without the history agentcfg needs; fetch it with "
    "`git fetch --unshallow` (in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
)


def safe_rev(rev: str) -> str:
    """Refuse a revision that could be read as an option or is not a sane rev (HEAD~3 is fine)."""
    if not rev or rev.startswith("-"):
        raise UsageError(
            f"'{_printable(rev)}' is not a git revision",
            hint="revisions may not start with '-' (they would be read as git options)",
        )
    m = _REV_SUFFIX.match(rev)
    base = m.group("base") if m else rev
    if base and base != "@" and _BAD_REV.search(base):
        raise UsageError(
            f"'{_printable(rev)}' is not a valid git revision",
            hint="use a branch, tag or commit SHA, optionally followed by ~N or ^N",
        )
    return rev


def safe_url(url: str) -> str:
    """Allow only https, ssh (including scp-like) and file remotes; never `ext::` or options."""
    u = url.strip()
    if u.startswith("-") or any(ord(c) < 0x20 for c in u):
        raise UsageError(f"'{_printable(url)}' is not an allowed repository URL")
    # ssh gets "[user@]host" and the path as arguments: one starting with '-' is an ssh option
    # (`ssh://-oProxyCommand=cmd/x`, `git@host:--upload-pack=cmd`; CVE-2017-1000117). Recent
    # git refuses them too, but agentcfg must not depend on the git version it finds.
    if _option_like_ssh(u):
        raise UsageError(f"repository URL '{_printable(url)}' has a host or path that starts with '-'",
                         hint="a leading '-' would reach ssh as an option; check the URL")
    if u.startswith(("https://", "ssh://", "file://")):
        return u
    if re.match(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^:]", u) and "::" not in u:
        return u  # scp-like ssh: git@github.com:org/repo.git
    raise UsageError(
        f"repository URL '{_printable(url)}' uses a transport agentcfg refuses",
        hint="use https://, ssh:// (or git@host:path) or file:// URLs, or a local path",
    )


def _option_like_ssh(url: str) -> bool:
    """Whether an ssh:// or scp-like URL has a user, host or path that starts with '-'."""
    if url.startswith("ssh://"):
        authority = url[len("ssh://"):].split("/", 1)[0]
        host = authority.rpartition("@")[2]
        return authority.startswith("-") or host.startswith("-")
    if "://" in url:
        return False
    m = re.match(r"^(?P<user>[^@/:]*@)?(?P<host>[^:/]*):(?P<path>.*)$", url)
    if m is None:
        return False
    return any((m.group(part) or "").startswith("-") for part in ("user", "host", "path"))


def _printable(text: str) -> str:
    return text.encode("unicode_escape").decode("ascii")
