"""Product masks: the Segmenter protocol, the rembg-backed segmenter, and a deterministic double.

A segmenter returns a soft mask in [0, 1] at the source resolution. `mask_from_soft` turns it
into the product mask the later stages use.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, cast

import cv2
import numpy as np
from PIL import Image

from aefix.errors import NoProductError, SetupError
from aefix.models import resolve_model
from aefix.regions import bounding_box, without_specks

log = logging.getLogger("aefix")


class Segmenter(Protocol):
    """Anything that maps an RGB photo to a soft product mask of the same height and width."""

    name: str

    def predict(self, rgb: np.ndarray) -> np.ndarray: ...


def check_device(device: str) -> None:
    """SetupError unless the model can run on `device` ("cpu" always can)."""
    if device != "cuda":
        return
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        raise SetupError(
            "--device cuda: this onnxruntime has no CUDA support; install onnxruntime-gpu "
            "(pip install onnxruntime-gpu, in place of onnxruntime) and a CUDA runtime, or use --device cpu"
        )


# rembg's module for the models whose module imports nothing else of rembg's sessions package
# (rembg's other BiRefNet modules import BiRefNetSessionGeneral from that package).
SESSION_MODULES: dict[str, str] = {
    "u2netp": "u2netp",
    "u2net": "u2net",
    "silueta": "silueta",
    "isnet-general-use": "dis_general_use",
    "birefnet-general": "birefnet_general",
}


def _without_init(package: str) -> ModuleType | None:
    """Register `package` as imported without running its __init__ (its submodules still import);
    the module registered, or None where it was imported already or is not a package."""
    if package in sys.modules:
        return None
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    hollow = importlib.util.module_from_spec(spec)
    sys.modules[package] = hollow
    return hollow


def rembg_session_class(model: str) -> type[Any]:
    """rembg's session class for `model`, its module imported alone where it can be, and never
    rembg's package __init__: that imports rembg's alpha matting (pymatting, numba, scikit-image),
    about 180 MB per process that aefix never uses. When rembg is already imported in full, that
    copy is used.

    rembg's sessions package imports every session it has (its SAM session alone brings in
    scipy.ndimage): a worker's segmenter took 0.32 s to make here and 125 MB of memory with it,
    0.10 s and 103 MB with the one module. The package is set aside only while that module
    loads, so that rembg imported in full later (`rembg.remove`) runs the package's own __init__.
    """
    _without_init("rembg")
    alone = SESSION_MODULES.get(model)
    if alone is None or "rembg.sessions" in sys.modules:
        from rembg.sessions import sessions

        return sessions[model]
    hollow = _without_init("rembg.sessions")
    try:
        module = importlib.import_module(f"rembg.sessions.{alone}")
    finally:
        if hollow is not None and sys.modules.get("rembg.sessions") is hollow:
            del sys.modules["rembg.sessions"]
    for value in vars(module).values():
        if isinstance(value, type) and value.__module__ == module.__name__ and cast(Any, value).name() == model:
            return value
    raise SetupError(f"rembg's {module.__name__} has no session for {model!r}")


class RembgSegmenter:
    """One rembg session, created once and reused for every image a worker handles."""

    def __init__(self, model: str, models_dir: Path, max_side_px: int = 1024, device: str = "cpu") -> None:
        resolve_model(model, models_dir)  # checksum first: rembg only checks the file exists
        check_device(device)
        # rembg reads U2NET_HOME when the session is built; the flat file there is found first.
        os.environ["U2NET_HOME"] = str(models_dir.resolve())
        import onnxruntime as ort

        ort.set_default_logger_severity(3)  # onnxruntime's warnings are not the user's business
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Memory per worker, measured on u2netp (make bench's machine): memory-pattern planning
        # keeps a second set of activation buffers, 195 MB for no speed; the CPU arena keeps
        # another 171 MB for 0.14 s per single-threaded inference (0.80 -> 0.67 s). Without both,
        # two workers peaked at 1226-1553 MB over make bench's 100 and 500 images.
        options.enable_mem_pattern = False
        options.enable_cpu_mem_arena = False
        # Denormal floats flushed to zero: u2netp's inference 245 -> 237 ms on one thread (20 of make
        # bench's photos, alternated), the same masks to the bit there and on bench-quality's 64.
        # The flag stays set on the thread that ran the session: numpy there flushes them too.
        options.add_session_config_entry("session.set_denormal_as_zero", "1")
        self.name = model
        self.max_side_px = max_side_px
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device == "cuda" else ["CPUExecutionProvider"]
        # As rembg's new_session does: a pool worker's share of the cores, from OMP_NUM_THREADS.
        threads = int(os.environ.get("OMP_NUM_THREADS", "0"))
        options.intra_op_num_threads = options.inter_op_num_threads = threads
        self._session = rembg_session_class(model)(model, options, providers=providers)
        if device == "cuda" and self._session.inner_session.get_providers()[0] != "CUDAExecutionProvider":
            raise SetupError(
                "--device cuda: onnxruntime could not start CUDA (no GPU visible, or its CUDA/cuDNN "
                "libraries are missing); use --device cpu"
            )

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        # The network sees 320-1024 px; a smaller copy gives it the same input for far less work.
        scale = min(1.0, self.max_side_px / max(height, width))
        small = rgb
        if scale < 1.0:
            small = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        mask: np.ndarray = np.asarray(self._session.predict(Image.fromarray(small))[0], dtype=np.float32) / 255.0
        if mask.shape != (height, width):
            mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
        return np.clip(mask, 0.0, 1.0)


class BackgroundDistanceSegmenter:
    """Deterministic, model-free segmenter: product = pixels far in colour from the frame's median.

    The in-package test double for unit tests (no model, no randomness), and good enough for a
    plain product on a near-uniform backdrop.
    """

    name = "background-distance"

    def __init__(self, threshold: float = 40.0, ramp: float = 20.0) -> None:
        self.threshold = threshold
        self.ramp = ramp

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        frame = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).astype(np.float32)
        background = np.median(frame, axis=0)
        distance = np.linalg.norm(rgb.astype(np.float32) - background, axis=2)
        return np.clip((distance - self.threshold) / self.ramp + 0.5, 0.0, 1.0)


@dataclass(frozen=True)
class ProductMask:
    """`hard`: which pixels are product; `alpha`: its opacity in [0, 1], exactly 0 outside `hard`."""

    hard: np.ndarray
    alpha: np.ndarray
    soft: np.ndarray


# Soft values this far above 0.5 are fully opaque; below, the edge ramps to white.
OPAQUE_SOFT = 0.9


def mask_from_soft(soft: np.ndarray) -> ProductMask:
    """Threshold at 0.5, drop specks, and ramp alpha from 0 at the mask's edge to 1 inside.

    Invariant: alpha is exactly 0 wherever `hard` is False, so that pixel becomes pure white.
    Holes (a mug's handle) stay open: nothing is filled.
    """
    hard = without_specks(soft >= 0.5)
    alpha = np.zeros(soft.shape, np.float32)
    box = bounding_box(hard)  # not None: without_specks raised on an empty mask
    if box is not None:
        ramp = np.clip((soft[box] - 0.5) / (OPAQUE_SOFT - 0.5), 0.0, 1.0)
        alpha[box] = np.where(hard[box], ramp, 0.0)
    return ProductMask(hard=hard, alpha=alpha, soft=soft)


def mask_from_alpha(alpha: np.ndarray) -> ProductMask:
    """The file's own transparency is the mask: the product was already cut out."""
    opacity = alpha.astype(np.float32) / 255.0
    hard = alpha > 0
    if not hard.any():
        raise NoProductError("no product found (the image is fully transparent)")
    return ProductMask(hard=hard, alpha=opacity, soft=opacity)
