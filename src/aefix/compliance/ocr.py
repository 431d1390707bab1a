"""Text detection and recognition with rapidocr (PP-OCR ONNX weights from its wheel; nothing is fetched)."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from aefix.compliance.findings import Box
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
# A line read again in a region is the whole read's line when this much of the smaller box overlaps.
REREAD_SAME_LINE_OVERLAP = 0.5


@dataclass(frozen=True)
class TextBox:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), image coordinates
    height: float  # glyph height: the short side of the (possibly rotated) line's quadrilateral
    corners: tuple[tuple[float, float], ...] = ()  # that quadrilateral, image coordinates

    def quad(self) -> np.ndarray:
        """The line's quadrilateral (float32, 4 x 2), or its box's corners when none was kept."""
        x0, y0, x1, y1 = self.box
        return np.array(self.corners or ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), np.float32)


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
    # The detector now: read_text sets its input size. The recognizer waits for a line worth
    # reading, which most main images never have (make bench's 60 outputs: none).
    engine._load_det_model()
    return engine


def read_text(
    rgb: np.ndarray, heights: tuple[float, float] = (0.0, math.inf), regions: Sequence[Box] = ()
) -> list[TextBox]:
    """Every text line the OCR finds with a glyph height within `heights` (px), with its confidence and box.

    Blank white margins are left out (on a main image they are most of the frame): the detector
    reads only the box around everything else, at the scale it would read the whole image, so
    the lines it finds are the ones a whole-image read finds. Each of `regions` (x0, y0, x1, y1)
    is then read again on its own, at the same scale, and lines the whole read missed are added:
    the detector weighs what surrounds a word, and beside a large dark product it can miss a
    badge in a corner that it reads at once when cropped.
    """
    height, width = rgb.shape[:2]
    scale = DETECT_MAX_SIDE_PX / max(height, width)
    left, top, right, bottom = marked_box(rgb)
    if (right - left) * (bottom - top) > CROP_MAX_AREA_SHARE * height * width:
        left, top, right, bottom = 0, 0, width, height
    lines = _read_box(rgb, (left, top, right, bottom), heights, scale)
    for region in regions:
        for line in _read_box(rgb, region, heights, scale):
            if not any(_overlap(line.box, found.box) >= REREAD_SAME_LINE_OVERLAP for found in lines):
                lines.append(line)
    return lines


def _read_box(rgb: np.ndarray, box: Box, heights: tuple[float, float], scale: float) -> list[TextBox]:
    """Lines within `box` of `rgb` (the whole image included), read at `scale`, in image coordinates."""
    left, top, right, bottom = box
    engine = _engine()
    detector = engine.text_det
    # The whole image at DETECT_MAX_SIDE_PX is this too: its long side times `scale`.
    detector.limit_side_len = max(32, round(max(right - left, bottom - top) * min(1.0, scale)))
    try:
        lines = _detect_and_recognize(engine, np.ascontiguousarray(rgb[top:bottom, left:right]), heights)
    finally:
        detector.limit_side_len = DETECT_MAX_SIDE_PX
    boxes: list[TextBox] = []
    for corners, text, score in lines:
        corners = corners + np.array([left, top])
        x0, y0 = np.floor(corners.min(axis=0)).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        found = (max(0, int(x0)), max(0, int(y0)), int(x1), int(y1))
        quad = tuple((float(x), float(y)) for x, y in corners)
        boxes.append(TextBox(text.strip(), score, found, _line_height(corners), quad))
    return boxes


def _overlap(a: Box, b: Box) -> float:
    """Area of the two boxes' intersection over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


def _detect_and_recognize(
    engine: Any, image: np.ndarray, heights: tuple[float, float]
) -> list[tuple[np.ndarray, str, float]]:
    """RapidOCR's own steps (its `__call__` without the angle classifier), recognizing only the lines
    of a height in range: corners in `image`'s pixels, text, score.

    On a main image the detector's lines are mostly the product's outline taken for one tall glyph
    and short strokes on it; cropping and recognizing those took about a fifth of the OCR's time.
    """
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import (
        ResizeImgError,
        apply_vertical_padding,
        get_rotate_crop_image,
        map_boxes_to_original,
        map_img_to_original,
    )

    try:
        prepared, record = engine.preprocess_img(image)
    except ResizeImgError:  # over 2000 px long and so thin that rapidocr's 2000 px copy has no rows
        return []
    record["padding_1"] = {"top": 0, "left": 0}
    if engine.cfg.Global.use_vertical_padding:
        prepared, record = apply_vertical_padding(prepared, record, engine.width_height_ratio, engine.min_height)
    detected = engine.text_det(prepared)
    if detected.boxes is None or len(detected.boxes) == 0:
        return []
    corners = map_boxes_to_original(np.array(detected.boxes), record, *image.shape[:2])
    wanted = [index for index, quad in enumerate(corners) if heights[0] <= _line_height(quad) <= heights[1]]
    if not wanted:
        return []
    crops = [get_rotate_crop_image(prepared, np.array(detected.boxes[index])) for index in wanted]
    resized = record["preprocess"]
    crops = map_img_to_original(crops, resized["ratio_h"], resized["ratio_w"])
    read = engine._load_rec_model()(TextRecInput(img=crops))
    return [
        (corners[index], str(text), float(score))
        for index, text, score in zip(wanted, read.txts or (), read.scores, strict=False)
        if str(text).strip() and score >= engine.text_score
    ]


def _line_height(corners: np.ndarray) -> float:
    """Glyph height: the short side of a (possibly rotated) line's quadrilateral."""
    sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
    return float(min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2))


def marked_box(rgb: np.ndarray, margin_share: float = CONTENT_MARGIN_SHARE) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (exclusive) around every pixel that is not blank white, with a margin of
    `margin_share` of the long side (8 px at least)."""
    marked = channel_min(rgb) < BLANK_MIN_LEVEL
    height, width = marked.shape
    box = bounding_box(marked)
    if box is None:
        return 0, 0, width, height
    rows, cols = box
    margin = max(8, round(margin_share * max(height, width)))
    return (
        max(0, cols.start - margin),
        max(0, rows.start - margin),
        min(width, cols.stop + margin),
        min(height, rows.stop + margin),
    )
