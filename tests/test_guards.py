"""Guards by principle: names are not renamed without evidence, and a person's pronoun is not
neutered. Each family as a hit and as a correct use left alone (invented sentences of the shapes
real MT output showed), with the real default model where the LM decides."""

import pytest

from mtqa import Checker
from mtqa.channel import antecedents, names
from mtqa.channel.antecedents import NOBODY, PERSON, PLACE, antecedent
from mtqa.correct.fixing import backed, unbacked_because
from mtqa.edits import Edit, Suggestion
from mtqa.text.document import Document


def before(text: str, word: str) -> str:
    return antecedent(Document(text), text.index(word))


@pytest.mark.parametrize(
    "text, pronoun, expected",
    [
        ("Turkey has said he will protect his farmers.", " he ", PLACE),
        ("After South Korea raised rates, she said more would come.", " she ", PLACE),
        ("The Bank of Korea lowered his benchmark rate.", " his ", PLACE),
        ("Talks stalled. The offer came from BRICS, but she refused it.", " she ", PLACE),
        ("The government said he would act.", " he ", PLACE),
        ("The Chancellor spoke on Friday. In his speech he hoped for peace.", " he ", PERSON),
        ("Our guest, Mr Qorlan, said he grew up by the sea.", " he ", PERSON),
        ("I met the old guy at the station and he smiled.", " he ", PERSON),
        ("Voters turned against the reform, and the count left him out of office.", " him ", NOBODY),
    ],
)
def test_a_pronoun_stands_for_the_nearest_plausible_antecedent(text, pronoun, expected):
    assert before(text, pronoun) == expected


def test_place_names_come_from_geonames_with_attribution():
    path = antecedents.Path(antecedents.__file__).with_name("places.txt")
    assert "GeoNames" in path.read_text(encoding="utf-8").splitlines()[0]
    assert {"tehran", "kazakhstan", "south korea", "korea"} <= antecedents.place_names()


@pytest.mark.parametrize(
    "text, word, is_name",
    [
        ("The satellite was built by Beijing Nanjiang Aerospace.", "Nanjiang", True),
        ("Qorlan said so.", "Qorlan", True),  # a sentence's first word that is no English word
        ("Global Times said so.", "Global", True),  # a sentence's first word that goes on a name
        ("Global trade rose.", "Global", False),
        ("The global trade rose.", "global", False),
        ("The award went to the ACME-TDU Global Centre.", "Global", True),
    ],
)
def test_a_capitalised_word_inside_a_sentence_or_a_multiword_name_is_a_name(text, word, is_name):
    start = text.index(word)
    assert names.is_name(Document(text), start, start + len(word)) is is_name


def test_a_rename_needs_the_other_spelling_in_the_document():
    text = "The firm left Nanjing. Beijing Nanjiang Aerospace grew."
    doc, start = Document(text), text.index("Nanjiang")
    assert not names.unconfirmed_rename(doc, start, start + 8, "Nanjing")
    assert names.unconfirmed_rename(doc, start, start + 8, "Nanning")
    assert not names.unconfirmed_rename(doc, start, start + 8, "NANJIANG")  # a change of case keeps the name


def name_edit(text: str, rule: str = "lm:spelling", **parts: float) -> Edit:
    start = text.index("Nanjiang")
    return Edit(start, start + 8, "Nanjiang", (Suggestion("Nanjing", 0.95, {"lm": 0.99, **parts}),), 0.95, "lm", rule, "name")


def test_fix_never_renames_a_name_on_the_lm_alone():
    text = "The satellite was built by Nanjiang Aerospace."
    doc = Document(text)
    assert not backed(name_edit(text), doc) and "name" in unbacked_because(name_edit(text), doc)
    assert backed(name_edit(text, glossary=0.8), doc) and backed(name_edit(text, reference=0.9), doc)
    assert backed(name_edit(text, "lm:transliteration"), doc)  # respelt in another romanisation: the same name
    other = "Nanjing is far. " + text
    assert backed(name_edit(other), Document(other))  # the document spells it the other way
    assert backed(name_edit(text), None)  # without the document, the rule for rewrites alone decides


@pytest.fixture(scope="module")
def checker(smollm) -> Checker:
    return Checker(detectors=["glossary", "lm", "spacing"])


@pytest.mark.parametrize(
    "text, word",
    [
        ("The satellite was built by Beijing Nanjiang Aerospace, a private company founded in 2015.", "Nanjiang"),
        ("The award went to the ACME-TDU Global Centre for its work on clean water.", "Global"),
    ],
)
def test_a_name_the_lm_would_rename_stays_a_low_score_suggestion(checker, text, word):
    on_name = [f for f in Checker(detectors=["lm"], threshold=0.0).check(text) if f.text == word]
    assert on_name and all(f.score <= names.NAME_SCORE_CAP for f in on_name), on_name  # suggested, below the bar
    assert not [f for f in checker.check(text) if f.text == word]
    assert checker.fix(text).text == text


def test_a_name_the_document_spells_the_other_way_is_corrected(checker):
    text = "The firm moved to Nanjing last year. Since then, Beijing Nanjiang Aerospace has doubled its staff."
    assert [(f.text, f.best) for f in checker.check(text) if f.source == "lm"] == [("Nanjiang", "Nanjing")]


@pytest.mark.parametrize(
    "text",
    [
        "Voters turned against the reform, and the count left him out of the Chancellor's office.",
        "The Prime Minister met the press on Friday and spoke of his hope for a quick deal.",
        "Our guest, Mr Qorlan, said he grew up by the sea.",
    ],
)
def test_a_persons_pronoun_is_never_neutered(checker, text):
    low = Checker(detectors=["lm"], threshold=0.0).check(text)
    assert not [f for f in low if f.kind == "pronoun"]
    assert checker.fix(text).text == text


def test_a_countrys_pronoun_is_still_neutered(checker):
    text = "Turkey has said he will protect his farmers against what he calls dumping."
    assert [(f.text, f.best) for f in checker.check(text) if f.kind == "pronoun"] == [("he", "it"), ("his", "its"), ("he", "it")]
