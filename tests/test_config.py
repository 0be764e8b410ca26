"""Config files: where they are found, what a bad one says, and how they change what the commands do.

Each test works in its own folder with a `.git` in it, so the search for a config file stops there
and nothing above the test's folder can change its result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mtqa import config
from mtqa.errors import MtqaError


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
