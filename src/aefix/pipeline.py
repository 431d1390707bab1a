"""The main job: plan a batch (which files, which output names), process each image, re-check it.

Who calls whom: cli.run -> plan_batch -> run_batch -> process_image -> stages -> compliance.
`process_image` is a plain function of (item, settings, segmenter getter), so a worker process that
owns one segmenter can run it unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import io
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from aefix.compliance import check_bytes
from aefix.errors import AefixError, DestinationError, ImageError, SetupError
from aefix.imageio import LoadedImage, load_image, write_atomic
from aefix.manifest import Entry, Manifest, file_sha256
from aefix.regions import without_specks
from aefix.report_html import cache_thumbnails
from aefix.segment import ProductMask, Segmenter, mask_from_alpha, mask_from_soft
from aefix.settings import Settings
from aefix.stages.backdrop import estimate_backdrop
from aefix.stages.cleanup import TOO_DARK_FOR_CLEANUP, remove_shadow
from aefix.stages.crop import crop_to_canvas
from aefix.stages.export import encode_image
from aefix.stages.faint import DOUBTFUL_MAX_AREA_SHARE, faint_thin_parts, is_doubtful, second_look
from aefix.stages.matte import classic_product, refine_edges, thin_lines
from aefix.stages.reflection import find_reflection, floor_beside
from aefix.stages.valley import trim_shadow_valleys
from aefix.stages.whiten import fill_white

log = logging.getLogger("aefix")

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif", ".heic", ".heif"})
# Folders and files that NAS systems and desktops scatter through photo shares.
CLUTTER_DIRS = frozenset({"@eaDir", "#recycle", "#snapshot", "@Recycle", ".@__thumb", "__MACOSX", ".Trash-1000"})
CLUTTER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
REPORT_JSON = "aefix-report.json"
REPORT_CSV = "aefix-report.csv"
# The manifest is saved at least this often during a batch, and always at its end.
MANIFEST_SAVE_INTERVAL_S = 5.0
# Write failures that concern the output folder, not the image: the batch cannot go on.
DESTINATION_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO})
PR_SET_PDEATHSIG = 1  # prctl option, <linux/prctl.h>
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt options, <malloc.h>
# glibc hands blocks this large back to the kernel when they are freed, unless told otherwise.
KEPT_FREED_MEMORY_BYTES = 1 << 30
# Peak memory one worker may reach on a 12 MP photo (measured: make bench), with some room.
WORKER_MEMORY_MB = 700
# A worker keeps freed memory for the next image (_keep_freed_memory), so its size creeps up with
# the heap's fragmentation, image after image; past this it hands its free pages back (malloc_trim),
# and the creep stops at about this size (make bench, 500 images: the run's peak rose from 1220 MB
# in its first fifth to 1317 MB in its last). Under it nothing is trimmed: a worker trimmed after
# every image went back up to 425-622 MB on each photo that needs the model, and paid 11 s more
# kernel time over make bench's 60 inputs; a 560 MB cap kept the 500 images flat but took 8.6% longer.
WORKER_TRIM_MB = 640
# Outputs that fail the re-check go here, never beside the good ones.
REVIEW_DIR = "_review"
# Cutout.method of a photo that brought its own transparency: no model, no matte.
ALPHA_CHANNEL = "alpha-channel"
# Cutout.method's suffix for the model's mask on a plain backdrop that is not light: "<model>+plain".
PLAIN_BACKDROP = "plain"
OUTPUT_SUFFIX = {"jpg": ".jpg", "png": ".png"}


@dataclass(frozen=True)
class WorkItem:
    """One source image and where its output (and optional mask) will be written."""

    source: Path
    relative: Path
    output: Path
    mask_output: Path | None = None
    note: str | None = None
    review_output: Path | None = None  # where the output goes when it fails the re-check
    report_dir: Path | None = None  # DST, whose report.html gets this image's thumbnails (made with the output)


@dataclass(frozen=True)
class BatchPlan:
    items: list[WorkItem]
    deferred: int  # images found beyond --limit, left for the next run
    skipped: list[str]  # files that are not images by their extension
    unchanged: int = 0  # images the manifest shows done with the same source and settings
    unchanged_sources: tuple[str, ...] = ()  # their source paths, for the report to carry over
    unchanged_errors: int = 0  # of those, the ones that failed with an error (retried when their file changes)
    unchanged_review: int = 0  # and the ones whose output is still in DST/_review
    # Outputs sent to review that the seller moved out of DST/_review by hand: (source, new output).
    accepted: tuple[tuple[str, str], ...] = ()
    # Of those, the ones copied out: the review output left behind, the same bytes, which the run removes.
    review_copies: tuple[Path, ...] = ()


@dataclass
class ItemResult:
    """What happened to one image; never an exception escaping the batch."""

    source: str
    output: str | None
    status: str  # "ok", "needs-review" or "error"
    score: float | None = None
    verdict: str | None = None
    findings: list[dict[str, object]] = field(default_factory=list)
    metrics: dict[str, float | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    segmenter: str | None = None
    jpeg_quality: int | None = None
    bytes: int | None = None
    scale: float | None = None
    upscaled: bool = False


def find_images(src: Path, exclude: tuple[Path, ...] = ()) -> tuple[list[Path], list[str]]:
    """Image files under `src` in sorted order, and the non-image files and unreadable folders passed over.

    Symlinked folders are not followed (no loops); NAS clutter and the `exclude` folders (DST or
    the masks folder inside SRC) are skipped silently.
    """
    if src.is_file():
        return [src], []
    images: list[Path] = []
    skipped: list[str] = []
    excluded = {path.resolve() for path in exclude}

    def unreadable(error: OSError) -> None:
        log.warning("Warning: %s: cannot read folder: %s", error.filename, error.strerror)
        skipped.append(f"{error.filename} (unreadable folder: {error.strerror})")

    for root, dirs, files in os.walk(src, onerror=unreadable, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(
            name
            for name in dirs
            if name not in CLUTTER_DIRS and not name.startswith(".") and (root_path / name).resolve() not in excluded
        )
        for name in sorted(files):
            if name in CLUTTER_FILES or name.startswith("._") or name.startswith("."):
                continue
            path = root_path / name
            if path.suffix.lower() in IMAGE_SUFFIXES:
                images.append(path)
            else:
                skipped.append(str(path))
    return images, skipped


def plan_batch(
    src: Path,
    dst: Path,
    settings: Settings,
    manifest: Manifest | None = None,
    shaping_hash: str = "",
    with_thumbnails: bool = False,
) -> BatchPlan:
    """Map sources to outputs, mirroring the tree; colliding stems get the source extension added.

    `a.jpg` and `a.png` would both become `a.jpg`: the first in sorted order keeps `a.jpg`, the
    other becomes `a_png.jpg`, whatever --limit takes this run. With a manifest, images it shows
    done (same source, same settings, output present) are left out and counted as unchanged;
    --limit then takes the first N that need work, in sorted path order. `with_thumbnails`: each
    image's thumbnails for DST/report.html are made as it is processed (a run that writes the page).
    """
    if not src.exists():
        raise SetupError(f"{src}: source folder does not exist")
    if not os.access(src, os.R_OK):
        raise SetupError(f"{src}: source is not readable")
    images, skipped = find_images(src, exclude=(dst, settings.masks_dir) if settings.masks_dir else (dst,))
    base = src if src.is_dir() else src.parent
    suffix = OUTPUT_SUFFIX[settings.output_format]
    taken: set[str] = set()
    items: list[WorkItem] = []
    for path in images:
        relative = path.relative_to(base)
        output_relative = relative.with_suffix(suffix)
        note = None
        if str(output_relative).casefold() in taken:
            stem = f"{relative.stem}_{relative.suffix.lstrip('.').lower()}"
            output_relative = relative.with_name(stem + suffix)
            counter = 2
            while str(output_relative).casefold() in taken:
                output_relative = relative.with_name(f"{stem}_{counter}{suffix}")
                counter += 1
            note = f"output renamed to {output_relative.name}: another source has the same name"
        taken.add(str(output_relative).casefold())
        mask_output = settings.masks_dir / output_relative.with_suffix(".png") if settings.masks_dir else None
        review_output = dst / REVIEW_DIR / output_relative
        report_dir = dst if with_thumbnails else None
        items.append(WorkItem(path, relative, dst / output_relative, mask_output, note, review_output, report_dir))
    done: list[WorkItem] = []
    accepted: list[tuple[str, str]] = []
    review_copies: list[Path] = []
    if manifest is not None:
        todo: list[WorkItem] = []
        for item in items:
            key = str(item.relative)
            # Before is_current: a copy taken out of _review leaves the review output there, current.
            acceptance = manifest.accept_moved(key, item.source, shaping_hash, item.output)
            if acceptance is not None:
                done.append(item)  # moved (or copied) out of _review by hand: accepted as it is
                accepted.append((str(item.source), str(item.output)))
                if acceptance.left_in_review is not None:
                    review_copies.append(acceptance.left_in_review)
            elif manifest.is_current(key, item.source, shaping_hash):
                done.append(item)
            else:
                todo.append(item)
        items = todo
    limit = settings.limit
    unchanged_sources = tuple(str(item.source) for item in done)
    # A file that failed, left as it was, still fails: a rerun says so (and exits 1) as the first run did.
    statuses = [manifest.entries[str(item.relative)].status for item in done] if manifest is not None else []
    return BatchPlan(
        items[:limit],
        max(0, len(items) - limit),
        skipped,
        len(done),
        unchanged_sources,
        unchanged_errors=statuses.count("error"),
        unchanged_review=statuses.count("needs-review"),
        accepted=tuple(accepted),
        review_copies=tuple(review_copies),
    )


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round(time.perf_counter() - start, 4)


# Where the model drew the mask alone (no sweep to measure colour against), a cut-out goes to review
# when the network is sure (soft >= NETWORK_SURE_SOFT) of under UNSURE_MAX_SHARE of it. Photos with
# no product measured 0.01-0.18 (skimage's brick, grass, gravel, moon, text and Hubble field: their
# cut-outs were a few specks, upscaled up to x11, that the re-check passed at 100); photos of
# objects 0.53-0.99 (skimage's and examples/).
NETWORK_SURE_SOFT = 0.9
UNSURE_MAX_SHARE = 0.3
# A product upscaled more than this is too small in the photo to make a main image: it goes to
# review. Photos of products and objects needed at most x6.0 (a clock in a 400x300 photo; make
# bench x4.05, make demo x2.1, bench-quality seeds 2026 and 7 x3.74); a speck the classic path
# found on a plain sheet of paper was upscaled x142, and passed the re-check at 100.
UPSCALE_REVIEW_OVER = 8.0


@dataclass(frozen=True)
class Cutout:
    """The product separated from its backdrop: its mask, and its colour with the backdrop taken out."""

    mask: ProductMask
    colour: np.ndarray  # uint8 RGB at the working size
    method: str  # what drew the mask: "alpha-channel", the model's name, "classic+<model>" or "classic+<model>+faint"
    notes: list[str] = field(default_factory=list)
    metrics: dict[str, float | str] = field(default_factory=dict)
    doubt: str | None = None  # why someone should look at this cut-out before it is used

    @property
    def matted(self) -> bool:
        """Whether the mask is aefix's matte, fractional only along the product's edge (so an upscale
        may steepen it), not a cut-out's own alpha, which may be translucent anywhere."""
        return self.method != ALPHA_CHANNEL


