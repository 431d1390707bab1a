"""What was done, from which source and with which settings: a rerun skips what has not changed.

`DST/aefix-manifest.json` maps each source (relative to SRC) to its size, mtime, sha256, the
hash of everything that shapes its output, and where the output went. A source is unchanged when
its size and mtime match (or, when only the mtime moved, its content hash does), the settings
hash matches and its output is still there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from aefix import __version__
from aefix.imageio import write_atomic
from aefix.settings import Settings

log = logging.getLogger("aefix")
MANIFEST_NAME = "aefix-manifest.json"
MANIFEST_SCHEMA = "aefix-manifest/1"
_CHUNK = 1 << 20


def _same_bytes(one: Path, other: Path) -> bool:
    try:
        return one.stat().st_size == other.stat().st_size and file_sha256(one) == file_sha256(other)
    except OSError:
        return False


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def settings_hash(settings: Settings, model_md5: str | None) -> str:
    """Hash of what shapes an output: aefix version, model file, profile and every option that changes pixels."""
    shaping = dataclasses.asdict(settings)
    for not_shaping in ("limit", "models_dir", "masks_dir"):
        shaping.pop(not_shaping)
    shaping["masks"] = settings.masks_dir is not None
    shaping["aefix_version"] = __version__
    shaping["model_md5"] = model_md5
    return hashlib.sha256(json.dumps(shaping, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    size: int
    mtime_ns: int
    sha256: str
    settings_hash: str
    output: str | None  # relative to DST; None for an image that errored
    status: str
    score: float | None


@dataclass(frozen=True)
class Acceptance:
    """An output taken out of DST/_review by hand; `left_in_review`: the review output a copy left
    behind (the same bytes as the accepted one), None after a move."""

    left_in_review: Path | None


class Manifest:
    """The manifest of one DST folder. Not thread-safe; the batch runner owns it."""

    def __init__(self, dst: Path, entries: dict[str, Entry] | None = None) -> None:
        self.dst = dst
        self.entries: dict[str, Entry] = entries or {}

    @property
    def path(self) -> Path:
        return self.dst / MANIFEST_NAME

    @classmethod
    def load(cls, dst: Path) -> Manifest:
        """The manifest in `dst`, or an empty one (a damaged manifest only costs a full rerun)."""
        path = dst / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {key: Entry(**value) for key, value in data["entries"].items()}
        except FileNotFoundError:
            return cls(dst)
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("Warning: %s: unreadable manifest (%s); every image will be redone", path, error)
            return cls(dst)
        return cls(dst, entries)

    def is_current(self, key: str, source: Path, shaping_hash: str) -> bool:
        """Whether `source` was done with these settings and its output is still there."""
        entry = self.entries.get(key)
        if entry is None or entry.settings_hash != shaping_hash:
            return False
        if entry.output is not None and not (self.dst / entry.output).is_file():
            return False
        return self._same_source(entry, source)

    def accept_moved(self, key: str, source: Path, shaping_hash: str, moved_to: Path) -> Acceptance | None:
        """Whether an output sent to review was moved by hand to `moved_to`, its place in DST (the
        seller looked at it and took it), or copied there (the same bytes as the one still in
        review), `source` and settings unchanged; if so the entry says so from now on (status
        "ok", that output). Two different files there and in review are left as they are: aefix
        cannot tell which one the seller wants."""
        entry = self.entries.get(key)
        if entry is None or entry.status != "needs-review" or entry.output is None:
            return None
        if entry.settings_hash != shaping_hash or not moved_to.is_file():
            return None
        reviewed = self.dst / entry.output
        copied = reviewed != moved_to and reviewed.is_file()
        if copied and not _same_bytes(reviewed, moved_to):
            return None
        if not self._same_source(entry, source):
            return None
        self.entries[key] = dataclasses.replace(entry, output=str(moved_to.relative_to(self.dst)), status="ok")
        return Acceptance(reviewed if copied else None)

    @staticmethod
    def _same_source(entry: Entry, source: Path) -> bool:
        try:
            stat = source.stat()
        except OSError:
            return False
        if stat.st_size != entry.size:
            return False
        if stat.st_mtime_ns == entry.mtime_ns:
            return True
        try:  # touched, copied back from a backup...: the same bytes need no work
            return file_sha256(source) == entry.sha256
        except OSError:
            return False

    def record(self, key: str, entry: Entry) -> None:
        self.entries[key] = entry

    def save(self) -> None:
        data = {
            "schema": MANIFEST_SCHEMA,
            "aefix_version": __version__,
            "entries": {key: dataclasses.asdict(entry) for key, entry in sorted(self.entries.items())},
        }
        write_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))
