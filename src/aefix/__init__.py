"""aefix: batch-turn raw product photos into marketplace-compliant main images."""

import os

# onnxruntime >= 1.32 starts a native telemetry thread at import that resolves a Microsoft
# host; only this variable, set before the first import, stops it (disable_telemetry_events()
# after import does not). aefix makes no network call at run time.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

__version__ = "0.1.0"