def cut_out(loaded: LoadedImage, settings: Settings, get_segmenter: Callable[[], Segmenter]) -> Cutout:
    """Mask and decontaminated colour of the product in one photo: the stages before the crop.

    The network's coarse mask, less the shadows it was unsure of, and the backdrop measured
    around it; on a light, smooth sweep (`classic`, or `auto` there) the colour-based mask that
    mask guides, on another plain backdrop (`auto`: dark, coloured) the network's mask less what
    that colour-based mask takes out, else (`ai`) the network's mask itself; on a sweep where
    that is doubtful (mostly shadow-coloured, or tiny, or something faint runs on from it), a
    second look for a faint product (stages/faint.py), and on a sweep the thin parts running on
    from the product that only their tint sets off it (a pale cable); then the edge redone at the
    working resolution, its colour freed of the backdrop. A mask the model drew alone while unsure
    of most of it carries a `doubt`, and so does a speck whose second look found nothing: the
    output goes to review.
    """
    if loaded.alpha is not None:
        return Cutout(mask_from_alpha(loaded.alpha), loaded.rgb, ALPHA_CHANNEL)
    segmenter = get_segmenter()
    coarse = mask_from_soft(segmenter.predict(loaded.rgb))
    notes: list[str] = []
    metrics: dict[str, float | str] = {}
    doubt: str | None = None
    cleaned = remove_shadow(loaded.rgb, coarse, settings)
    metrics["shadow_removed_share"] = round(cleaned.shadow_share, 4)
    skipped_cleanup = cleaned.skipped_reason
    hard, soft, method = cleaned.mask.hard, cleaned.mask.soft, segmenter.name
    backdrop = estimate_backdrop(loaded.rgb, hard)
    metrics["backdrop_noise"] = round(backdrop.noise, 2)
    classic = settings.segmenter == "classic" or (settings.segmenter == "auto" and backdrop.is_sweep)
    if classic:
        hard = classic_product(loaded.rgb, hard, soft, backdrop)
        method = f"classic+{segmenter.name}"
        if is_doubtful(hard, backdrop):
            look = second_look(loaded.rgb, hard, backdrop, segmenter, settings)
            metrics["second_look"] = "none" if look is None else "shadow dropped" if look.dropped_shadow else "added"
            if look is not None:
                hard, soft, backdrop = look.product, np.maximum(soft, look.soft), look.backdrop
                method = f"classic+{segmenter.name}+faint"
                notes.append(
                    "product faint against the sweep: found on a second, contrast-stretched look"
                    + (" (the first look had taken its shadow for it)" if look.dropped_shadow else "")
                )
            elif hard.mean() < DOUBTFUL_MAX_AREA_SHARE:
                # A speck, with something faint beside it that the network could not make out even
                # stretched: a piece of a faint product, likely (a white charger at 2000 px came out
                # as its cable's end, score 100). Not so a large cut-out: bench-reflections' two
                # metal products (IoU 0.999) had only their mirror image beside them.
                doubt = (
                    f"the cut-out is under {DOUBTFUL_MAX_AREA_SHARE:.0%} of the photo, and something faint "
                    "beside it was not found on a second, contrast-stretched look: it may be a piece of a "
                    "faint product: look at it before use"
                )
                notes.append(doubt)
    elif settings.segmenter == "auto" and backdrop.is_plain:
        # A plain backdrop that is not light (dark, coloured): the model's mask less what the
        # classic mask takes out of it (bare backdrop, a shadow), with nothing added by colour.
        kept = classic_product(loaded.rgb, hard, soft, backdrop, grow=False)  # within `hard`
        removed = int(hard.sum()) - int(kept.sum())
        removed_share = round(removed / max(1, int(hard.sum())), 4)
        hard, method = kept, f"{segmenter.name}+{PLAIN_BACKDROP}"
        metrics["plain_removed_share"] = removed_share
        if skipped_cleanup == TOO_DARK_FOR_CLEANUP:
            skipped_cleanup = None  # its shadows were judged here after all
        if removed:
            notes.append(
                f"bare backdrop and shadows the model took in removed: {removed_share:.1%} of its mask "
                "(a plain backdrop, not light)"
            )
    if skipped_cleanup:
        notes.insert(0, f"shadow cleanup skipped: {skipped_cleanup}")
    if classic:
        # Both searches judge a part by how far it runs from the product found by colour: neither
        # is given the other's (a stretch of cable found by one cut the other's short).
        lines = thin_lines(loaded.rgb, hard) & ~hard
        thin = faint_thin_parts(loaded.rgb, hard, backdrop)
        if thin.any():
            # The edge step reads a part the network did not see by the network's confidence.
            added = thin >= 0.5
            hard, soft = hard | added, np.maximum(soft, thin)
            metrics["faint_thin_share"] = round(float(added.sum()) / max(1, int(hard.sum())), 4)
        if lines.any():
            hard = hard | lines
            metrics["thin_line_share"] = round(float(lines.sum()) / max(1, int(hard.sum())), 4)
    reflection = find_reflection(loaded.rgb, hard, backdrop) if classic else None
    if reflection is not None and reflection.any():
        metrics["reflection_removed_share"] = round(float(reflection.sum()) / max(1, int(hard.sum())), 4)
        hard = without_specks(hard & ~reflection)
        # The floor the network filled between a product's legs down to its reflection is bare.
        hard &= ~floor_beside(loaded.rgb, hard, reflection, backdrop)
        notes.append("floor reflection below the product removed")
    matte = refine_edges(loaded.rgb, hard, soft, backdrop, hard_is_exact=classic, not_product=reflection)
    metrics["edge_refined_share"] = round(matte.contrast_share, 4)
    mask, colour = matte.mask, matte.colour
    trimmed = trim_shadow_valleys(loaded.rgb, mask.alpha, colour) if classic else None
    if trimmed is not None:
        # On a sweep, a shadow's darkest line beside a lighter product is where its edge lies.
        mask = ProductMask(hard=trimmed.alpha >= 0.5, alpha=trimmed.alpha, soft=mask.soft)
        colour = trimmed.colour
        metrics["shadow_valley_removed_share"] = round(trimmed.removed_px / max(1, int(matte.mask.hard.sum())), 4)
    sure = float((soft[mask.hard] >= NETWORK_SURE_SOFT).mean()) if mask.hard.any() else 0.0
    metrics["network_sure_share"] = round(sure, 4)
    if not classic and sure < UNSURE_MAX_SHARE:
        doubt = (
            f"the model is unsure what the product is: sure of {sure:.0%} of the cut-out "
            "(a texture, a scene, or a product it cannot see): look at it before use"
        )
        notes.append(doubt)
    return Cutout(mask, colour, method, notes, metrics, doubt)


