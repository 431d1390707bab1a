"""Time a first run and a rerun with nothing new over N generated photos (`make bench-rerun`).

The rerun must take under 5% of the first run: it only stats sources against the manifest.
Printed, never asserted. Photos are 800x600 JPEGs from tests/synth.py, seeded.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from PIL import Image

from synth import make_photo

SHAPES = ("ellipse", "box", "mug", "bottle")


def timed_run(src: Path, dst: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "aefix", "run", str(src), str(dst), "--quiet"], capture_output=True, text=True
    )
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        src, dst = Path(root) / "raw", Path(root) / "out"
        src.mkdir()
        for index in range(args.images):
            photo = make_photo(f"p{index}", index, SHAPES[index % 4], size=(800, 600), backdrop=240 + index % 12)
            Image.fromarray(photo.rgb).save(src / f"p{index:04d}.jpg", quality=90)
        first, first_line = timed_run(src, dst)
        rerun, rerun_line = timed_run(src, dst)
        print(f"first run: {first:.1f} s  ({first_line})")
        print(f"rerun, nothing new: {rerun:.2f} s  ({rerun_line})")
        print(f"rerun / first run: {rerun / first:.2%} (target under 5%)")


if __name__ == "__main__":
    main()
