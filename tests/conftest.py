"""Shared fixtures: settings, a model-free segmenter, synthetic photos written to disk."""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import settings as hypothesis_settings
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from aefix.models import default_models_dir
from aefix.settings import Settings

# Property tests draw the same examples on every run: CI failures are reproducible.
hypothesis_settings.register_profile("aefix", derandomize=True)
hypothesis_settings.load_profile("aefix")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def settings() -> Settings:
    return Settings(models_dir=default_models_dir())


def save_rgb(path: Path, rgb: np.ndarray, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, **options)
    return path


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum()) / float((a | b).sum())


def place_on_canvas(truth: np.ndarray, predicted: np.ndarray, size: int = 1000, margin: float = 0.075) -> np.ndarray:
    """The true mask moved to the output canvas by the crop the pipeline applied (from `predicted`'s box)."""
    rows, cols = np.nonzero(predicted)
    top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    scale = size * (1 - 2 * margin) / max(bottom - top, right - left)
    width, height = round((right - left) * scale), round((bottom - top) * scale)
    matrix = np.array([[scale, 0, (size - width) // 2 - left * scale], [0, scale, (size - height) // 2 - top * scale]])
    return cv2.warpAffine(truth.astype(np.uint8), matrix, (size, size), flags=cv2.INTER_NEAREST).astype(bool)


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * pixels + 1, 2 * pixels + 1), np.uint8)).astype(bool)


def disc_on_sweep(diameter: int, side: int = 1000) -> np.ndarray:
    """A blue disc `diameter` px across in the middle of a `side` px light-grey sweep (RGB uint8):
    at 40 px in 1000 it is upscaled x21 to fill the canvas, which sends it to review."""
    photo = np.full((side, side, 3), 245, np.uint8)
    rows, cols = np.ogrid[:side, :side]
    photo[(rows - side // 2) ** 2 + (cols - side // 2) ** 2 <= (diameter / 2) ** 2] = (30, 60, 160)
    return photo


def drawn_star(shape: tuple[int, int], centre: tuple[float, float], radius: float) -> np.ndarray:
    """A five-pointed star's mask (inner radius 0.45 of `radius`), its corners placed to 1/16 px."""
    angles = np.arange(10) * np.pi / 5 - np.pi / 2
    radii = np.where(np.arange(10) % 2 == 0, radius, radius * 0.45)
    points = np.stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)], axis=1)
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.rint(points * 16).astype(np.int32)], 1, shift=4)
    return mask.astype(bool)