def process_image(item: WorkItem, settings: Settings, get_segmenter: Callable[[], Segmenter]) -> ItemResult:
    """Run every stage on one image and write its output atomically; errors become an "error" result.

    `get_segmenter` is called only when the image needs the model (a transparent PNG brings its
    own mask), so a batch of cut-outs never loads one.
    """
    result = ItemResult(source=str(item.source), output=None, status="error")
    if item.note:
        result.notes.append(item.note)
    timings = result.timings
    try:
        with _timed(timings, "load"):
            loaded = load_image(item.source, settings)
        result.notes.extend(loaded.notes)
        with _timed(timings, "segment"):
            cut = cut_out(loaded, settings, get_segmenter)
        result.segmenter = cut.method
        result.notes.extend(cut.notes)
        result.metrics.update(cut.metrics)
        mask = cut.mask
        if item.mask_output is not None:
            with _timed(timings, "mask"):
                _write_output(item.mask_output, _png_bytes(np.rint(mask.alpha * 255).astype(np.uint8)))
        with _timed(timings, "crop"):
            layers = crop_to_canvas(cut.colour, mask.alpha, settings, matted=cut.matted)
        result.scale = round(layers.scale, 4)
        if layers.scale > 1.0:
            result.upscaled = True
            result.notes.append(f"product upscaled x{layers.scale:.2f}: small in the source photo")
        doubts = [cut.doubt] if cut.doubt is not None else []
        if layers.scale > UPSCALE_REVIEW_OVER:
            doubts.append(
                f"too small in the source photo for a main image (upscaled x{layers.scale:.1f}, "
                f"over x{UPSCALE_REVIEW_OVER:g}): look at it before use"
            )
            result.notes.append(doubts[-1])
        with _timed(timings, "whiten"):
            final = fill_white(layers)
        with _timed(timings, "export"):
            encoded = encode_image(final, settings)
        result.jpeg_quality = encoded.quality
        result.bytes = len(encoded.data)
        with _timed(timings, "recheck"):
            compliance = check_bytes(item.output.name, encoded.data, settings.profile)
        passed = compliance.passed and not doubts
        destination, stale = item.output, item.review_output
        if not passed and item.review_output is not None:
            destination, stale = item.review_output, item.output
        with _timed(timings, "write"):
            _write_output(destination, encoded.data)
            if stale is not None:
                stale.unlink(missing_ok=True)  # an earlier run's verdict on this source no longer holds
        if item.report_dir is not None:  # a cache only: the page makes any thumbnail missing from it
            with _timed(timings, "thumbnails"), contextlib.suppress(OSError):
                cache_thumbnails(item.report_dir, item.source, destination, item.mask_output)
    except ImageError as error:
        result.error = str(error)
        return result
    except AefixError:
        raise
    except MemoryError:
        result.error = "out of memory while processing this image"
        return result
    except Exception as error:
        log.debug("unexpected error on %s", item.source, exc_info=True)
        result.error = f"{type(error).__name__}: {error}".splitlines()[0]
        return result
    result.output = str(destination)
    result.score = compliance.score
    result.verdict = compliance.verdict
    result.findings = [asdict(finding) for finding in compliance.findings]
    result.metrics.update(compliance.metrics)
    result.status = "ok" if passed else "needs-review"
    return result


