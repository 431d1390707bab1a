"""Text detection and recognition with rapidocr (PP-OCR ONNX weights from its wheel; nothing is fetched)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

# The detector sees at most this many pixels on the long side: 12-px glyphs on a 1000-px image survive it.
DETECT_MAX_SIDE_PX = 736


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
    return engine


def read_text(rgb: np.ndarray) -> list[TextBox]:
    """Every text line the OCR finds, with its confidence and axis-aligned box."""
    result = _engine()(np.ascontiguousarray(rgb))
    texts = getattr(result, "txts", None)
    if not texts:
        return []
    boxes: list[TextBox] = []
    for points, text, score in zip(result.boxes, texts, result.scores, strict=False):
        corners = np.asarray(points)
        x0, y0 = np.floor(corners.min(axis=0)).astype(int)
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
        box = (max(0, int(x0)), max(0, int(y0)), int(x1), int(y1))
        sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
        height = float(min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2))
        boxes.append(TextBox(str(text).strip(), float(score), box, height))
    return boxes
