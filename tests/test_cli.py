import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from aefix.cli import app
from conftest import save_rgb
from defects import font
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
        "--profile",
        "--segmenter",
        "--device",
        "--workers",
    ]:
        assert option in result.output
    for default in ["default: 500", "default: 0.075", "default: jpg", "default: aliexpress", "default: auto"]:
        assert default in result.output
    # --size and --max-bytes default to the profile's values, and say so.
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert "aliexpress 1000x1000" in flat and "aliexpress 5000000" in flat


@pytest.mark.parametrize("command", ["run", "check"])
def test_help_paragraphs_are_reflowed_to_the_terminal(command: str) -> None:
    # The docstrings are wrapped at 100 columns for the source; on an 80-column terminal the help
    # must wrap them again, not keep those breaks and leave a word or two on a line.
    output = runner.invoke(app, [command, "--help"], terminal_width=80).output
    paragraphs = [block for block in re.split(r"\n\s*\n", output) if block.strip()]
    description = paragraphs[2].splitlines()  # after "Usage: ..." and the summary
    assert len(description) >= 2
    assert all(len(line) <= 80 for line in output.splitlines())
    assert all(len(line.strip()) >= 60 for line in description[:-1]), description


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
        (
            ["--profile", "ebay"],
            "Error: --profile 'ebay': not a shipped profile (aliexpress, amazon, temu, shein) and no such TOML file\n",
        ),
        (
            ["--profile", "amazon", "--format", "png", "--max-bytes", "5000"],
            "Error: --max-bytes must be at least 10000, not 5000\n",
        ),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["run", str(tmp_path), str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and result.stderr == message


def test_device_cuda_without_a_cuda_onnxruntime_is_a_clear_setup_error(tmp_path: Path) -> None:
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has CUDA: the error path is for CPU-only installs")
    save_rgb(tmp_path / "raw" / "a.jpg", make_photo("a", 1).rgb)
    result = runner.invoke(app, ["run", str(tmp_path / "raw"), str(tmp_path / "out"), "--device", "cuda"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --device cuda: this onnxruntime has no CUDA support; install")
    assert not (tmp_path / "out").exists()


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


def _text_image(path: Path) -> Path:
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste((200, 30, 30), (250, 200, 750, 800))
    ImageDraw.Draw(canvas).text((260, 860), "FREE SHIPPING", font=font(56), fill=(0, 0, 0))
    canvas.save(path)
    return path


def test_check_exit_codes_and_json_schema(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    bad = tmp_path / "bad.png"
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste((200, 30, 30), (250, 200, 750, 800))
    canvas.save(good)
    Image.new("RGB", (1000, 1000), (240, 240, 240)).save(bad)
    assert runner.invoke(app, ["check", str(good)]).exit_code == 0
    result = runner.invoke(app, ["check", str(tmp_path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema"] == "aefix-check/1" and data["profile"] == "aliexpress" and data["role"] == "main"
    assert data["summary"] == {"images": 2, "passed": 1, "failed": 1}
    images = {image["path"]: image for image in data["images"]}
    assert images[str(good)]["score"] == 100.0 and images[str(good)]["verdict"] == "pass"
    finding = images[str(bad)]["findings"][0]
    assert set(finding) == {"code", "severity", "deduction", "value", "threshold", "message", "box"}
    assert finding["code"] == "background.impure" and finding["severity"] == "fail" and finding["value"] == 100.0
    assert "background.gray" in [f["code"] for f in images[str(bad)]["findings"]]


def test_check_table_names_top_findings_and_role_secondary_allows_text(tmp_path: Path) -> None:
    image = _text_image(tmp_path / "promo.png")
    result = runner.invoke(app, ["check", str(image)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert re.match(r"^\s*75\.0  fail\s+.*promo\.png$", lines[1]), lines
    assert "'FREE SHIPPING' on the background" in lines[2]
    assert lines[-1] == "1 image(s): 0 pass, 1 fail"
    secondary = runner.invoke(app, ["check", str(image), "--role", "secondary", "--json"])
    assert secondary.exit_code == 0
    (text,) = [f for f in json.loads(secondary.stdout)["images"][0]["findings"] if f["code"] == "text.added"]
    assert text["severity"] == "info" and text["deduction"] == 0.0 and text["value"] == "FREE SHIPPING"


def test_check_min_score_and_bad_arguments(tmp_path: Path) -> None:
    image = tmp_path / "small.png"
    canvas = Image.new("RGB", (900, 900), "white")
    canvas.paste((30, 30, 200), (200, 200, 700, 700))
    canvas.save(image)  # 900 px: under the recommended 1000 (-3), score 97
    assert runner.invoke(app, ["check", str(image)]).exit_code == 0
    assert runner.invoke(app, ["check", str(image), "--min-score", "98"]).exit_code == 1
    bad = runner.invoke(app, ["check", str(image), "--min-score", "120"])
    assert bad.exit_code == 2 and bad.stderr == "Error: --min-score must be within 0-100, not 120\n"
    missing = runner.invoke(app, ["check", str(tmp_path / "nope.jpg")])
    assert missing.exit_code == 2 and missing.stderr == f"Error: {tmp_path / 'nope.jpg'}: no such file or folder\n"
    role = runner.invoke(app, ["check", str(image), "--role", "hero"])
    assert role.exit_code == 2


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


@pytest.mark.parametrize("command", ["run", "check"])
def test_readme_documents_every_command_and_option(command: str) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for registered in app.registered_commands:
        assert f"aefix {registered.callback.__name__}" in readme
    help_text = runner.invoke(app, [command, "--help"], terminal_width=200).output
    for option in sorted(set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}):
        assert f"`{option}" in readme, option
