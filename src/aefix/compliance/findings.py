"""What a check returns (Finding) and what it looks at (CheckInput)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Finding:
    """One deduction: a stable code, how bad, what was measured against which threshold, and why."""

    code: str
    severity: str  # "fail": breaks a hard rule; "warn": costs points; "info": no deduction
    deduction: float
    value: float | str
    threshold: float | str
    message: str
    box: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class CheckInput:
    """A file's name, bytes, sniffed format and decoded upright RGB (None when it does not decode)."""

    name: str
    data: bytes
    format: str | None
    rgb: np.ndarray | None
    decode_error: str | None = None
