"""Time `aefix run` on a folder: images per second, per-stage medians, peak RSS (run: make bench).

Figures are printed, never asserted. Each run writes to a fresh temporary folder.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 3


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "examples")
    walls: list[float] = []
    stages: dict[str, list[float]] = {}
    images = 0
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "aefix", "run", str(src), out, "--quiet"], check=False)
            walls.append(time.perf_counter() - start)
            report = json.loads((Path(out) / "aefix-report.json").read_text())
            images = report["totals"]["images"]
            for item in report["items"]:
                for stage, seconds in item["timings"].items():
                    stages.setdefault(stage, []).append(seconds)
    wall = statistics.median(walls)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n{images} images from {src}, median of {RUNS} runs (process start and model load included)")
    print(
        f"  wall {wall:.2f} s   {images / wall:.2f} images/s   {wall / images:.2f} s/image   peak RSS {peak_mb:.0f} MB"
    )
    print("  per-stage median seconds per image:")
    for stage, values in stages.items():
        print(f"    {stage:<8} {statistics.median(values):.4f}")


if __name__ == "__main__":
    main()
