"""Surrogate-key versions: when each piece of content last changed, as every app process sees it.

A cached page records the surrogate keys of what it shows (``article-12``, ``section-news``, ``home``, ...)
with the version each key had when the page was built. A purge gives its keys a new version (the time in
nanoseconds); a page is current while every one of its keys still has the version it was built with.

Two stores, chosen from the cache backend:

- ``LocalVersions`` (one machine, the local-memory cache): a table of ``SLOTS`` 64-bit versions in a file
  that every worker maps into memory (``PAGE_CACHE_STAMP_FILE``). A key's version lives in the slot its
  name hashes to, so checking a page costs a few memory reads and no system call; two keys sharing a slot
  only means a page is rebuilt once more than it had to be. Writers take an exclusive ``flock``.
- ``SharedVersions`` (Redis, several app servers): one cache entry per key, ``pagecache:v:<key>``, plus a
  sequence number that every purge moves on. Each process mirrors the versions it has read, and trusts the
  mirror while the sequence number, fetched in the same read as the page, has not moved: a hit costs one
  round trip; the first hit after a purge costs two.

Both also keep the next moment content changes by itself (a scheduled article) and the sequence number.
"""

import fcntl
import mmap
import os
import time
import zlib
from pathlib import Path

from django.conf import settings

SLOTS = 1 << 16
SEQ_SLOT, NEXT_SLOT = 0, 1  # the two first slots hold the sequence number and the next change (ns)
SEQ_KEY = "pagecache:seq"
NEXT_KEY = "pagecache:next-change"
VERSION_PREFIX = "pagecache:v:"


class LocalVersions:
    meta_keys = ()

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            with _locked(fd, fcntl.LOCK_EX):
                if os.fstat(fd).st_size != SLOTS * 8:
                    os.ftruncate(fd, SLOTS * 8)  # a stamp file from an older release is overwritten
            self.map = mmap.mmap(fd, SLOTS * 8)
        finally:
            os.close(fd)
        self.table = memoryview(self.map).cast("Q")

    @staticmethod
    def slot(key):
        return 2 + zlib.crc32(key.encode()) % (SLOTS - 2)

    def state(self, fetched):
        return self.table[SEQ_SLOT], self.table[NEXT_SLOT]

    def snapshot(self, cache, keys):
        """``(seq, token)``: the versions of ``keys`` and the sequence number, read together."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            with _locked(fd, fcntl.LOCK_SH):
                table = self.table
                return table[SEQ_SLOT], tuple((slot, table[slot]) for slot in {self.slot(key) for key in keys})
        finally:
            os.close(fd)

    def stale_since(self, cache, token, seq):
        """None while every key of the page keeps its version; otherwise when the oldest change was made."""
        table, changed = self.table, None
        for slot, version in token:
            now = table[slot]
            if now != version and (changed is None or now < changed):
                changed = now
        return changed

    def purge(self, cache, keys, version, next_change):
        fd = os.open(self.path, os.O_RDWR)
        try:
            with _locked(fd, fcntl.LOCK_EX):
                table = self.table
                version = max(version, table[SEQ_SLOT] + 1)  # stamps only ever grow
                for slot in {self.slot(key) for key in keys}:
                    table[slot] = version
                table[NEXT_SLOT] = next_change
                table[SEQ_SLOT] = version
        finally:
            os.close(fd)


class _locked:
    def __init__(self, fd, operation):
        self.fd, self.operation = fd, operation

    def __enter__(self):
        fcntl.flock(self.fd, self.operation)

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)


class SharedVersions:
    meta_keys = (SEQ_KEY, NEXT_KEY)

    def __init__(self):
        self.mirror = (None, {})  # (sequence number, versions read under it): one attribute, swapped whole

    def state(self, fetched):
        return fetched.get(SEQ_KEY), fetched.get(NEXT_KEY) or 0

    def _read(self, cache, keys):
        """The sequence number and the versions of ``keys``, in one atomic read (MGET)."""
        found = cache.get_many([SEQ_KEY, *(VERSION_PREFIX + key for key in keys)])
        return found.get(SEQ_KEY), {key: found.get(VERSION_PREFIX + key, 0) for key in keys}

    def snapshot(self, cache, keys):
        seq, versions = self._read(cache, keys)
        return seq, tuple((key, versions[key]) for key in keys)

    def stale_since(self, cache, token, seq):
        mirror_seq, mirror = self.mirror
        if mirror_seq != seq:
            mirror = {}
        missing = [key for key, _ in token if key not in mirror]
        if missing:
            read_seq, versions = self._read(cache, missing)
            if read_seq == seq:
                mirror.update(versions)
                if mirror_seq != seq:
                    self.mirror = (seq, mirror)
            else:  # a purge since the page was looked up: use what was read, keep no mirror of it
                mirror = {**mirror, **versions}
        changed = None
        for key, version in token:
            now = mirror[key]
            if now != version and (changed is None or now < changed):
                changed = now
        return changed

    def purge(self, cache, keys, version, next_change):
        version = max(version, (cache.get(SEQ_KEY) or 0) + 1)  # stamps only ever grow, whatever the clocks
        # One MSET: a reader sees the new versions and the new sequence number together, or neither.
        data = {VERSION_PREFIX + key: version for key in keys}
        cache.set_many({**data, NEXT_KEY: next_change, SEQ_KEY: version}, timeout=None)
        if cache.get(SEQ_KEY) != version:
            raise ConnectionError("the purge did not reach the shared cache")


_stores = {}


def store(shared):
    """The version store for the current settings (one per process and stamp file, or one for the shared cache)."""
    if shared:
        return _stores.setdefault("shared", SharedVersions())
    name = ("local", settings.PAGE_CACHE_STAMP_FILE)
    current = _stores.get(name)
    if current is None or not current.path.exists():
        current = _stores[name] = LocalVersions(settings.PAGE_CACHE_STAMP_FILE)
    return current


def now_ns():
    return time.time_ns()
