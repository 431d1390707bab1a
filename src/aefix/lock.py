"""One run per DST at a time: an advisory lock the kernel releases when the holder dies, even by kill -9."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from aefix.errors import DestinationError, LockedError

log = logging.getLogger("aefix")
LOCK_NAME = ".aefix.lock"
TEMP_SUFFIX = ".aefix-tmp"


@contextmanager
def dst_lock(dst: Path) -> Iterator[None]:
    """Hold DST's lock for the block; LockedError if another run holds it.

    The lock file says who holds it; it is emptied on a clean exit, so text found in it when the
    lock is free means the last run was killed: its temp files are removed and the run goes on.
    """
    path = dst / LOCK_NAME
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise DestinationError(f"{dst}: cannot write to the output folder: {error.strerror}") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise LockedError(f"{dst}: another aefix run is using this folder ({holder}); not started") from None
        previous = os.pread(descriptor, 200, 0).decode("utf-8", "replace").strip()
        if previous:
            removed = remove_temp_files(dst)
            log.warning(
                "Warning: %s: the last run (%s) did not finish; %d temp file(s) removed", dst, previous, removed
            )
        stamp = f"pid {os.getpid()} on {socket.gethostname()} since {datetime.now(UTC).isoformat(timespec='seconds')}"
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, stamp.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)  # closing releases the lock


def remove_temp_files(dst: Path) -> int:
    """Delete temp files a killed run left in DST (only ever called while holding the lock)."""
    removed = 0
    for root, _, files in os.walk(dst):
        for name in files:
            if name.endswith(TEMP_SUFFIX):
                Path(root, name).unlink(missing_ok=True)
                removed += 1
    return removed
