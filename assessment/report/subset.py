"""Fonts embedded in the reports' PDFs: subset in one HarfBuzz pass, never copied whole.

WeasyPrint 70 spends about a sixth of a firm's rendering time on two things our reports do not
need:

- It subsets every font of every PDF in two HarfBuzz passes: one keeps the glyphs used with their
  ids retained, a second trims the glyphs after the last one used. HarfBuzz already ends a subset
  that retains ids at the last glyph kept, so the second pass only serialises the font again; for
  Noto Sans CJK (65,535 glyphs, those our reports use lying near the end) that is about a tenth
  of a firm's time. Here a font is subset in the one pass, with the flags and the dropped tables
  of WeasyPrint's two.
- It copies the whole font file (20 MB for each Noto Sans CJK weight) into every PDF's font
  object, to be replaced by the subset. Here the whole file is read only if something asks for
  it (a font that is not subset, say).

The glyphs are the same: the pages render to the same pixels and give the same text
(tests/test_reports.py compares them with WeasyPrint's own), though a TrueType font's bytes may
differ slightly. Both apply inside `lean_fonts()` only: anything else (hinting asked for, glyphs
missing from the font, a subset HarfBuzz refuses, a WeasyPrint whose font module is not laid out
as version 70's) takes WeasyPrint's own path, as does every render outside `lean_fonts()`, so a
library user's own WeasyPrint documents in the same process are made exactly as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_inside = ContextVar("dtm_lean_fonts", default=False)

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
    """Route WeasyPrint's font reading and subsetting through this module inside
    `lean_fonts()`, once per process; False when this WeasyPrint does not allow it."""
    with _install_lock:
        if not _installed:
            _installed.append(_route())
        return _installed[0]


class _Whole:
    """The whole font file of a face, not read yet."""

    __slots__ = ("face",)

    def __init__(self, face: Any) -> None:
        self.face = face


def _route() -> bool:
    try:
        from weasyprint.pdf import fonts as module
        from weasyprint.text.ffi import ffi, harfbuzz_subset
    except ImportError:
        return False
    font_class: Any = getattr(module, "Font", None)
    own_subset = getattr(font_class, "_harfbuzz_subset", None)
    read = getattr(module, "get_hb_object_data", None)
    if (
        harfbuzz_subset is None
        or not callable(own_subset)
        or not callable(read)
        or "file_content" in vars(font_class)
    ):
        return False

    def get_hb_object_data(face: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if _inside.get() and ot_color is None:
            return _Whole(face)  # (read when asked for, see `file_content`)
        return read(face, ot_color, glyph)

    def content(font: Any) -> Any:
        value = font.__dict__["_file_content"]
        if isinstance(value, _Whole):
            value = font.__dict__["_file_content"] = read(value.face)
        return value

    def set_content(font: Any, value: Any) -> None:
        if isinstance(value, _Whole) and value.face != font.hb_face:
            value = read(value.face)  # (a face that may be gone later: read it now)
        font.__dict__["_file_content"] = value

    def subset(font: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
        ordinary = (
            not _inside.get()
            or hinting
            or not to_unicode
            or getattr(font, "missing", True)
            or not isinstance(getattr(font, "hb_face", None), ffi.CData)
        )
        made = None if ordinary else _one_pass(font, to_unicode)
        if made is None:
            own_subset(font, to_unicode, hinting)
        else:
            font.file_content = made

    subset.__doc__ = own_subset.__doc__
    module.get_hb_object_data = get_hb_object_data
    font_class.file_content = property(content, set_content, doc="The font file's bytes.")
    font_class._harfbuzz_subset = subset
    return True


@contextmanager
def lean_fonts() -> Iterator[bool]:
    """Fonts of the PDFs written inside are subset in one HarfBuzz pass and never copied whole;
    yields whether that path is available here (else WeasyPrint's own runs)."""
    token = _inside.set(_install())
    try:
        yield _inside.get()
    finally:
        _inside.reset(token)
