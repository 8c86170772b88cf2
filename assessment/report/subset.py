"""Font subsets for the reports' PDFs in one HarfBuzz pass instead of WeasyPrint's two.

WeasyPrint 70 subsets every font of every PDF in two HarfBuzz passes: one keeps the glyphs used
with their ids retained, a second trims the glyphs after the last one used. HarfBuzz already ends
a subset that retains ids at the last glyph kept, so the second pass only serialises the font
again: for Noto Sans CJK (65,535 glyphs, those our reports use lying near the end) that is about
a tenth of a firm's rendering time. Inside `one_pass_subsets()` a font is subset in the one pass,
with the flags and the dropped tables of WeasyPrint's two. The glyphs are the same; the pages
render to the same pixels and give the same text (tests/test_reports.py compares them with
WeasyPrint's own), though a TrueType font's bytes may differ slightly.

Anything else (hinting asked for, glyphs missing from the font, a subset HarfBuzz refuses, a
WeasyPrint whose font class is not laid out as version 70's) takes WeasyPrint's own path, as does
every render outside `one_pass_subsets()`: a library user's own WeasyPrint documents in the same
process are subset exactly as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_inside = ContextVar("dtm_one_pass_subsets", default=False)

# The tables WeasyPrint 70 leaves out of every subset: the text is already shaped and
# positioned in the PDF, so layout tables and bitmaps are dead weight.
_DROPPED_TABLES: tuple[bytes, ...] = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS")
_DROPPED_TABLES += (b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")

_installed: list[bool] = []
_install_lock = threading.Lock()


def _one_pass(font: Any, glyphs: dict[int, Any]) -> bytes | None:
    """The font's subset keeping `glyphs` (ids retained, no hinting), or None if refused."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    request = ffi.gc(
        harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy
    )
    if request == ffi.NULL:
        return None
    ids = sorted(glyphs)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(request),
        ffi.new(f"hb_codepoint_t[{len(ids)}]", ids),
        len(ids),
    )
    harfbuzz_subset.hb_subset_input_set_flags(
        request,
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING,
    )
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(request, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(tags)}]", tags),
        len(tags),
    )
    made = harfbuzz_subset.hb_subset_or_fail(font.hb_face, request)
    if made == ffi.NULL:
        return None
    try:
        content: bytes | None = get_hb_object_data(made)
        return content or None
    finally:
        harfbuzz.hb_face_destroy(made)


def _install() -> bool:
    """Route WeasyPrint's HarfBuzz subsetting through `_one_pass` inside `one_pass_subsets()`,
    once per process; False when this WeasyPrint does not allow it."""
    with _install_lock:
        if not _installed:
            _installed.append(_route())
        return _installed[0]


def _route() -> bool:
    try:
        from weasyprint.pdf.fonts import Font
        from weasyprint.text.ffi import ffi, harfbuzz_subset
    except ImportError:
        return False
    own = getattr(Font, "_harfbuzz_subset", None)
    if harfbuzz_subset is None or not callable(own):
        return False

    def subset(font: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
        ordinary = (
            not _inside.get()
            or hinting
            or not to_unicode
            or getattr(font, "missing", True)
            or not isinstance(getattr(font, "hb_face", None), ffi.CData)
        )
        content = None if ordinary else _one_pass(font, to_unicode)
        if content is None:
            own(font, to_unicode, hinting)
        else:
            font.file_content = content

    subset.__doc__ = own.__doc__
    Font._harfbuzz_subset = subset
    return True


@contextmanager
def one_pass_subsets() -> Iterator[bool]:
    """Fonts of the PDFs written inside are subset in one HarfBuzz pass; yields whether that
    path is available here (else WeasyPrint's own runs)."""
    token = _inside.set(_install())
    try:
        yield _inside.get()
    finally:
        _inside.reset(token)
