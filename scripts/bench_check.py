"""Benchmark the compliance check on the generated, labelled defect set (`make bench-check`).

Prints per-defect recall (the image carries the defect's code), the clean false-positive rate
(a clean image with any finding or under the pass mark), and check time per image. Targets:
recall >= 95% per kind, false positives <= 2%, median <= 0.5 s per 1000x1000 image.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from aefix.compliance import check_bytes
from aefix.profiles import load_profile
from defects import DEFECTS, labelled_set

RECALL_TARGET, FALSE_POSITIVE_TARGET, MEDIAN_TARGET_S = 0.95, 0.02, 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=20, help="images per defect kind (default 20)")
    parser.add_argument("--clean", type=int, default=100, help="clean images (default 100)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated set (default 2026)")
    parser.add_argument("--show-misses", action="store_true", help="print every miss with its findings")
    args = parser.parse_args()

    started = time.perf_counter()
    images = labelled_set(args.per_kind, args.clean, args.seed)
    print(f"generated {len(images)} images in {time.perf_counter() - started:.0f} s (seed {args.seed})")
    profile = load_profile("aliexpress")
    check_bytes(images[0].name, images[0].data, profile)  # load the OCR model outside the timings

    hits: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    seconds: list[float] = []
    seconds_1000: list[float] = []
    for image in images:
        clock = time.perf_counter()
        result = check_bytes(image.name, image.data, profile)
        elapsed = time.perf_counter() - clock
        seconds.append(elapsed)
        if result.metrics.get("width") == 1000 and result.metrics.get("height") == 1000:
            seconds_1000.append(elapsed)
        codes = [finding.code for finding in result.findings]
        correct = (not codes and result.passed) if image.kind == "clean" else image.expected_code in codes
        totals[image.kind] += 1
        hits[image.kind] += correct
        if args.show_misses and not correct:
            print(f"  miss {image.name}: score {result.score} {codes}")

    print(f"\n{'kind':<18}{'code':<24}{'recall':>8}")
    failed = False
    for kind in DEFECTS:
        recall = hits[kind.name] / totals[kind.name]
        failed |= recall < RECALL_TARGET
        print(f"{kind.name:<18}{kind.code:<24}{recall:>8.1%}  ({hits[kind.name]}/{totals[kind.name]})")
    false_positive = 1.0 - hits["clean"] / totals["clean"]
    failed |= false_positive > FALSE_POSITIVE_TARGET
    print(f"{'clean':<18}{'(no finding)':<24}{'':>8}  false positives {false_positive:.1%} of {totals['clean']}")
    median_1000 = statistics.median(seconds_1000)
    failed |= median_1000 > MEDIAN_TARGET_S
    print(
        f"\ncheck time per 1000x1000 image: median {median_1000:.3f} s, "
        f"p90 {statistics.quantiles(seconds_1000, n=10)[-1]:.3f} s ({len(seconds_1000)} images); "
        f"all images: median {statistics.median(seconds):.3f} s, max {max(seconds):.2f} s"
    )
    print(
        f"targets: recall >= {RECALL_TARGET:.0%} per kind, false positives <= {FALSE_POSITIVE_TARGET:.0%}, "
        f"median <= {MEDIAN_TARGET_S} s: {'MISSED' if failed else 'met'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
