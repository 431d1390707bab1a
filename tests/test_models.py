import os
from pathlib import Path

import pytest

from aefix.errors import ModelError
from aefix.models import DEFAULT_MODEL, fetch_model, list_models, resolve_model


def test_missing_model_names_the_file_to_drop_in(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as error:
        resolve_model("isnet-general-use", tmp_path)
    assert str(error.value) == (
        f"model file {tmp_path / 'isnet-general-use.onnx'} not found: drop isnet-general-use.onnx into {tmp_path} "
        "or run `aefix models --fetch isnet-general-use` where there is internet"
    )


def test_corrupt_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "u2netp.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelError, match="is corrupt: md5 "):
        resolve_model("u2netp", tmp_path)


def test_unknown_model_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="unknown model 'sam'; known models: u2netp, u2net"):
        resolve_model("sam", tmp_path)


def test_listing_marks_present_and_default(tmp_path: Path) -> None:
    (tmp_path / "birefnet-general.onnx").write_bytes(b"x")
    states = {info.name: (info.present, info.is_default) for info in list_models(tmp_path)}
    assert states["birefnet-general"] == (True, False)
    assert states[DEFAULT_MODEL] == (False, True)


def test_fetched_model_is_verified_and_refetch_is_a_no_op(settings) -> None:
    # `make models` ran before the tests: the file is there with the right checksum.
    path = resolve_model(DEFAULT_MODEL, settings.models_dir)
    assert path.stat().st_size == 4_574_861
    mtime = path.stat().st_mtime_ns
    assert fetch_model(DEFAULT_MODEL, settings.models_dir) == path  # no network needed
    assert path.stat().st_mtime_ns == mtime


def test_another_rembg_model_loads_from_models_dir_offline(tmp_path: Path, settings, monkeypatch) -> None:
    # No other model can be fetched here, so stand one in: u2net shares u2netp's input format, and
    # a copy of u2netp under u2net's file name must be found and loaded by rembg's own u2net session.
    import shutil

    import numpy as np

    import aefix.models
    from aefix.segment import RembgSegmenter

    shutil.copy(resolve_model(DEFAULT_MODEL, settings.models_dir), tmp_path / "u2net.onnx")
    monkeypatch.setitem(aefix.models.KNOWN_MODELS, "u2net", aefix.models.KNOWN_MODELS[DEFAULT_MODEL])
    monkeypatch.delenv("U2NET_HOME", raising=False)
    segmenter = RembgSegmenter("u2net", tmp_path)
    assert type(segmenter._session).__name__ == "U2netSession"
    rgb = np.full((300, 400, 3), 240, np.uint8)
    rgb[100:200, 150:250] = (200, 30, 30)
    soft = segmenter.predict(rgb)
    assert soft.shape == (300, 400)
    assert soft[150, 200] > 0.9 and soft[10, 10] < 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u2net.onnx"]  # nothing downloaded beside it


@pytest.mark.parametrize("name", ["isnet-general-use", "birefnet-dis"])
def test_a_larger_model_is_fetched_by_its_rembg_session_and_verified(tmp_path: Path, name: str, monkeypatch) -> None:
    # No network here: the session class's own downloader is stood in, writing what it fetched
    # into the U2NET_HOME it finds, as rembg's does. Its wrong bytes must install nothing.
    from aefix.segment import rembg_session_class

    session_class = rembg_session_class(name)
    homes: list[str] = []

    def download_models(cls: type, *args: object, **kwargs: object) -> str:
        home = Path(os.environ["U2NET_HOME"])
        homes.append(str(home))
        (home / f"{name}.onnx").write_bytes(b"not the model")
        return str(home / f"{name}.onnx")

    monkeypatch.setattr(session_class, "download_models", classmethod(download_models))
    monkeypatch.setenv("U2NET_HOME", "/somewhere/else")
    with pytest.raises(ModelError, match=f"downloaded {name} has md5 .*nothing was installed"):
        fetch_model(name, tmp_path)
    assert len(homes) == 1 and Path(homes[0]).parent == tmp_path  # a scratch folder inside models_dir
    assert list(tmp_path.iterdir()) == []  # the scratch folder is gone, nothing installed
    assert os.environ["U2NET_HOME"] == "/somewhere/else"


def test_listing_shows_unknown_onnx_files(tmp_path: Path) -> None:
    (tmp_path / "my-finetune.onnx").write_bytes(b"x")
    others = [info for info in list_models(tmp_path) if not info.known]
    assert [(info.name, info.present) for info in others] == [("my-finetune", True)]


def test_a_run_hashes_the_model_once_and_a_changed_file_again(tmp_path: Path, settings, monkeypatch) -> None:
    import shutil

    import aefix.models

    path = tmp_path / "u2netp.onnx"
    shutil.copy(resolve_model(DEFAULT_MODEL, settings.models_dir), path)
    hashed: list[Path] = []
    real_md5 = aefix.models.file_md5
    monkeypatch.setattr(aefix.models, "file_md5", lambda p: hashed.append(p) or real_md5(p))
    resolve_model(DEFAULT_MODEL, tmp_path)
    resolve_model(DEFAULT_MODEL, tmp_path)  # the CLI's setup check, then the segmenter's
    assert len(hashed) == 1
    with path.open("ab") as stream:
        stream.write(b"tampered")
    with pytest.raises(ModelError, match="is corrupt"):
        resolve_model(DEFAULT_MODEL, tmp_path)
    assert len(hashed) == 2
