"""Throughput and memory: `aefix run` vs `rembg p` vs the model's floor, same model (`make bench`).

Generates (seeded, cached in .bench-cache/) 60 inputs: 12 MP phone JPEGs, 2000x2000 and 1000x1000
JPEGs and cut-out PNGs with alpha. Then, in one run and for the median of --runs runs each, times:
  aefix   `aefix run SRC OUT` with default options (default model u2netp, default workers);
  rembg   `rembg p -m u2netp SRC OUT` (the same model; background removal only);
  floor   u2netp inference alone on pre-made 320x320 inputs, one session per core, one thread each.
It prints images/s, s/image and the peak RSS of the whole process tree (sampled from /proc every
50 ms), and the ratios: of the medians, and run by run (each run's aefix and rembg back to back,
in turn first). Then the memory check: peak RSS of `aefix run` over 100 and over 500
images (the 60 inputs repeated), and each run's peak in each fifth of its time. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

MIX = (  # (how many, (width, height), encoding)
    (24, (4032, 3024), "jpeg"),
    (14, (2000, 2000), "jpeg"),
    (12, (1000, 1000), "jpeg"),
    (10, (1200, 1200), "cutout"),
)
MODEL_INPUT = 320


def generate(folder: Path, seed: int) -> list[Path]:
    """The 60 inputs, generated once per seed; a marker file says the set is complete."""
    from photoset import make_truth_photo

    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        index = 0
        started = time.perf_counter()
        for count, size, encoding in MIX:
            for _ in range(count):
                photo = make_truth_photo(index, seed, size=size, encoding=encoding)
                suffix = ".jpg" if encoding == "jpeg" else ".png"
                (folder / f"{index:03d}-{size[0]}x{size[1]}-{encoding}{suffix}").write_bytes(photo.data)
                index += 1
        marker.touch()
        print(f"generated {index} inputs in {time.perf_counter() - started:.0f} s into {folder}")
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler:
    """Peak of the summed RSS of a process and all its descendants, sampled every 50 ms (all samples kept)."""

    def __init__(self, root: int, include_root: bool = True) -> None:
        self.root, self.include_root, self.peak_kb = root, include_root, 0
        self.samples_kb: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.root)
            if not self.include_root:
                pids = [pid for pid in pids if pid != self.root]
            self.samples_kb.append(sum(_rss_kb(pid) for pid in pids))
            self.peak_kb = max(self.peak_kb, self.samples_kb[-1])
            self._stop.wait(0.05)

    def window(self, start: float, end: float) -> list[int]:
        """The samples (kB) from share `start` to share `end` of the run (0-1, by time)."""
        count = len(self.samples_kb)
        return self.samples_kb[int(start * count) : max(int(start * count) + 1, int(end * count))]

    def window_peak_mb(self, start: float, end: float) -> float:
        """Peak over the samples from share `start` to share `end` of the run."""
        return max(self.window(start, end), default=0) / 1024

    def window_median_mb(self, start: float, end: float) -> float:
        """Median of the samples from share `start` to share `end` of the run: the level the tree holds
        there, which a coincidence of two large photos in the workers at once does not move."""
        return statistics.median(self.window(start, end) or [0]) / 1024

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_command(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak tree RSS (MB) of one command; it must succeed or exit 1 (needs review)."""
    wall, sampler = sampled_command(command, env)
    return wall, sampler.peak_kb / 1024


