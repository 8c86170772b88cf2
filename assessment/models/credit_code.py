"""The unified social credit code (统一社会信用代码, GB 32100-2015): check and make."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(body: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return f"it has {len(code)} characters, not 18"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"it contains {', '.join(repr(c) for c in bad)}, which a credit code never uses"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"its check character is {code[17]!r} but should be {expected!r}"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(body: str) -> str:
    """Complete 17 characters into a valid code (for generated test and sample firms)."""
    return body + check_character(body)