def run_batch(
    plan: BatchPlan,
    settings: Settings,
    make_segmenter: Callable[[], Segmenter],
    manifest: Manifest | None = None,
    shaping_hash: str = "",
    workers: int = 1,
) -> Generator[ItemResult, None, None]:
    """Process the plan in order, yielding one result per image; one model session per worker.

    With `workers` > 1 the images are processed in that many processes (each with its own session
    and cores / workers threads) and still yielded in plan order. With a manifest, each finished
    image is recorded and the manifest is saved every few seconds and when the generator ends or
    is closed (an interrupted batch keeps what it finished).
    """
    saved_at = time.monotonic()
    # Hashing every source only pays off when a manifest will remember it.
    stamp: StampSource = _source_stamp if manifest is not None else _no_stamp
    workers = min(workers, len(plan.items))  # starting a worker costs a model load: none idle
    results = (
        _in_workers(plan, settings, make_segmenter, workers, stamp)
        if workers > 1
        else _in_process(plan, settings, make_segmenter, stamp)
    )
    try:
        for item, stamped, result in results:
            if manifest is not None and stamped is not None:
                output = None if result.output is None else os.path.relpath(result.output, manifest.dst)
                manifest.record(str(item.relative), Entry(*stamped, shaping_hash, output, result.status, result.score))
                if time.monotonic() - saved_at >= MANIFEST_SAVE_INTERVAL_S:
                    _save_manifest(manifest)
                    saved_at = time.monotonic()
            yield result
    finally:
        results.close()
        if manifest is not None:
            _save_manifest(manifest)


