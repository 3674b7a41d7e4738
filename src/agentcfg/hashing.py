"""Content digests of data files and folders (the exact format is in docs/lock-format.md).

* A file's digest is ``sha256:`` + the hex SHA-256 of its bytes.
* A folder's digest is the digest of the canonical JSON of the list
  ``[[relative/path, file digest], ...]`` of every file below it, sorted by path (code points;
  ``/`` separators; empty folders do not appear), so renames and moves change it.

Files are hashed with ``hashlib.file_digest`` in a small thread pool (hashlib releases the GIL
on large buffers, so two cores hash two files at once), and each digest is remembered in a
:class:`~agentcfg.warm.digests.StatCache`, so re-hashing an unchanged folder only ``stat``\\s it.

What we refuse, with an error naming the artefact: symlinks that resolve outside the
repository, symlink loops, FIFOs/devices/sockets (reading a FIFO would block forever), file
names that are not UTF-8, and files that vanish or change while being read.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

from agentcfg.canonical import PREFIX, digest_value
from agentcfg.errors import AgentcfgError
from agentcfg.warm.digests import Signature, StatCache, now_ns, signature

Progress = Callable[[str, int, int], None]
"""``progress(artefact_id, files_done, files_total)``, called from the calling thread."""

_WORKERS = max(1, min(4, (os.cpu_count() or 1) - 1))  # leave a core to the rendering thread
# Above this many bytes to hash, worker *processes* hash in parallel: threads do not (measured on
# 2 cores: 1 GiB in 1.1 s with one thread or two, 0.6 s with two processes), and starting a
# process (~0.1 s) is only worth it for a large cold data set (cold lock on L).
PROCESS_MIN_BYTES = 64 << 20
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


Listing = list[tuple[str, int, int, int, int, int]]  # (relative path, size, mtime, ctime, inode, device) per file


@dataclass(frozen=True)
class DataDigest:
    digest: str
    size: int
    files: int
    listing: Listing = field(default_factory=list, compare=False, repr=False)  # for the lock's warm path


class _File(NamedTuple):  # a tuple: 10,000 of them are built on every warm lock
    rel: str  # relative to the data folder (what the folder digest names)
    real: str  # absolute real path (what is opened)
    key: str  # relative to the repository (the stat-cache key)
    st: os.stat_result


def file_digest(path: str, *, artefact: str | None = None, shown: str | None = None) -> tuple[str, os.stat_result]:
    """(digest, stat) of one regular file, refusing FIFOs/devices and files changing under us."""
    name = shown or path
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise AgentcfgError(f"'{name}' vanished while hashing", artefact=artefact,
                            hint="re-run `agentcfg lock` when nothing is writing to the data set") from None
    except OSError as exc:
        raise AgentcfgError(f"cannot read '{name}': {exc.strerror}", artefact=artefact) from None
    with os.fdopen(fd, "rb", buffering=0) as fh:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise _special(name, before, artefact)
        try:
            hexdigest = _sha256_hex(fh)
        except OSError as exc:
            raise AgentcfgError(f"cannot read '{name}': {exc.strerror}", artefact=artefact) from None
        after = os.fstat(fd)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise AgentcfgError(f"'{name}' changed while it was being hashed", artefact=artefact,
                            hint="re-run `agentcfg lock` when nothing is writing to the data set")
    return PREFIX + hexdigest, after


def _sha256_hex(fh) -> str:  # type: ignore[no-untyped-def]
    if hasattr(hashlib, "file_digest"):  # Python ≥ 3.11: a 256 KiB buffer, GIL released
        return str(hashlib.file_digest(fh, "sha256").hexdigest())
    h = hashlib.sha256()  # pragma: no cover - Python 3.10
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while n := fh.readinto(buf):
        h.update(view[:n])
    return h.hexdigest()


def _special(name: str, st: os.stat_result, artefact: str | None) -> AgentcfgError:
    kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
            else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file")
    return AgentcfgError(f"'{name}' is {kind}; data sets may hold only regular files and folders",
                         artefact=artefact, hint="remove it from the data folder")


def folder_digest(entries: list[tuple[str, str]]) -> str:
    """The digest of a folder from its (relative path, file digest) pairs (any order)."""
    return digest_value([[rel, d] for rel, d in sorted(entries)])


def hash_data(
    real: Path,
    *,
    boundary: Path,
    artefact: str,
    cache: StatCache | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DataDigest:
    """Digest, total size and file count of the file or folder at ``real`` (already resolved).

    ``boundary`` is the repository root: no symlink may lead outside it. Setting ``cancel``
    stops a hash running in the background (its result is no longer wanted).
    """
    cache = cache or StatCache(None)
    boundary = boundary.resolve()
    st = _stat(str(real), artefact, str(real))
    if stat.S_ISREG(st.st_mode):
        key = _key(str(real), boundary)
        digest = _cached_or_hash(_File(real.name, str(real), key, st), cache, artefact)
        if progress:
            progress(artefact, 1, 1)
        return DataDigest(digest, st.st_size, 1)
    if not stat.S_ISDIR(st.st_mode):
        raise _special(_key(str(real), boundary), st, artefact)
    cache.add_root(_key(str(real), boundary))
    files = list(_walk(str(real), boundary, artefact))
    total = len(files)
    results: list[tuple[str, str]] = []
    todo: list[_File] = []
    for f in files:
        hit = cache.get(f.key, signature(f.st))
        if hit is not None:
            results.append((f.rel, hit))
        else:
            todo.append(f)
    done = len(results)
    if progress:
        progress(artefact, done, total)
    for rel, digest in _hash_many(todo, cache, artefact, cancel):
        results.append((rel, digest))
        done += 1
        if progress:
            progress(artefact, done, total)
    size = sum(f.st.st_size for f in files)
    return DataDigest(folder_digest(results), size, total, _listing(files))


def listing_of(real: Path, boundary: Path, artefact: str = "") -> Listing:
    """The stat listing of a data folder, without reading any content (the lock's warm path)."""
    return _listing(list(_walk(str(real), boundary.resolve(), artefact)))


def _listing(files: list[_File]) -> Listing:
    return [(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev) for rel, _, _, st in files]


class Cancelled(AgentcfgError):
    """A background hash was abandoned (the run failed elsewhere)."""


def _hash_many(todo: list[_File], cache: StatCache, artefact: str,
               cancel: threading.Event | None) -> Iterator[tuple[str, str]]:
    if (_processes_allowed() and (os.cpu_count() or 1) >= 2 and len(todo) >= 2
            and sum(f.st.st_size for f in todo) >= PROCESS_MIN_BYTES):
        yield from _hash_in_processes(todo, cache, artefact, cancel)
        return
    yield from _hash_in_threads(todo, cache, artefact, cancel)


def _processes_allowed() -> bool:
    """Whether worker processes may be started: only under agentcfg's own command line.

    A "spawn" worker imports the program's ``__main__`` module again; agentcfg's entry points
    guard their code with ``if __name__ == "__main__"``, but a script that calls
    ``agentcfg.lock()`` at its top level would run again in every worker. Library callers
    therefore hash with threads.
    """
    import sys

    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", "") == "agentcfg.__main__":
        return True  # python -m agentcfg
    return os.path.basename(str(getattr(main, "__file__", "") or "")) == "agentcfg"  # the console script


def _hash_in_processes(todo: list[_File], cache: StatCache, artefact: str,
                       cancel: threading.Event | None) -> Iterator[tuple[str, str]]:
    """Hash ``todo`` in worker processes; check and cache each result here, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 1, 8)
    n_chunks = min(len(todo), workers * 8)  # small enough to balance, big enough to amortise
    chunks = [todo[i::n_chunks] for i in range(n_chunks)]
    # "spawn", never fork: the caller may be a background thread, and forking a process that has
    # threads can copy a held lock into the child.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(hash_chunk, [(f.real, f.key) for f in chunk]) for chunk in chunks]
        try:
            for chunk, future in zip(chunks, futures):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("hashing cancelled", artefact=artefact)
                for f, (digest, sig, started, error) in zip(chunk, future.result()):
                    if error is not None:
                        raise AgentcfgError(error[0], artefact=artefact, hint=error[1])
                    if sig is None or tuple(sig) != signature(f.st):
                        raise _changed_while_hashing(f, artefact)
                    cache.put(f.key, signature(f.st), digest, started)
                    yield f.rel, digest
        finally:
            for future in futures:
                future.cancel()


def hash_chunk(
    files: list[tuple[str, str]],
) -> list[tuple[str, Signature | None, int, tuple[str, str | None] | None]]:
    """Worker-process side of :func:`_hash_in_processes`: (digest, signature, started_ns, error)
    per (real path, shown name); stops at the first error, which the parent raises."""
    out: list[tuple[str, Signature | None, int, tuple[str, str | None] | None]] = []
    for real, shown in files:
        started = now_ns()
        try:
            digest, st = file_digest(real, shown=shown)
        except AgentcfgError as exc:  # exceptions do not pickle their keyword arguments: send the words
            out.append(("", None, started, (exc.message, exc.hint)))
            break
        out.append((digest, signature(st), started, None))
    return out


def _hash_in_threads(todo: list[_File], cache: StatCache, artefact: str,
                     cancel: threading.Event | None) -> Iterator[tuple[str, str]]:
    def one(f: _File) -> str:
        if cancel is not None and cancel.is_set():
            raise Cancelled("hashing cancelled", artefact=artefact)
        return _hash_and_store(f, cache, artefact)

    if len(todo) < 2 or _WORKERS == 1:
        for f in todo:
            yield f.rel, one(f)
        return
    from concurrent.futures import ThreadPoolExecutor  # not at import: the warm path never hashes

    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="agentcfg-hash") as pool:
        futures = [(f.rel, pool.submit(one, f)) for f in todo]
        try:
            for rel, fut in futures:
                yield rel, fut.result()
        finally:
            for _, fut in futures:
                fut.cancel()


def _cached_or_hash(f: _File, cache: StatCache, artefact: str) -> str:
    hit = cache.get(f.key, signature(f.st))
    return hit if hit is not None else _hash_and_store(f, cache, artefact)


def _hash_and_store(f: _File, cache: StatCache, artefact: str) -> str:
    started = now_ns()
    digest, st = file_digest(f.real, artefact=artefact, shown=f.key)
    if signature(st) != signature(f.st):
        raise _changed_while_hashing(f, artefact)
    cache.put(f.key, signature(st), digest, started)
    return digest


def _changed_while_hashing(f: _File, artefact: str) -> AgentcfgError:
    """The file's stat signature moved between listing the folder and reading it."""
    return AgentcfgError(f"'{f.key}' changed while the data set was being hashed", artefact=artefact,
                         hint="re-run `agentcfg lock` when nothing is writing to the data set")


def _stat(path: str, artefact: str, shown: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise AgentcfgError(f"'{shown}' vanished while hashing", artefact=artefact) from None
    except OSError as exc:
        raise AgentcfgError(f"cannot read '{shown}': {exc.strerror}", artefact=artefact) from None


def _key(real: str, boundary: Path) -> str:
    rel = os.path.relpath(real, boundary)
    return rel.replace(os.sep, "/")


def _walk(top: str, boundary: Path, artefact: str) -> Iterator[_File]:
    """Every regular file below ``top`` (symlinks followed inside the repository, loops refused)."""
    base = str(boundary)
    cut = len(base.rstrip(os.sep)) + 1  # every path below is inside the boundary: slice, not relpath
    top_st = os.stat(top)
    stack: list[tuple[str, str, frozenset[tuple[int, int]]]] = [
        (top, "", frozenset({(top_st.st_dev, top_st.st_ino)}))]
    is_file, make, slash = stat.S_ISREG, _File, os.sep == "/"  # locals: the loop below runs per file
    while stack:
        folder, prefix, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except FileNotFoundError:
            raise AgentcfgError(f"folder '{_key(folder, boundary)}' vanished while hashing",
                                artefact=artefact) from None
        except OSError as exc:
            raise AgentcfgError(f"cannot list '{_key(folder, boundary)}': {exc.strerror}", artefact=artefact) from None
        for entry in entries:
            name = entry.name
            rel = prefix + (name if name.isascii() else _utf8_name(name, folder, boundary, artefact))
            path = entry.path
            try:
                if entry.is_symlink():
                    path = _follow(path, base, boundary, artefact)
                    st = os.stat(path)
                else:
                    st = entry.stat()
            except FileNotFoundError:
                raise AgentcfgError(f"'{_key(entry.path, boundary)}' vanished while hashing",
                                    artefact=artefact) from None
            mode = st.st_mode
            if is_file(mode):  # the common case first: 10,000 files per warm lock of a large data set
                yield make(rel, path, path[cut:] if slash else path[cut:].replace(os.sep, "/"), st)
            elif stat.S_ISDIR(mode):
                ident = (st.st_dev, st.st_ino)
                if ident in ancestors:
                    raise AgentcfgError(f"symlink loop at '{_key(entry.path, boundary)}'", artefact=artefact,
                                        hint="a link inside the data folder points back at one of its parents")
                stack.append((path, rel + "/", ancestors | {ident}))
            else:
                raise _special(_key(entry.path, boundary), st, artefact)


def _follow(link: str, base: str, boundary: Path, artefact: str) -> str:
    shown = _key(link, boundary)
    try:
        real = os.path.realpath(link, strict=True)
    except FileNotFoundError:
        raise AgentcfgError(f"symlink '{shown}' points at nothing", artefact=artefact,
                            hint="remove the dangling link from the data folder") from None
    except (OSError, RuntimeError):
        raise AgentcfgError(f"symlink loop at '{shown}'", artefact=artefact,
                            hint="remove the looping link from the data folder") from None
    if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
        raise AgentcfgError(f"symlink '{shown}' resolves outside the repository", artefact=artefact,
                            hint="data must live inside the repository; copy it in or use `dvc`/`uri`")
    return real


def _utf8_name(name: str, folder: str, boundary: Path, artefact: str) -> str:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise AgentcfgError(f"file name '{shown}' in '{_key(folder, boundary)}' is not valid UTF-8",
                            artefact=artefact, hint="rename the file: digests name files by their UTF-8 path") from None
    return name
