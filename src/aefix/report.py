"""The batch report: totals on top, one record per image, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aefix import __version__
from aefix.imageio import write_atomic
from aefix.pipeline import REPORT_CSV, REPORT_JSON, BatchPlan, ItemResult
from aefix.report_html import write_html_report
from aefix.settings import Settings


@dataclass(frozen=True)
class BatchSummary:
    images: int
    ok: int
    needs_review: int
    errors: int
    upscaled: int
    renamed: int
    deferred: int  # images needing work left for the next run (--limit, or an interruption)
    skipped_files: int
    seconds: float
    unchanged: int = 0  # done before with the same source and settings: not redone
    stopped_by: str | None = None  # "SIGINT"/"SIGTERM" when a signal ended the batch early
    unchanged_errors: int = 0  # unchanged images that failed with an error in an earlier run
    unchanged_review: int = 0  # unchanged images whose output an earlier run put in DST/_review

    @property
    def all_passed(self) -> bool:
        """Every output in DST is ok: this run's, and those of earlier runs it left unchanged."""
        return self.ok == self.images and not self.unchanged_errors and not self.unchanged_review

    def line(self) -> str:
        text = (
            f"{self.images} image{'s' if self.images != 1 else ''}: {self.ok} ok, "
            f"{self.needs_review} need review, {self.errors} error{'s' if self.errors != 1 else ''} "
            f"in {self.seconds:.1f} s"
        )
        if self.unchanged:
            text += f"; {self.unchanged} unchanged since the last run (skipped)"
        if self.unchanged_errors or self.unchanged_review:
            text += (
                f"; still from earlier runs: {self.unchanged_errors} error{'s' if self.unchanged_errors != 1 else ''}, "
                f"{self.unchanged_review} need review (see the report)"
            )
        if self.stopped_by:
            text += f"; stopped by {self.stopped_by}: {self.deferred} left for the next run"
        elif self.deferred:
            text += f"; {self.deferred} left for the next run (--limit)"
        return text


def summarize(
    plan: BatchPlan, results: list[ItemResult], seconds: float, stopped_by: str | None = None
) -> BatchSummary:
    def count(status: str) -> int:
        return sum(result.status == status for result in results)

    return BatchSummary(
        images=len(results),
        ok=count("ok"),
        needs_review=count("needs-review"),
        errors=count("error"),
        upscaled=sum(result.upscaled for result in results),
        renamed=sum(item.note is not None for item in plan.items),
        deferred=plan.deferred + len(plan.items) - len(results),
        skipped_files=len(plan.skipped),
        seconds=round(seconds, 2),
        unchanged=plan.unchanged,
        stopped_by=stopped_by,
        unchanged_errors=plan.unchanged_errors,
        unchanged_review=plan.unchanged_review,
    )


def write_reports(
    dst: Path,
    plan: BatchPlan,
    results: list[ItemResult],
    settings: Settings,
    summary: BatchSummary,
    started: datetime,
    lang: str = "en",
) -> Path:
    """Write DST/aefix-report.json, .csv and report.html atomically; return the JSON path.

    `items` are this run's images; `carried_over` are the records of images an earlier run did
    that this run left unchanged (from the previous report), so the report always covers every
    output in DST, not just tonight's.
    """
    carried = _carried_over(dst / REPORT_JSON, set(plan.unchanged_sources), dict(plan.accepted))
    report = {
        "totals": asdict(summary),
        "aefix_version": __version__,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings.as_dict(),
        "skipped_files": plan.skipped,
        "items": [asdict(result) for result in results],
        "carried_over": carried,
    }
    json_path = dst / REPORT_JSON
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    write_atomic(json_path, text.encode("utf-8"))
    write_atomic(dst / REPORT_CSV, _csv_bytes(results, carried))
    write_html_report(dst, json.loads(text), lang)  # the page shows exactly what the JSON says
    return json_path


def _carried_over(previous_report: Path, unchanged: set[str], accepted: dict[str, str]) -> list[dict[str, object]]:
    """The previous report's records of the sources this run found unchanged; those in `accepted`
    (source: output), moved out of DST/_review by hand, become ok there, with a note saying so."""
    if not unchanged:
        return []
    try:
        previous = json.loads(previous_report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    records = previous.get("items", []) + previous.get("carried_over", [])
    carried = []
    for record in records:
        if isinstance(record, dict) and record.get("source") in unchanged:
            kept = {**record, "done_in_run": record.get("done_in_run") or previous.get("started")}
            if record["source"] in accepted:
                notes = [*kept.get("notes", []), "accepted by hand: moved out of _review"]
                kept.update(status="ok", output=accepted[str(record["source"])], notes=notes)
            carried.append(kept)
            unchanged.discard(str(record["source"]))
    return carried


def _csv_bytes(results: list[ItemResult], carried: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "source",
            "output",
            "status",
            "score",
            "verdict",
            "findings",
            "notes",
            "error",
            "jpeg_quality",
            "bytes",
            "seconds",
            "done_in_run",
        ]
    )
    records: list[tuple[dict[str, Any], str]] = [(asdict(result), "this run") for result in results]
    records += [(record, str(record.get("done_in_run") or "")) for record in carried]
    for record, run in records:
        findings = record.get("findings") or []
        timings = record.get("timings") or {}
        writer.writerow(
            [
                record["source"],
                record.get("output") or "",
                record["status"],
                "" if record.get("score") is None else record["score"],
                record.get("verdict") or "",
                "; ".join(str(finding["message"]) for finding in findings),
                "; ".join(record.get("notes") or []),
                record.get("error") or "",
                "" if record.get("jpeg_quality") is None else record["jpeg_quality"],
                "" if record.get("bytes") is None else record["bytes"],
                round(sum(timings.values()), 3),
                run,
            ]
        )
    # A byte-order mark makes Excel and WPS read the UTF-8 (Chinese file names) correctly.
    return buffer.getvalue().encode("utf-8-sig")
