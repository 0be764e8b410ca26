"""The model registry (models/registry.toml): where each model's weights live, how to check and load them."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mtqa.errors import MtqaError
from mtqa.lm.base import LanguageModel


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    kind: str  # "transformer" or "ngram"
    package: str
    version: str
    file: str
    sha256: str
    licence: str
    install: str
    default: bool = False

    def weights_path(self) -> Path | None:
        """The weights file inside its installed package, or None when the package is missing."""
        try:
            dist = importlib.metadata.distribution(self.package)
        except importlib.metadata.PackageNotFoundError:
            return None
        path = Path(str(dist.locate_file(self.file)))
        return path if path.is_file() else None

    def installed(self) -> bool:
        return self.weights_path() is not None


def _registry_text() -> str:
    try:
        return (importlib.resources.files("mtqa.registry") / "registry.toml").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source tree that is not installed
        return (Path(__file__).resolve().parents[2] / "models" / "registry.toml").read_text(encoding="utf-8")


@cache
def registry() -> dict[str, ModelSpec]:
    try:
        data = tomllib.loads(_registry_text())
    except tomllib.TOMLDecodeError as err:
        raise MtqaError(f"models/registry.toml: {err}") from None
    try:
        return {name: ModelSpec(name=name, **fields) for name, fields in data.items()}
    except TypeError as err:
        raise MtqaError(f"models/registry.toml: bad entry: {err}") from None


def default_model() -> str:
    return next(name for name, spec in registry().items() if spec.default)


def spec(name: str) -> ModelSpec:
    models = registry()
    if name not in models:
        raise MtqaError(f"unknown model {name!r}; known models: {', '.join(models)} (see `mtqa models`)")
    return models[name]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified_weights(model: ModelSpec) -> Path:
    """The model's weights file after checking it is installed and intact."""
    path = model.weights_path()
    if path is None:
        raise MtqaError(f"model {model.name!r} is not installed; install it with: {model.install}")
    actual = sha256_of(path)
    if actual != model.sha256:
        raise MtqaError(
            f"model {model.name!r}: sha256 of {path} is {actual[:16]}…, expected {model.sha256[:16]}…; "
            f"the file is damaged or not the pinned release; reinstall with: {model.install}"
        )
    return path


def cache_root() -> Path:
    base = os.environ.get("MTQA_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mtqa"
    )
    return Path(base)


def _converted(model: ModelSpec) -> Path:
    """A safetensors copy of a GGUF model, made once (about 20 s) so later loads take well under a second.

    The cache folder is named by the source's sha256 and carries a manifest with the sha256 of every
    file written; a cache whose files no longer match is rebuilt.
    """
    target = cache_root() / f"{model.name}-{model.sha256[:16]}"
    manifest = target / "manifest.json"
    if manifest.is_file():
        try:
            recorded = json.loads(manifest.read_text())
            weights = target / "model.safetensors"
            if recorded.get("source_sha256") == model.sha256 and recorded["files"]["model.safetensors"] == sha256_of(weights):
                return target
        except (OSError, ValueError, KeyError):
            pass
    source = verified_weights(model)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    gguf_model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    # save_pretrained refuses a GGUF-loaded model: rebuild it from its config and weights.
    config = gguf_model.config
    config.__dict__.pop("quantization_config", None)  # the weights saved below are plain fp16
    rebuilt = AutoModelForCausalLM.from_config(config)
    rebuilt.load_state_dict(gguf_model.state_dict())
    rebuilt = rebuilt.to(torch.float16)  # halves the cache and the time to read and verify it
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        rebuilt.save_pretrained(str(staging), safe_serialization=True)
        tokenizer.save_pretrained(str(staging))
        files = {"model.safetensors": sha256_of(staging / "model.safetensors")}
        (staging / "manifest.json").write_text(json.dumps({"source_sha256": model.sha256, "files": files}, indent=1))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def load(name: str, precision: str = "auto", device: str = "auto") -> LanguageModel:
    """Load a registered model by name, verifying its weights first; a transformer runs on `device`
    in `precision` (see `mtqa.lm.hardware`)."""
    model = spec(name)
    if model.kind == "ngram":
        from mtqa.lm.ngram import NgramLM

        return NgramLM.load(model.name, verified_weights(model))
    if model.kind == "transformer":
        if model.weights_path() is None:
            raise MtqaError(f"model {model.name!r} is not installed; install it with: {model.install}")
        from mtqa.lm.hardware import resolve_device, resolve_precision
        from mtqa.lm.transformer import TransformerLM

        where = resolve_device(device)
        return TransformerLM.load(model.name, _converted(model), resolve_precision(precision, where), where)
    raise MtqaError(f"models/registry.toml: model {name!r} has unknown kind {model.kind!r}")
