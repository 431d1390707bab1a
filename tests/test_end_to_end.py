"""The real job: the installed `aefix` with the real u2netp model, offline, on synthetic and real photos."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import EXAMPLES, dilate, iou, place_on_canvas, save_rgb
from synth import standard_set

pytestmark = pytest.mark.model

# Measured with u2netp on tests/synth.py's standard set (2026-11-27): IoU 0.992-0.998 per image.
IOU_FLOOR = 0.98
# Background purity is asserted outside the true mask dilated by this much: the network's edge
# error (measured at most 8 px on the mug handle) plus one 8x8 JPEG block of ringing.
DILATION_PX = 16


def aefix(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "aefix", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("e2e")
    photos = {}
    for photo in standard_set():
        save_rgb(root / "raw" / f"{photo.name}.jpg", photo.rgb, quality=92)
        photos[photo.name] = photo
    strace = ("strace", "-f", "-e", "trace=connect", "-o", str(root / "strace.txt"))
    done = aefix("run", str(root / "raw"), str(root / "out"), "--masks", str(root / "masks"), "--quiet", prefix=strace)
    return root, photos, done


def test_masks_match_the_truth(synthetic_run) -> None:
    root, photos, done = synthetic_run
    assert done.returncode == 0, done.stdout + done.stderr
    scores = {}
    for name, photo in photos.items():
        predicted = np.asarray(Image.open(root / "masks" / f"{name}.png")) >= 128
        assert predicted.shape == photo.mask.shape
        scores[name] = iou(predicted, photo.mask)
    print("IoU of --masks against truth (u2netp):", {name: round(value, 4) for name, value in scores.items()})
    assert min(scores.values()) >= IOU_FLOOR


def test_background_is_pure_white_outside_the_product(synthetic_run) -> None:
    root, photos, _ = synthetic_run
    for name, photo in photos.items():
        out = np.asarray(Image.open(root / "out" / f"{name}.jpg"))
        predicted = np.asarray(Image.open(root / "masks" / f"{name}.png")) > 0
        outside = ~dilate(place_on_canvas(photo.mask, predicted), DILATION_PX)
        assert outside.sum() > 200_000
        assert (out[outside] == 255).all(), f"{name}: {(out[outside] != 255).any(axis=1).sum()} impure pixels"


def test_no_network_connection_is_attempted(synthetic_run) -> None:
    root, _, done = synthetic_run
    assert done.returncode == 0
    trace = (root / "strace.txt").read_text()
    inet = [line for line in trace.splitlines() if re.search(r"connect\(\d+, \{sa_family=AF_INET6?,", line)]
    assert inet == []


def test_report_lists_every_image(synthetic_run) -> None:
    root, photos, done = synthetic_run
    report = json.loads((root / "out" / "aefix-report.json").read_text())
    assert report["totals"]["images"] == len(photos) == report["totals"]["ok"]
    assert {Path(item["source"]).stem for item in report["items"]} == set(photos)
    assert all(item["score"] >= 92 and item["status"] == "ok" for item in report["items"])
    assert done.stdout.strip().startswith(f"aefix: {len(photos)} images: {len(photos)} ok, 0 need review, 0 errors in ")


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root and util-linux unshare")
def test_examples_in_a_network_namespace_without_interfaces(tmp_path: Path) -> None:
    done = aefix("run", str(EXAMPLES), str(tmp_path / "out"), prefix=("unshare", "-n"))
    assert done.returncode in (0, 1), done.stderr
    sources = sorted(p for p in EXAMPLES.iterdir() if p.suffix.lower() in {".jpg", ".png"})
    assert len(sources) >= 5
    for source in sources:
        out = tmp_path / "out" / f"{source.stem}.jpg"
        data = out.read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and len(data) <= 5_000_000
        assert Image.open(out).size == (1000, 1000)
    report = json.loads((tmp_path / "out" / "aefix-report.json").read_text())
    assert report["totals"]["errors"] == 0