def sampled_command(command: list[str], env: dict[str, str]) -> tuple[float, TreeSampler]:
    """Wall seconds and the RSS samples of one command; it must succeed or exit 1 (needs review)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeSampler(process.pid) as sampler:
        _, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-2000:]}")
    return wall, sampler


def _floor_worker(job: tuple[str, int, int]) -> float:
    model, count, seed = job
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    rng = np.random.default_rng(seed)
    inputs = [rng.normal(0, 1, (1, 3, MODEL_INPUT, MODEL_INPUT)).astype(np.float32) for _ in range(count)]
    session.run(None, {name: inputs[0]})  # the first run allocates; a batch runs warm
    started = time.perf_counter()
    for tensor in inputs:
        session.run(None, {name: tensor})
    return time.perf_counter() - started


def model_floor(model: Path, images: int, cores: int) -> tuple[float, float]:
    """Seconds for `images` inferences spread over one single-threaded session per core, and peak RSS."""
    shares = [images // cores + (1 if index < images % cores else 0) for index in range(cores)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(cores) as pool, TreeSampler(os.getpid(), include_root=False) as sampler:
        seconds = pool.map(_floor_worker, [(str(model), share, index) for index, share in enumerate(shares)])
    return max(seconds), sampler.peak_kb / 1024


def repeated(folder: Path, inputs: list[Path], count: int) -> Path:
    """`count` images in `folder`: the inputs hard-linked again and again under new names."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        source = inputs[index % len(inputs)]
        os.link(source, folder / f"{index:04d}-{source.name}")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each, the median is printed (default 5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-growth", action="store_true", help="leave out the 100 vs 500 image memory check")
    parser.add_argument("--growth-only", action="store_true", help="only the 100 vs 500 image memory check")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    inputs = generate(ROOT / ".bench-cache" / f"throughput-{args.seed}", args.seed)
    models = ROOT / "models"
    env = dict(os.environ, ORT_DISABLE_TELEMETRY="1", U2NET_HOME=str(models), AEFIX_MODELS_DIR=str(models))
    rembg = Path(sys.executable).with_name("rembg")
    if not rembg.exists():
        raise SystemExit("the rembg CLI is missing: make bench installs it (pip install -e '.[bench]')")
    aefix = [sys.executable, "-m", "aefix", "run"]
    if args.growth_only:
        growth(inputs, aefix, env)
        return 0
    src = inputs[0].parent
    figures: dict[str, list[tuple[float, float]]] = {"aefix run": [], "rembg p": [], "model floor": []}
    commands = {
        "aefix run": lambda out: [*aefix, str(src), f"{out}/aefix", "--quiet"],
        "rembg p": lambda out: [str(rembg), "p", "-m", "u2netp", str(src), f"{out}/rembg"],
    }
    for run in range(args.runs):
        # Each pair runs back to back, in turn first: this machine's speed drifts by a fifth
        # within minutes, and a pair's ratio sees less of that than the two medians do.
        order = list(commands) if run % 2 == 0 else list(commands)[::-1]
        with tempfile.TemporaryDirectory() as out:
            for name in order:
                figures[name].append(timed_command(commands[name](out), env))
        figures["model floor"].append(model_floor(models / "u2netp.onnx", len(inputs), cores))
        print(f"run {run + 1}/{args.runs}: " + ", ".join(f"{k} {v[-1][0]:.1f} s" for k, v in figures.items()))

    count = len(inputs)
    print(
        f"\n{count} inputs ({', '.join(f'{n} x {w}x{h} {e}' for n, (w, h), e in MIX)}), {cores} cores, "
        f"median of {args.runs} runs"
    )
    print(f"{'':<14}{'wall s':>9}{'images/s':>10}{'s/image':>9}{'peak RSS MB':>13}")
    medians = {}
    for name, runs in figures.items():
        wall = statistics.median(seconds for seconds, _ in runs)
        peak = max(rss for _, rss in runs)
        medians[name] = wall
        print(f"{name:<14}{wall:>9.1f}{count / wall:>10.2f}{wall / count:>9.3f}{peak:>13.0f}")
    print(f"throughput aefix / rembg p: {medians['rembg p'] / medians['aefix run']:.2f}x (target >= 1.5x)")
    pairs = [theirs / ours for (ours, _), (theirs, _) in zip(figures["aefix run"], figures["rembg p"], strict=True)]
    print(
        f"  run by run: {' '.join(f'{ratio:.2f}' for ratio in pairs)}x "
        f"(median {statistics.median(pairs):.2f}x, range {min(pairs):.2f}-{max(pairs):.2f}x)"
    )
    print(f"time aefix / model floor:   {medians['aefix run'] / medians['model floor']:.2f}x (target <= 1.3x)")
    print("peak RSS is the largest of the runs; the floor's excludes this script's own process")

    if not args.skip_growth:
        growth(inputs, aefix, env)
    return 0


def growth(inputs: list[Path], aefix: list[str], env: dict[str, str]) -> None:
    """Peak RSS over 100 and over 500 images, and each run's peak and median in each fifth of its time.

    Two runs' peaks differ by chance too (which worker gets which photo, and when both are at their
    largest at once); the fifths of the 500-image run hold about 100 images each, the same chances,
    so a leak shows as fifths that keep rising, and a warm-up as early fifths below a level the
    later ones keep. The medians are the level the workers hold between such moments: a leak
    raises them fifth by fifth and the 500 images' last fifth over the 100 images'.
    """
    print("\nmemory over a long batch (the inputs repeated), default options:")
    held: dict[int, float] = {}
    for size in (100, 500):
        with tempfile.TemporaryDirectory() as work:
            folder = repeated(Path(work) / "src", inputs, size)
            wall, sampler = sampled_command([*aefix, str(folder), f"{work}/out", "--quiet"], env)
        line = f"  {size:>4} images: {wall:7.1f} s  {wall / size:.3f} s/image  peak RSS {sampler.peak_kb / 1024:.0f} MB"
        fifths = [sampler.window_peak_mb(index / 5, (index + 1) / 5) for index in range(5)]
        levels = [sampler.window_median_mb(index / 5, (index + 1) / 5) for index in range(5)]
        line += f"; by fifth of the run, peak {' '.join(f'{peak:.0f}' for peak in fifths)} MB"
        line += f", median {' '.join(f'{level:.0f}' for level in levels)} MB"
        print(line)
        held[size] = levels[-1]
    print(f"  last fifth's median, 500 images over 100: {held[500] - held[100]:+.0f} MB (a leak shows as a rise)")


if __name__ == "__main__":
    raise SystemExit(main())
