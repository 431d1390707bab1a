"""Text detection and recognition with rapidocr (PP-OCR ONNX weights from its wheel; nothing is fetched)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from aefix.pixels import channel_min
from aefix.regions import bounding_box

# The detector sees at most this many pixels on the long side: 12-px glyphs on a 1000-px image survive it.
DETECT_MAX_SIDE_PX = 736
# Pixels at least this light in every channel are blank white: no mark the OCR could read.
BLANK_MIN_LEVEL = 250
# Context kept around the marked area, as a share of the image's long side.
CONTENT_MARGIN_SHARE = 0.03
# Reading a part of the image pays only when it is at most this share of the whole.
CROP_MAX_AREA_SHARE = 0.8


@dataclass(frozen=True)
class TextBox:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), image coordinates
    height: float  # glyph height: the short side of the (possibly rotated) line's quadrilateral


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr import RapidOCR

    import aefix  # noqa: F401  (sets ORT_DISABLE_TELEMETRY before onnxruntime loads)

    threads = int(os.environ.get("OMP_NUM_THREADS", "-1"))  # a worker of a pool gets its share of the cores
    engine = RapidOCR(
        params={
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "Global.use_cls": False,  # main-image text is upright; the angle classifier costs time
            "Global.log_level": "error",
            "Det.limit_side_len": DETECT_MAX_SIDE_PX,
            "Det.limit_type": "max",
        }
    )
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    engine(np.full((64, 64, 3), 255, np.uint8))  # loads the detector now: read_text sets its input size
    return engine


def read_text(rgb: np.ndarray) -> list[TextBox]:
    """Every text line the OCR finds, with its confidence and axis-aligned box.

    Blank white margins are left out (on a main image they are most of the frame): the detector
    reads only the box around everything else, at the scale it would read the whole image, so
    the lines it finds are the ones a whole-image read finds.
    """
    left, top, right, bottom = _marked_box(rgb)
    engine = _engine()
    detector = getattr(engine, "text_det", None)
    scale = DETECT_MAX_SIDE_PX / max(rgb.shape[:2])
    if detector is not None and (right - left) * (bottom - top) <= CROP_MAX_AREA_SHARE * rgb.shape[0] * rgb.shape[1]:
        detector.limit_side_len = max(32, round(max(right - left, bottom - top) * min(1.0, scale)))
        try:
            result = engine(np.ascontiguousarray(rgb[top:bottom, left:right]))
        finally:
            detector.limit_side_len = DETECT_MAX_SIDE_PX
    else:
        left = top = 0
        result = engine(np.ascontiguousarray(rgb))
    texts = getattr(result, "txts", None)
    if not texts:
        return []
    boxes: list[TextBox] = []
    for points, text, score in zip(result.boxes, texts, result.scores, strict=False):
        corners = np.asarray(points) + np.array([left, top])
        x0, y0 = np.floor(corners.min(axis=0)).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        box = (max(0, int(x0)), max(0, int(y0)), int(x1), int(y1))
        sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
        height = float(min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2))
        boxes.append(TextBox(str(text).strip(), float(score), box, height))
    return boxes


def _marked_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (exclusive) around every pixel that is not blank white, with some margin."""
    marked = channel_min(rgb) < BLANK_MIN_LEVEL
    height, width = marked.shape
    box = bounding_box(marked)
    if box is None:
        return 0, 0, width, height
    rows, cols = box
    margin = max(8, round(CONTENT_MARGIN_SHARE * max(height, width)))
    return (
        max(0, cols.start - margin),
        max(0, rows.start - margin),
        min(width, cols.stop + margin),
        min(height, rows.stop + margin),
    )
