"""The batch report: totals on top, one record per image, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from aefix import __version__
from aefix.imageio import write_atomic
from aefix.pipeline import REPORT_CSV, REPORT_JSON, BatchPlan, ItemResult
from aefix.settings import Settings


@dataclass(frozen=True)
class BatchSummary:
    images: int
    ok: int
    needs_review: int
    errors: int
    upscaled: int
    renamed: int
    deferred: int
    skipped_files: int
    seconds: float

    @property
    def all_passed(self) -> bool:
        return self.ok == self.images

    def line(self) -> str:
        text = (
            f"{self.images} image{'s' if self.images != 1 else ''}: {self.ok} ok, "
            f"{self.needs_review} need review, {self.errors} error{'s' if self.errors != 1 else ''} "
            f"in {self.seconds:.1f} s"
        )
        if self.deferred:
            text += f"; {self.deferred} left for the next run (--limit)"
        return text


def summarize(plan: BatchPlan, results: list[ItemResult], seconds: float) -> BatchSummary:
    def count(status: str) -> int:
        return sum(result.status == status for result in results)

    return BatchSummary(
        images=len(results),
        ok=count("ok"),
        needs_review=count("needs-review"),
        errors=count("error"),
        upscaled=sum(result.upscaled for result in results),
        renamed=sum(item.note is not None for item in plan.items),
        deferred=plan.deferred,
        skipped_files=len(plan.skipped),
        seconds=round(seconds, 2),
    )


def write_reports(
    dst: Path, plan: BatchPlan, results: list[ItemResult], settings: Settings, summary: BatchSummary, started: datetime
) -> Path:
    """Write DST/aefix-report.json and .csv atomically; return the JSON path."""
    report = {
        "totals": asdict(summary),
        "aefix_version": __version__,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings.as_dict(),
        "skipped_files": plan.skipped,
        "items": [asdict(result) for result in results],
    }
    json_path = dst / REPORT_JSON
    write_atomic(json_path, json.dumps(report, indent=2, ensure_ascii=False, default=str).encode("utf-8"))
    write_atomic(dst / REPORT_CSV, _csv_bytes(results))
    return json_path


def _csv_bytes(results: list[ItemResult]) -> bytes:
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
        ]
    )
    for result in results:
        writer.writerow(
            [
                result.source,
                result.output or "",
                result.status,
                "" if result.score is None else result.score,
                result.verdict or "",
                "; ".join(str(finding["message"]) for finding in result.findings),
                "; ".join(result.notes),
                result.error or "",
                "" if result.jpeg_quality is None else result.jpeg_quality,
                "" if result.bytes is None else result.bytes,
                round(sum(result.timings.values()), 3),
            ]
        )
    # A byte-order mark makes Excel and WPS read the UTF-8 (Chinese file names) correctly.
    return buffer.getvalue().encode("utf-8-sig")
