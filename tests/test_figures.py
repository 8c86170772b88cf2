"""Figures and labels as people type them: units, separators, full-width digits, any dash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import assessment
from assessment.engine.figures import read_figure
from assessment.engine.labels import choice_index, number

Q = assessment.load_questionnaire("park_quick_scan")
FULL_WIDTH = str.maketrans("0123456789.,-+%", "０１２３４５６７８９．，－＋％")
DASHES = ["-", "–", "—", "~", "～", "〜", "－"]


def grouped(n: int) -> str:
    return f"{n:,}"


@given(
    n=st.integers(min_value=0, max_value=10**9),
    commas=st.booleans(),
    wide=st.booleans(),
    unit=st.sampled_from(["", "台", "台（套）", "套", " 台"]),
)
def test_a_count_with_a_fitting_unit_separators_or_full_width_digits_reads_as_itself(
    n: int, commas: bool, wide: bool, unit: str
) -> None:
    text = (grouped(n) if commas else str(n)) + unit
    if wide:
        text = text.translate(FULL_WIDTH)
    assert number(text, Q.question_map["production_devices"]) == n


@given(
    cents=st.integers(min_value=0, max_value=10**8),
    unit=st.sampled_from([("万", 1), ("万元", 1), ("亿", 10_000), ("亿元", 10_000)]),
)
def test_money_is_read_in_the_questions_unit(cents: int, unit: tuple[str, int]) -> None:
    amount = cents / 100
    figure = read_figure(f"{amount:,.2f}{unit[0]}", ("万元", "10k CNY"))
    assert figure is not None and not figure.misfit
    assert figure.value == pytest.approx(amount * unit[1])
    assert figure.converted == (unit[1] != 1)


@given(n=st.integers(min_value=0, max_value=100), wide=st.booleans())
def test_a_percentage_reads_with_or_without_its_sign(n: int, wide: bool) -> None:
    text = f"{n}%".translate(FULL_WIDTH) if wide else f"{n}%"
    assert number(text, Q.question_map["training_coverage"]) == n


@pytest.mark.parametrize(
    ("typed", "unit"), [("35台", "台"), ("12人", "人"), ("3天", "天"), ("5%", "%")]
)
def test_a_unit_of_another_kind_is_a_misfit(typed: str, unit: str) -> None:
    figure = read_figure(typed, ("万元",))
    assert figure is not None and figure.misfit and figure.unit == unit


LABELLED = [
    (question, choice)
    for question in Q.questions()
    if question.type in ("single", "multi")
    for choice in Q.choices_of(question)
    if any(d in choice.label.zh for d in "–—-~") or "（" in choice.label.zh
]


@given(pick=st.sampled_from(LABELLED), dash=st.sampled_from(DASHES), data=st.data())
def test_a_label_with_its_dashes_or_brackets_swapped_matches_the_same_choice(
    pick: tuple[object, object], dash: str, data: st.DataObject
) -> None:
    question, choice = pick
    label: str = choice.label.zh  # type: ignore[attr-defined]
    swapped = label.replace("–", dash).replace("—", dash).replace("-", dash)
    brackets = data.draw(st.sampled_from([("（", "）"), ("(", ")"), ("【", "】"), ("〖", "〗")]))
    swapped = swapped.replace("（", brackets[0]).replace("）", brackets[1])
    assert choice_index(Q, question).match(swapped) == choice.id  # type: ignore[attr-defined,arg-type]


def test_some_labels_have_dashes_to_swap() -> None:
    assert len(LABELLED) >= 5
