"""One `aefix run` as a library call: lock DST, plan against the manifest, process, report.

The CLI renders progress and maps the outcome to an exit code; signals reach the job through
`stop_requested`, checked between images, so the image in hand is always finished.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aefix.errors import DestinationError
from aefix.lock import dst_lock
from aefix.manifest import Manifest, settings_hash
from aefix.models import resolve_model, verified_md5
from aefix.pipeline import BatchPlan, ItemResult, plan_batch, run_batch
from aefix.report import BatchSummary, summarize, write_reports
from aefix.segment import Segmenter
from aefix.settings import Settings

log = logging.getLogger("aefix")


@dataclass(frozen=True)
class JobOutcome:
    plan: BatchPlan
    results: list[ItemResult]
    summary: BatchSummary
    report: Path


def run_job(
    src: Path,
    dst: Path,
    settings: Settings,
    make_segmenter: Callable[[], Segmenter],
    *,
    force: bool = False,
    on_plan: Callable[[BatchPlan], None] = lambda plan: None,
    on_result: Callable[[int, int, ItemResult], None] = lambda index, total, result: None,
    stop_requested: Callable[[], str | None] = lambda: None,
    lang: str = "en",
    workers: int = 1,
) -> JobOutcome:
    """Process what needs work in SRC into DST; raise LockedError, DestinationError or SetupError.

    `force` redoes every image whatever the manifest says. When `stop_requested` returns a
    reason (a signal's name) the batch stops after the current image; the report and manifest
    are written and the summary counts what is left for the next run.
    """
    model_md5 = verified_md5(resolve_model(settings.model, settings.models_dir))
    try:
        dst.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DestinationError(f"{dst}: cannot create the output folder: {error.strerror}") from None
    with dst_lock(dst):
        manifest = Manifest.load(dst)
        shaping_hash = settings_hash(settings, model_md5)
        plan = plan_batch(src, dst, settings, None if force else manifest, shaping_hash, with_thumbnails=True)
        _remove_review_copies(plan.review_copies)
        on_plan(plan)
        started = datetime.now(UTC)
        clock = time.perf_counter()
        results: list[ItemResult] = []
        stopped_by: str | None = None
        batch = run_batch(plan, settings, make_segmenter, manifest, shaping_hash, workers)
        try:
            for index, result in enumerate(batch, start=1):
                results.append(result)
                on_result(index, len(plan.items), result)
                stopped_by = stop_requested()
                if stopped_by:
                    break
        except DestinationError:
            _write_reports_if_possible(dst, plan, results, settings, clock, started, lang)
            raise
        finally:
            batch.close()  # saves the manifest with every image finished so far
        summary = summarize(plan, results, time.perf_counter() - clock, stopped_by)
        try:
            report = write_reports(dst, plan, results, settings, summary, started, lang)
        except OSError as error:
            raise DestinationError(f"{dst}: cannot write the report: {error.strerror}") from None
    return JobOutcome(plan, results, summary, report)


def _write_reports_if_possible(
    dst: Path,
    plan: BatchPlan,
    results: list[ItemResult],
    settings: Settings,
    clock: float,
    started: datetime,
    lang: str,
) -> None:
    summary = summarize(plan, results, time.perf_counter() - clock, "output folder error")
    with contextlib.suppress(OSError):  # the folder that failed the image may fail the report too
        write_reports(dst, plan, results, settings, summary, started, lang)


def _remove_review_copies(copies: tuple[Path, ...]) -> None:
    """The review outputs of outputs the seller copied out of DST/_review (accepted): the same
    bytes are at the output's place, so _review holds only what still needs a look."""
    for copy in copies:
        try:
            copy.unlink()
        except FileNotFoundError:
            continue
        except OSError as error:
            log.warning("Warning: %s: cannot remove the review copy of an accepted output: %s", copy, error.strerror)
