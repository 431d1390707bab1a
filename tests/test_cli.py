import json
import re
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from aefix.cli import app
from conftest import save_rgb
from synth import make_photo

runner = CliRunner()


def test_help_documents_every_run_option_with_defaults() -> None:
    result = runner.invoke(app, ["run", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in [
        "--limit",
        "--model",
        "--size",
        "--margin",
        "--format",
        "--max-bytes",
        "--masks",
        "--dry-run",
        "--quiet",
        "--models-dir",
    ]:
        assert option in result.output
    for default in ["default: 500", "default: 1000", "default: 0.075", "default: jpg", "default: 5000000"]:
        assert default in result.output


def test_missing_model_is_a_setup_error(tmp_path: Path) -> None:
    save_rgb(tmp_path / "raw" / "a.jpg", make_photo("a", 1).rgb)
    result = runner.invoke(
        app,
        [
            "run",
            str(tmp_path / "raw"),
            str(tmp_path / "out"),
            "--model",
            "isnet-general-use",
            "--models-dir",
            str(tmp_path / "none"),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: model file {tmp_path / 'none' / 'isnet-general-use.onnx'} not found")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--margin", "0.6"], "Error: --margin must be in [0, 0.45), not 0.6\n"),
        (["--size", "10"], "Error: --size must be between 64 and 10000 px, not 10\n"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["run", str(tmp_path), str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and result.stderr == message


def test_unreadable_source_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope'}: source folder does not exist\n"


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    for index in range(3):
        save_rgb(tmp_path / "raw" / f"{index}.png", make_photo("p", index).rgb)
    result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out"), "--dry-run", "--limit", "2"])
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[-1]
        == "dry run: 2 image(s) would be processed; 1 left for a later run (--limit); nothing written"
    )
    assert not (tmp_path / "out").exists()


def test_check_exit_codes_and_json(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    bad = tmp_path / "bad.png"
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste((200, 30, 30), (300, 300, 700, 700))
    canvas.save(good)
    Image.new("RGB", (1000, 1000), (240, 240, 240)).save(bad)
    assert runner.invoke(app, ["check", str(good)]).exit_code == 0
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data[str(good)]["score"] == 100.0
    assert data[str(bad)]["findings"][0]["code"] == "background.impure"


def test_a_bad_file_is_one_error_line_the_batch_goes_on_and_exit_is_1(tmp_path: Path) -> None:
    save_rgb(tmp_path / "raw" / "a.jpg", make_photo("a", 1).rgb)
    (tmp_path / "raw" / "b.jpg").write_bytes(b"")
    result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'raw' / 'b.jpg'}: empty file (0 bytes)\n"
    assert result.stdout.startswith("aefix: 2 images: 1 ok, 0 need review, 1 error in ")
    report = json.loads((tmp_path / "out" / "aefix-report.json").read_text())
    assert [(item["status"], item["error"]) for item in report["items"]] == [
        ("ok", None),
        ("error", "empty file (0 bytes)"),
    ]
    csv_bytes = (tmp_path / "out" / "aefix-report.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbfsource,output,status,score")


def test_readme_documents_every_command_and_run_option() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for command in app.registered_commands:
        assert f"aefix {command.callback.__name__}" in readme
    help_text = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    for option in sorted(set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}):
        assert f"`{option}" in readme, option
