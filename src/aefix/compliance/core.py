"""The findings model, the list of checks, and the score that sums their deductions."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from aefix.compliance import checks
from aefix.compliance.findings import CheckInput, Finding
from aefix.imageio import sniff_format
from aefix.settings import Profile


@dataclass(frozen=True)
class ComplianceResult:
    score: float
    verdict: str  # "pass" or "fail"
    findings: list[Finding]
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "verdict": self.verdict,
            "findings": [asdict(finding) for finding in self.findings],
            "metrics": self.metrics,
        }


Check = Callable[[CheckInput, Profile, dict[str, float]], list[Finding]]

CHECKS: list[Check] = [
    checks.check_format,
    checks.check_file_size,
    checks.check_dimensions,
    checks.check_background_purity,
]


def check_input(item: CheckInput, profile: Profile) -> ComplianceResult:
    """Run every check; score = 100 minus the deductions; pass needs the profile's mark and no "fail"."""
    findings: list[Finding] = []
    metrics: dict[str, float] = {}
    for check in CHECKS:
        findings.extend(check(item, profile, metrics))
    score = round(max(0.0, 100.0 - sum(finding.deduction for finding in findings)), 1)
    failed = any(finding.severity == "fail" for finding in findings)
    verdict = "pass" if score >= profile.pass_score and not failed else "fail"
    return ComplianceResult(score, verdict, findings, metrics)


def check_bytes(name: str, data: bytes, profile: Profile) -> ComplianceResult:
    """Check an encoded image held in memory (the pipeline's output before it is written)."""
    rgb: np.ndarray | None = None
    error: str | None = None
    try:
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                # A marketplace shows transparency over its white page: judge what the shopper sees.
                rgba = upright.convert("RGBA")
                upright = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
            rgb = np.asarray(upright.convert("RGB"))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        error = str(exc)
    return check_input(CheckInput(name, data, sniff_format(data[:32]), rgb, error), profile)


def check_file(path: Path, profile: Profile) -> ComplianceResult:
    try:
        data = path.read_bytes()
    except OSError as error:
        return check_input(CheckInput(str(path), b"", None, None, f"cannot read file: {error.strerror}"), profile)
    return check_bytes(str(path), data, profile)