SourceStamp = tuple[int, int, str]  # size, mtime_ns, sha256
StampSource = Callable[[Path], "SourceStamp | None"]
Stamped = tuple[WorkItem, "SourceStamp | None", ItemResult]


def available_cores() -> int:
    """Cores this process may run on (a container's or taskset's limit, not the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_workers() -> int:
    """One worker per available core, fewer where memory would not hold them all without swapping."""
    cores = available_cores()
    try:
        with open("/proc/meminfo") as meminfo:
            fields = {line.split(":")[0]: int(line.split()[1]) for line in meminfo if line.strip()}
        fitting = max(1, fields["MemAvailable"] // 1024 // WORKER_MEMORY_MB)
    except (OSError, KeyError, ValueError):
        fitting = cores
    return max(1, min(cores, fitting))


def _in_process(
    plan: BatchPlan, settings: Settings, make_segmenter: Callable[[], Segmenter], stamp: StampSource
) -> Generator[Stamped, None, None]:
    session: list[Segmenter] = []

    def shared_segmenter() -> Segmenter:
        if not session:
            session.append(make_segmenter())
        return session[0]

    _keep_freed_memory()
    for item in plan.items:
        stamped = stamp(item.source)  # before processing: an edit during the run is seen next time
        yield item, stamped, process_image(item, settings, shared_segmenter)


def _in_workers(
    plan: BatchPlan, settings: Settings, make_segmenter: Callable[[], Segmenter], workers: int, stamp: StampSource
) -> Generator[Stamped, None, None]:
    """A pool of `workers` processes, at most two images each in flight, results in plan order."""
    threads = max(1, available_cores() // workers)
    context = multiprocessing.get_context("spawn")  # no inherited threads or sessions
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(make_segmenter, threads)
    )
    pending: dict[int, tuple[SourceStamp | None, Future[ItemResult]]] = {}
    submitted = 0
    try:
        for index, item in enumerate(plan.items):
            while submitted < len(plan.items) and len(pending) < 2 * workers:
                queued = plan.items[submitted]
                pending[submitted] = (stamp(queued.source), pool.submit(_process_in_worker, queued, settings))
                submitted += 1
            stamped, future = pending.pop(index)
            yield item, stamped, future.result()
    finally:
        # Stopping: images not started are dropped (the next run does them); those in hand finish.
        pool.shutdown(wait=True, cancel_futures=True)


_worker_state: dict[str, object] = {}


def _start_worker(make_segmenter: Callable[[], Segmenter], threads: int) -> None:
    # The parent decides when to stop (after the images in hand): workers ignore the signals a
    # terminal or systemd sends to the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    _keep_freed_memory()
    os.environ["OMP_NUM_THREADS"] = str(threads)  # rembg's session and the OCR engine read it
    _worker_state["make_segmenter"] = make_segmenter


def _die_with_parent() -> None:
    """Linux: SIGKILL this worker when the parent dies, even by kill -9, so no orphan keeps working
    (and writing outputs) behind the next run's back. Elsewhere nothing is done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the call took effect
        os._exit(1)


