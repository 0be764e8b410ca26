"""The pipeline is visible in the layout: every import runs down it, and no module grows past 400 lines.

Each package of `mtqa` may import only the packages listed for it below (and itself). Imports
inside functions and under `TYPE_CHECKING` count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mtqa"
MAX_LINES = 400

_BASE = {"edits", "errors"}
_TEXT = _BASE | {"text"}
_MODELS = _TEXT | {"lm", "glossary"}
_CHANNEL = _MODELS | {"channel"}
_PIPELINE = _CHANNEL | {"detect", "correct", "pipeline", "config"}
ALLOWED: dict[str, set[str]] = {
    "edits": set(),
    "errors": set(),
    "text": _BASE,
    "lm": _TEXT,
    "glossary": _TEXT,
    "channel": _MODELS,
    "detect": _CHANNEL,
    "correct": _CHANNEL,
    "config": _BASE,
    "pipeline": _PIPELINE,
    "api": _PIPELINE,
    "output": _TEXT | {"correct"},
    "bench": _PIPELINE | {"api", "output"},
    "corpus": _PIPELINE | {"api", "output"},
    "cli": _PIPELINE | {"api", "output", "bench", "corpus"},
}


def layer_of(module: str) -> str | None:
    """"mtqa.channel.candidates" → "channel"; None outside mtqa or for the package root."""
    parts = module.split(".")
    return parts[1] if parts[0] == "mtqa" and len(parts) > 1 else None


def imported(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in `source`; `from mtqa import x` imports mtqa.x."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "mtqa":
                found += [(node.lineno, f"mtqa.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def upward_imports(layer: str, source: str) -> list[str]:
    """The imports in a module of `layer` that reach a layer it may not use."""
    allowed = ALLOWED[layer] | {layer}
    return [f"line {line}: {module}" for line, module in imported(source) if (target := layer_of(module)) and target not in allowed]


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_down_the_pipeline(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    if relative == Path("__init__.py"):
        return  # the package root only documents the layers
    layer = relative.parts[0].removesuffix(".py")
    assert layer in ALLOWED, f"{relative}: a new top-level module or package needs its place in ALLOWED"
    assert upward_imports(layer, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_longer_than_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_the_layer_check_catches_upward_and_lazy_imports() -> None:
    source = (
        "from mtqa.edits import Edit\n"
        "from mtqa import pipeline\n"
        "def late():\n"
        "    from mtqa.detect.lm import LMDetector\n"
        "if TYPE_CHECKING:\n"
        "    import mtqa.bench.run\n"
    )
    assert upward_imports("correct", source) == ["line 2: mtqa.pipeline", "line 4: mtqa.detect.lm", "line 6: mtqa.bench.run"]
    assert upward_imports("cli", source) == []
    assert upward_imports("glossary", "from mtqa.lm.base import LanguageModel\n") == ["line 1: mtqa.lm.base"]
