"""Config files: where they are found, what a bad one says, and how they change what the commands do.

Each test works in its own folder with a `.git` in it, so the search for a config file stops there
and nothing above the test's folder can change its result.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtqa import config
from mtqa.cli.settings import DEFAULTS
from mtqa.errors import MtqaError

from tests.conftest import run

FAST = ["-d", "glossary,spacing"]
DAMAGED = "The abroad Minister met the safety Council in New York.It was a short meeting.\n"


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- finding the file ------------------------------------------------------------------------------


def test_the_nearest_file_wins_and_mtqa_toml_before_pyproject(repo):
    deep = repo / "a" / "b"
    deep.mkdir(parents=True)
    assert config.find(deep) is None
    _write(repo / "pyproject.toml", "[tool.mtqa]\njobs = 2\n")
    assert config.find(deep) == repo / "pyproject.toml"
    _write(repo / "a" / "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.mtqa]: not a config file
    assert config.find(deep) == repo / "pyproject.toml"
    _write(repo / "a" / "mtqa.toml", "jobs = 3\n")
    assert config.find(deep) == repo / "a" / "mtqa.toml"
    _write(repo / "a" / "b" / "pyproject.toml", "[tool.mtqa]\njobs = 4\n")
    assert config.find(deep) == deep / "pyproject.toml"
    _write(deep / "mtqa.toml", "jobs = 5\n")
    assert config.find(deep) == deep / "mtqa.toml"


def test_the_search_stops_at_the_repository_root(tmp_path):
    _write(tmp_path / "mtqa.toml", "jobs = 2\n")
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    assert config.find(project / "src") is None
    assert config.find(tmp_path) == tmp_path / "mtqa.toml"


# -- reading and checking it -----------------------------------------------------------------------


def test_values_are_read_and_paths_are_relative_to_the_file(repo):
    path = _write(
        repo / "conf" / "mtqa.toml",
        '# house settings\ndetectors = ["glossary", "lm"]\nthreshold = 1\nglossary = ["terms.yaml"]\n'
        'disable = ["lm:prediction"]\nencoding = "latin-1"\njobs = 2\n',
    )
    loaded = config.load(path)
    assert loaded.values == {
        "detectors": "glossary,lm",
        "threshold": 1.0,
        "glossary": (repo / "conf" / "terms.yaml",),
        "disable": ("lm:prediction",),
        "encoding": "latin-1",
        "jobs": 2,
    }
    assert loaded.where("threshold") == "conf/mtqa.toml:3" and loaded.where("jobs") == "conf/mtqa.toml:7"
    assert set(config.KEYS) == set(DEFAULTS)  # every key has a default, and every default a key


def test_key_lines_are_found_in_the_right_table():
    text = '[tool.black]\nthreshold = 3\n\n[ "tool" . mtqa ]  # ours\n"threshold" = 0.7\nlm = "trigram"\n[[tool.other]]\nlm = 1\n'
    assert config.key_lines(text, "tool.mtqa") == {"threshold": 5, "lm": 6}
    assert config.key_lines("jobs = 2\n[x]\njobs = 3\n", "") == {"jobs": 1, "x": 2}  # [x] is the top level's key x


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("mtqa.toml", "jobs = 2\n\ntreshold = 0.6\n", "mtqa.toml:3: unknown key 'treshold'; known: detectors, threshold,"),
        ("pyproject.toml", "[project]\nname = 'x'\n[tool.mtqa]\ntreshold = 0.6\n", "pyproject.toml:4: unknown key 'treshold' in [tool.mtqa]; known:"),
        ("mtqa.toml", 'threshold = "high"\n', "mtqa.toml:1: 'threshold' must be a number from 0 to 1, not 'high'"),
        ("mtqa.toml", "min_score = 1.5\n", "mtqa.toml:1: 'min_score' must be a number from 0 to 1, not 1.5"),
        ("mtqa.toml", "jobs = 0\n", "mtqa.toml:1: 'jobs' must be a whole number of at least 1, not 0"),
        ("mtqa.toml", "\njobs = true\n", "mtqa.toml:2: 'jobs' must be a whole number of at least 1, not true"),
        ("mtqa.toml", 'glossary = "terms.yaml"\n', "mtqa.toml:1: 'glossary' must be a list of strings, not 'terms.yaml'"),
        ("mtqa.toml", "detectors = 3\n", "mtqa.toml:1: 'detectors' must be a list of detector names or a comma-separated string"),
        ("mtqa.toml", 'encoding = "klingon"\n', "mtqa.toml:1: 'encoding' must be the name of a text encoding"),
        ("mtqa.toml", "[detectors]\nlm = true\n", "mtqa.toml:1: 'detectors' must be a list of detector names"),
        ("mtqa.toml", "jobs = 2\nthreshold = \n", "mtqa.toml:2: invalid TOML: Invalid value"),
        ("pyproject.toml", "[tool]\nmtqa = 3\n", "pyproject.toml: [tool.mtqa] must be a table of settings"),
    ],
)
def test_a_bad_file_names_the_file_the_line_and_the_key(repo, name, content, message):
    path = _write(repo / name, content)
    with pytest.raises(MtqaError) as error:
        config.load(path)
    assert str(error.value).startswith(message), str(error.value)


# -- the commands ---------------------------------------------------------------------------------


def test_a_config_file_changes_the_defaults_and_the_command_line_wins(capsys, monkeypatch, repo):
    article = _write(repo / "article.txt", DAMAGED)
    assert [f["source"] for f in _flags(capsys, monkeypatch, article, *FAST)] == ["glossary", "spacing"]
    _write(repo / "mtqa.toml", 'detectors = "glossary"\n')
    assert [f["source"] for f in _flags(capsys, monkeypatch, article)] == ["glossary"]
    assert [f["source"] for f in _flags(capsys, monkeypatch, article, "-d", "spacing")] == ["spacing"]
    _write(repo / "mtqa.toml", 'detectors = ["glossary", "spacing"]\nthreshold = 0.98\n')
    assert [f["source"] for f in _flags(capsys, monkeypatch, article)] == ["spacing"]  # the glossary flag scores 0.97


def test_config_paths_work_from_a_subfolder_and_with_config(capsys, monkeypatch, repo):
    _write(repo / "terms" / "extra.yaml", "- id: gas-minister\n  wrong: gas Minister\n  right: Energy Minister\n  kind: term\n  prior: 0.9\n  message: test\n")
    _write(repo / "mtqa.toml", 'detectors = "glossary"\nglossary = ["terms/extra.yaml"]\n')
    article = _write(repo / "texts" / "a.txt", "The gas Minister came.\n")
    monkeypatch.chdir(repo / "texts")
    assert [f["text"] for f in _flags(capsys, monkeypatch, "a.txt")] == ["gas Minister"]
    elsewhere = repo.parent / f"{repo.name}-other"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _flags(capsys, monkeypatch, article, "-d", "glossary") == []
    assert [f["text"] for f in _flags(capsys, monkeypatch, article, "--config", repo / "mtqa.toml")] == ["gas Minister"]


def _flags(capsys, monkeypatch, path, *args) -> list[dict]:
    code, stdout, stderr = run(capsys, monkeypatch, "check", path, "-f", "json", *args)
    assert code in (0, 1), stderr
    return json.loads(stdout)["files"][0]["flags"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("jobs = 2\ntreshold = 0.6\n", "mtqa: error: mtqa.toml:2: unknown key 'treshold'; known: "),
        ('\nprecision = "fp16"\n', "mtqa: error: mtqa.toml:2: unknown precision 'fp16'; choose from auto, fp32, bf16"),
        ('detectors = "glossary,grammar"\n', "mtqa: error: mtqa.toml:1: unknown detector(s) grammar"),
        ('lm = "gpt-9"\n', "mtqa: error: mtqa.toml:1: unknown model 'gpt-9'"),
    ],
)
@pytest.mark.parametrize("command", ["check", "fix", "config"])
def test_a_bad_setting_is_exit_2_with_file_and_line(capsys, monkeypatch, repo, content, message, command):
    _write(repo / "mtqa.toml", content)
    article = _write(repo / "a.txt", DAMAGED)
    args = {"check": ["check", article], "fix": ["fix", article, "-o", repo / "out.txt"], "config": ["config"]}[command]
    code, stdout, stderr = run(capsys, monkeypatch, *args)
    assert code == 2 and stdout == ""
    assert stderr.startswith(message) and stderr.count("\n") == 1, stderr
    assert not (repo / "out.txt").exists()


def test_mtqa_config_shows_each_setting_and_its_source(capsys, monkeypatch, repo):
    _write(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.mtqa]\nthreshold = 0.6\nglossary = ["g.yaml"]\n')
    code, stdout, _ = run(capsys, monkeypatch, "config", "--jobs", "2")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == "# config file: pyproject.toml"
    assert any(line.startswith("threshold = 0.6 ") and line.endswith("# pyproject.toml:5") for line in lines), stdout
    assert any(line.startswith('glossary = ["g.yaml"] ') and line.endswith("# pyproject.toml:6") for line in lines), stdout
    monkeypatch.chdir(repo.parent)
    code, stdout, _ = run(capsys, monkeypatch, "config", "--config", repo / "pyproject.toml", "-f", "json")
    assert json.loads(stdout)["settings"]["glossary"]["value"] == [f"{repo.name}/g.yaml"]
    monkeypatch.chdir(repo)
    assert any(line.startswith("jobs = 2 ") and line.endswith("# command line") for line in lines), stdout
    assert any(line.startswith('detectors = "glossary,lm,spacing" ') and line.endswith("# default") for line in lines), stdout
    code, stdout, _ = run(capsys, monkeypatch, "config", "-f", "json", "--threshold", "0.9")
    payload = json.loads(stdout)
    assert payload["config_file"] == "pyproject.toml"
    assert payload["settings"]["threshold"] == {"value": 0.9, "source": "command line"}
    assert payload["settings"]["glossary"] == {"value": ["g.yaml"], "source": "pyproject.toml:6"}
    assert payload["settings"]["lm"]["source"] == "default" and payload["settings"]["lm"]["value"]
    assert set(payload["settings"]) == set(config.KEYS)


def test_precision_and_device_reach_the_model_loader(capsys, monkeypatch, repo):
    from mtqa import pipeline
    from mtqa.lm import registry

    asked: list[tuple] = []
    real = registry.load

    def recorded(name, *args):
        asked.append((name, *args))
        return real(name, *args)

    monkeypatch.setattr(registry, "load", recorded)
    article = _write(repo / "a.txt", DAMAGED)
    pipeline.language_model.cache_clear()
    try:
        assert run(capsys, monkeypatch, "check", article, "-d", "lm", "--lm", "trigram", "--precision", "fp32", "--device", "cpu")[0] in (0, 1)
        _write(repo / "mtqa.toml", 'precision = "bf16"\n')
        assert run(capsys, monkeypatch, "check", article, "-d", "lm", "--lm", "trigram")[0] in (0, 1)
    finally:
        pipeline.language_model.cache_clear()
    assert asked == [("trigram", "fp32", "cpu"), ("trigram", "bf16", "auto")]
    code, stdout, stderr = run(capsys, monkeypatch, "check", article, *FAST, "--device", "tpu")
    assert code == 2 and stderr == "mtqa: error: unknown device 'tpu'; choose from auto, cpu, cuda\n"