def _keep_freed_memory() -> None:
    """glibc: keep freed memory for the next image instead of returning it to the kernel.

    Each image allocates and frees the same large buffers (the model's activations, with
    onnxruntime's arena off; 2000-px float arrays). By default glibc maps each anew and unmaps it
    on free, so every image pays the kernel's page faults again: u2netp took 0.68-0.76 s per
    single-threaded inference that way and 0.64-0.67 s with its memory kept (make bench's
    machine, medians of 15). The cost is that a worker stays near its peak size, which it
    reaches on the first large photo anyway. Elsewhere (musl, macOS) nothing is done.
    """
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, KEPT_FREED_MEMORY_BYTES)
        libc.mallopt(M_TRIM_THRESHOLD, KEPT_FREED_MEMORY_BYTES)
    except (OSError, AttributeError):
        return


def _process_in_worker(item: WorkItem, settings: Settings) -> ItemResult:
    def worker_segmenter() -> Segmenter:
        if "segmenter" not in _worker_state:
            factory = _worker_state["make_segmenter"]
            _worker_state["segmenter"] = factory()  # type: ignore[operator]
        return _worker_state["segmenter"]  # type: ignore[return-value]

    result = process_image(item, settings, worker_segmenter)
    _trim_when_over(WORKER_TRIM_MB)
    return result


def _trim_when_over(limit_mb: int) -> bool:
    """glibc: return freed memory to the kernel when this process's resident size is over `limit_mb`."""
    try:
        with open("/proc/self/statm") as statm:
            resident_mb = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // (1 << 20)
        if resident_mb <= limit_mb:
            return False
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, ValueError, IndexError):
        return False
    return True


def _no_stamp(source: Path) -> SourceStamp | None:
    return None


def _source_stamp(source: Path) -> SourceStamp | None:
    try:
        stat = source.stat()
        return stat.st_size, stat.st_mtime_ns, file_sha256(source)
    except OSError:
        return None  # unreadable: process_image reports why; nothing to record


def _save_manifest(manifest: Manifest) -> None:
    try:
        manifest.save()
    except OSError as error:
        raise DestinationError(f"{manifest.path}: cannot write the manifest: {error.strerror}") from None


def _write_output(path: Path, data: bytes) -> None:
    """write_atomic, with the output folder's own failures (full, read-only) stopping the batch."""
    try:
        write_atomic(path, data)
    except OSError as error:
        if error.errno in DESTINATION_ERRNOS:
            raise DestinationError(f"{path.parent}: cannot write output: {error.strerror}") from None
        raise


def _png_bytes(gray: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gray, mode="L").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
