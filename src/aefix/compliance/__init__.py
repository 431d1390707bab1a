"""Compliance: a 0-100 score with itemized findings; `aefix check` and the run's re-check share it."""

from aefix.compliance.core import CHECKS, ComplianceResult, check_bytes, check_file, check_input
from aefix.compliance.findings import CheckInput, Finding, Metrics

__all__ = [
    "CHECKS",
    "CheckInput",
    "ComplianceResult",
    "Finding",
    "Metrics",
    "check_bytes",
    "check_file",
    "check_input",
]
