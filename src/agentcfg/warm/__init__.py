"""Warm state: every cache agentcfg keeps (under ``.agentcfg/cache/``, git-ignored), in one place.

The rule all of them follow: **a warm answer is always the cold answer.** A cache may skip work
only when its inputs are proven unchanged — by the stamp rule of :mod:`agentcfg.warm.rule`
(size, mtime, ctime, inode and device of the real file, racy timestamps re-read, as git's
index does), by content (a sha256 of the bytes), or by a git object id — and every key includes
:func:`~agentcfg.warm.rule.code_digest`, so other agentcfg code never replays an answer. Nothing
that decides a promotion or a rollback is read from a cache: those are derived from git objects.

:data:`SKIPS` says what each cache may skip and what proves its inputs unchanged; docs/security.md
and docs/lock-format.md say the same for users. Deleting ``.agentcfg/cache/`` only costs speed.
"""

from __future__ import annotations

SKIPS: dict[str, tuple[str, str, str]] = {
    # cache file: (module, what a hit skips, what proves the inputs unchanged)
    "lock-inputs.json": (
        "agentcfg.warm.lockinputs",
        "all of `lock` / `lock --check` (nothing parsed or hashed)",
        ("the sha256 of agentcfg.lock's bytes; every answer the working tree gave (real path, kind, "
         "stamp or sha256 of each file read); the stamp listing of every data folder; the tip of every "
         "local code ref and the repository's shallow boundary; never when a code ref is remote"),
    ),
    "validate-inputs.json": (
        "agentcfg.warm.reports",
        "all of `validate` (the saved report is returned)",
        ("every answer the working tree gave while loading and checking (real path, kind, stamp or "
         "sha256 of each file read), per --env, plus the repository boundary"),
    ),
    "manifest/<env>.json": (
        "agentcfg.warm.prepared",
        ("parsing, checking and normalising the manifest inside `lock` and `verify`; data and code "
         "are still resolved; written by `lock` and by a `validate` that found no error"),
        ("every answer the working tree gave while loading the manifest for that environment; an "
         "environment's memo only with the base memo it names (by id), each section's text with its sha256"),
    ),
    "parse.json": (
        "agentcfg.warm.parsed",
        ("parsing a working-tree YAML file whose bytes were parsed before; `diff` also reads it (never "
         "writes it) for the blobs of the commits it compares; never used by `promote` or `rollback`"),
        "the sha256 of the file's bytes (content is the key)",
    ),
    "stat.json": (
        "agentcfg.warm.digests",
        "reading and hashing a data file (`lock`); `verify` never uses it",
        "the file's stamp, recorded when hashing started, and not racy",
    ),
    "renders/": (
        "agentcfg.warm.renders",
        "rendering a locked commit for `diff`, `render --rev` and `status`; never for `promote`",
        ("the git tree id, and the body's sha256 equal to the root digest the commit's own lock "
         "(read from git) records for the environment"),
    ),
    "history/<env>.json": (
        "agentcfg.warm.releaselog",
        "`git log` of a release file for `history` (display only; `rollback` logs git itself)",
        "the same HEAD (or a merge-free extension of it) and the same shallow boundary",
    ),
}
"""What each cache may skip and what proves it may: the single statement of warm state's trust."""
