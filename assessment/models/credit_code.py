"""The unified social credit code (统一社会信用代码, GB 32100-2015): check and make."""

from __future__ import annotations

from ..errors import N_

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(body: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return N_("it has %(count)s characters, not 18", count=len(code))
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return N_(
            "it contains %(bad)s, which a credit code never uses",
            bad=", ".join(repr(c) for c in bad),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return N_(
            "its check character is %(got)s but should be %(expected)s",
            got=repr(code[17]),
            expected=repr(expected),
        )
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(body: str) -> str:
    """Complete 17 characters into a valid code (for generated test and sample firms)."""
    return body + check_character(body)
