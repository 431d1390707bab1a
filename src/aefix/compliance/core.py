"""The list of checks, the score that sums their deductions, and the entry points for bytes and files."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from aefix.compliance import checks
from aefix.compliance.findings import CheckInput, Finding, Metrics, finding
from aefix.compliance.scene import analyze
from aefix.imageio import sniff_format
from aefix.settings import Profile

ROLES = ("main", "secondary")


@dataclass(frozen=True)
class ComplianceResult:
    score: float
    verdict: str  # "pass" or "fail"
    findings: list[Finding]
    metrics: Metrics = field(default_factory=dict)

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


Check = Callable[[CheckInput, Profile, Metrics], list[Finding]]

CHECKS: list[Check] = [
    checks.check_format,
    checks.check_file_size,
    checks.check_dimensions,
    checks.check_border,
    checks.check_background_purity,
    checks.check_background_tone,
    checks.check_background_gradient,
    checks.check_background_texture,
    checks.check_shadow,
    checks.check_text,
    checks.check_codes,
    checks.check_sharpness,
    checks.check_exposure,
    checks.check_composition,
]


def check_input(item: CheckInput, profile: Profile, role: str = "main") -> ComplianceResult:
    """Run every check; score = 100 minus the deductions; pass needs the profile's mark and no "fail".

    What the profile allows (text, codes, borders, a non-white background) and what a secondary
    image may carry is still reported, as "info" with no deduction.
    """
    findings: list[Finding] = []
    if item.rgb is not None and item.scene is None:
        try:
            item = dataclasses.replace(item, scene=analyze(item.rgb, profile))
        except MemoryError:
            raise
        except Exception as error:  # the checks that need the scene find none and say nothing
            findings.append(_could_not_run("scene", error))
    allowed = _allowed_categories(profile, role)
    metrics: Metrics = {}
    for check in CHECKS:
        for found in _run_check(check, item, profile, metrics):
            if found.category in allowed:
                note = "allowed on secondary images" if role == "secondary" else f"allowed by {profile.name}"
                message = found.message.rsplit(" (-", 1)[0]
                found = dataclasses.replace(found, severity="info", deduction=0.0, message=f"{message} ({note})")
            findings.append(found)
    score = round(max(0.0, 100.0 - sum(finding.deduction for finding in findings)), 1)
    failed = any(finding.severity == "fail" for finding in findings)
    verdict = "pass" if score >= profile.pass_score and not failed else "fail"
    return ComplianceResult(score, verdict, findings, metrics)


def _run_check(check: Check, item: CheckInput, profile: Profile, metrics: Metrics) -> list[Finding]:
    """The check's findings, or one failing finding if it raises.

    A detector's library can fail on one odd image (OpenCV's QR decoder has). The other checks
    still run and the verdict is a fail that names the check: the image is looked at, instead
    of passing unchecked or taking a whole folder's check down with it.
    """
    try:
        return check(item, profile, metrics)
    except MemoryError:
        raise
    except Exception as error:
        return [_could_not_run(check.__name__.removeprefix("check_"), error)]


def _could_not_run(name: str, error: Exception) -> Finding:
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    return finding("check.failed", "fail", 0.0, name, "", f"check: {name} could not run ({reason})")


def _allowed_categories(profile: Profile, role: str) -> set[str]:
    allowed = set(profile.secondary_allows) if role == "secondary" else set()
    for category, permitted in (
        ("text", profile.text_allowed),
        ("code", profile.code_allowed),
        ("border", profile.border_allowed),
        ("background", not profile.background_white_required),
    ):
        if permitted:
            allowed.add(category)
    return allowed


def decode_for_check(data: bytes) -> tuple[np.ndarray | None, str | None]:
    """Upright RGB as a shopper sees it (transparency over the white page), or the decode error."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                rgba = upright.convert("RGBA")
                upright = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
            return np.asarray(upright.convert("RGB")), None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        return None, str(exc)


def check_bytes(name: str, data: bytes, profile: Profile, role: str = "main") -> ComplianceResult:
    """Check an encoded image held in memory (the pipeline's output before it is written)."""
    rgb, error = decode_for_check(data)
    return check_input(CheckInput(name, data, sniff_format(data[:32]), rgb, error), profile, role)


def check_file(path: Path, profile: Profile, role: str = "main") -> ComplianceResult:
    try:
        data = path.read_bytes()
    except OSError as error:
        item = CheckInput(str(path), b"", None, None, f"cannot read file: {error.strerror}")
        return check_input(item, profile, role)
    return check_bytes(str(path), data, profile, role)
