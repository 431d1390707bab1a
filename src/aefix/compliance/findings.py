"""What a check returns (Finding) and what it looks at (CheckInput)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aefix.compliance.scene import Scene

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive ends), image pixels
Metrics = dict[str, float | str]


@dataclass(frozen=True)
class Finding:
    """One deduction: a stable code, how bad, what was measured against which threshold, and why.

    `code` is "<category>.<name>"; the category ("background", "text", ...) is what a profile
    or the secondary role may allow.
    """

    code: str
    severity: str  # "fail": breaks a hard rule; "warn": costs points; "info": reported, no deduction
    deduction: float
    value: float | str
    threshold: float | str
    message: str
    box: Box | None = None

    @property
    def category(self) -> str:
        return self.code.split(".", 1)[0]


def finding(
    code: str,
    severity: str,
    deduction: float,
    value: float | str,
    threshold: float | str,
    text: str,
    box: Box | None = None,
) -> Finding:
    """A Finding whose message ends with its deduction, as the platform's diagnostic does.

    Numbers are turned into plain Python ones so the finding serialises to JSON as it is.
    """
    plain_box = None if box is None else (int(box[0]), int(box[1]), int(box[2]), int(box[3]))
    return Finding(
        code, severity, float(deduction), _plain(value), _plain(threshold), f"{text} (-{deduction:g})", plain_box
    )


def _plain(value: float | str) -> float | str:
    if isinstance(value, str):
        return value
    number = float(value)
    return int(number) if number.is_integer() and not isinstance(value, float) else number


@dataclass(frozen=True)
class CheckInput:
    """A file's name, bytes, sniffed format, decoded upright RGB (None when it does not decode) and its scene."""

    name: str
    data: bytes
    format: str | None
    rgb: np.ndarray | None
    decode_error: str | None = None
    scene: Scene | None = None
