"""Marketplace profiles as data: the shipped TOML files, and a user's TOML that overrides any threshold."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from aefix.errors import SetupError
from aefix.settings import Profile

DEFAULT_PROFILE = "aliexpress"
PROFILE_NAMES = ("aliexpress", "amazon", "temu", "shein")
_FIELDS = {field.name: field for field in dataclasses.fields(Profile)}


def load_profile(name_or_path: str) -> Profile:
    """A shipped profile by name, or a TOML file that `extends` one (default aliexpress) and overrides keys.

    Unknown keys are an error, so a typo never silently leaves a rule at its default.
    """
    if name_or_path in PROFILE_NAMES:
        return _build(_shipped(name_or_path), name_or_path)
    path = Path(name_or_path)
    if not path.is_file():
        raise SetupError(
            f"--profile {name_or_path!r}: not a shipped profile ({', '.join(PROFILE_NAMES)}) and no such TOML file"
        )
    try:
        user = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SetupError(f"{path}: cannot read profile: {error}") from None
    base = user.pop("extends", DEFAULT_PROFILE)
    if base not in PROFILE_NAMES:
        raise SetupError(f"{path}: extends = {base!r}, which is not one of {', '.join(PROFILE_NAMES)}")
    merged = _shipped(base)
    for key, value in user.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    if "name" not in user:
        merged["name"] = path.stem
    return _build(merged, str(path))


def _shipped(name: str) -> dict[str, Any]:
    text = resources.files("aefix.profiles").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _build(data: dict[str, Any], origin: str) -> Profile:
    values: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                values[f"{key}_{sub_key}"] = sub_value
        else:
            values[key] = value
    for key, value in values.items():
        field = _FIELDS.get(key)
        if field is None:
            raise SetupError(f"profile {origin}: unknown key {key!r}")
        default = field.default
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise SetupError(f"profile {origin}: {key} must be a list")
            values[key] = tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise SetupError(f"profile {origin}: {key} must be true or false")
        elif isinstance(default, (int, float)) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise SetupError(f"profile {origin}: {key} must be a number, not {value!r}")
        elif isinstance(default, int) and not isinstance(default, bool) and isinstance(value, float):
            raise SetupError(f"profile {origin}: {key} must be a whole number, not {value!r}")
        elif isinstance(default, str) and not isinstance(value, str):
            raise SetupError(f"profile {origin}: {key} must be a string")
    profile = Profile(**values)
    if not 0 <= profile.pass_score <= 100:
        raise SetupError(f"profile {origin}: pass_score must be within 0-100")
    return profile
