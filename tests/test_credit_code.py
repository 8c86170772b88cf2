"""The unified social credit code: which codes pass, and why the others do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.models import credit_code
from assessment.models.credit_code import ALPHABET

VALID = credit_code.make("91320500MA1X2Y3C4")


@pytest.mark.parametrize(
    "code",
    [
        VALID,
        "91320500MA1X2Y3C40",  # the sample firm in tests/data/mini_answers.yaml
        credit_code.make("91320594MA1ABCDE1"),
        credit_code.make("11100000000013127"),
        credit_code.make("00000000000000000"),
        credit_code.make("YYYYYYYYYYYYYYYYY"),
    ],
)
def test_a_valid_code_passes(code: str) -> None:
    assert credit_code.problem(code) is None
    assert credit_code.is_valid(code)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "it has 0 characters, not 18"),
        (VALID[:17], "it has 17 characters, not 18"),
        (VALID + "0", "it has 19 characters, not 18"),
        (VALID[:8] + "I" + VALID[9:], "it contains 'I', which a credit code never uses"),
        (VALID[:8] + "O" + VALID[9:], "it contains 'O', which a credit code never uses"),
        (VALID[:8] + "S" + VALID[9:], "it contains 'S', which a credit code never uses"),
        (VALID[:8] + "V" + VALID[9:], "it contains 'V', which a credit code never uses"),
        (VALID[:8] + "Z" + VALID[9:], "it contains 'Z', which a credit code never uses"),
        (VALID[:8] + "ma" + VALID[10:], "it contains 'a', 'm', which a credit code never uses"),
        ("91320500MA1X2Y3C-" + VALID[17], "it contains '-', which a credit code never uses"),
        ("91320500MA1X2Y3C41", "its check character is '1' but should be '0'"),
        ("91320500MA1X2Y3C4Y", "its check character is 'Y' but should be '0'"),
    ],
)
def test_an_invalid_code_is_explained(code: str, reason: str) -> None:
    assert credit_code.problem(code) == reason
    assert not credit_code.is_valid(code)


bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(bodies)
def test_a_made_code_is_valid(body: str) -> None:
    code = credit_code.make(body)
    assert len(code) == 18
    assert code.startswith(body)
    assert credit_code.is_valid(code)


@given(bodies, st.integers(0, 17), st.sampled_from(ALPHABET + "IOSVZ"))
def test_changing_one_character_makes_a_code_invalid(body: str, index: int, char: str) -> None:
    code = credit_code.make(body)
    changed = code[:index] + char + code[index + 1 :]
    if changed == code:
        return
    # Each weight is non-zero modulo the prime 31, so no single change keeps the checksum.
    assert not credit_code.is_valid(changed)
    reason = credit_code.problem(changed)
    assert reason is not None
    if char in ALPHABET:
        expected = credit_code.check_character(changed[:17])
        assert reason == f"its check character is {changed[17]!r} but should be {expected!r}"
    else:
        assert reason == f"it contains {char!r}, which a credit code never uses"
