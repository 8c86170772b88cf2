"""HTML to PDF with WeasyPrint: fonts and stylesheets set up once per process, a fetcher for our
assets only."""

from __future__ import annotations

import gc
import logging
import mimetypes
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import N_, DtmError
from .subset import lean_fonts

_log = logging.getLogger(__name__)


class RenderError(DtmError):
    """The PDF renderer cannot run here (a missing system library)."""


def _weasyprint() -> Any:
    import weasyprint
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        raise RenderError(
            N_(
                "HarfBuzz's subsetter (libharfbuzz-subset0) is missing: PDFs would take 20 times "
                "longer; install it with `apt-get install libharfbuzz-subset0` (or run `make "
                "setup`)"
            )
        )
    return weasyprint


_built: dict[object, Any] = {}
_built_in: list[int] = []


def _once(key: object, build: Callable[[], Any]) -> Any:
    """`build()` once per process and `key`. A worker made by fork starts afresh instead of
    sharing its parent's font setup (fontconfig state, temporary font files); each firm a worker
    renders after that reuses what its first one built."""
    if _built_in != [os.getpid()]:
        _built.clear()
        _built_in[:] = [os.getpid()]
    if key not in _built:
        _built[key] = build()
    return _built[key]


def _font_config() -> Any:
    def build() -> Any:
        from weasyprint.text.fonts import FontConfiguration

        return FontConfiguration()

    return _once("fonts", build)


# WeasyPrint's own user-agent rules for footnotes and notes, one rule a line in its html5_ua.css.
_NOTE_RULES = re.compile(r"(?m)^::(?:footnote|note)-[a-z-]+ *\{[^{}\n]*\} *$")


def _html_class() -> Any:
    """`weasyprint.HTML` without the user-agent rules for footnotes and notes.

    WeasyPrint's rules `::footnote-call`, `::footnote-marker` and `::note-*` match every
    element, so it computes five pseudo-element styles more for each element of a report,
    whether or not the document has a footnote (about 8% of a firm's rendering time); our
    reports have none, and the PDFs are the same without them. Built once per process. A
    WeasyPrint whose user-agent sheet or hook is not where version 70 has them gets the
    plain class, slower but the same.
    """

    def build() -> Any:
        weasyprint = _weasyprint()
        from weasyprint import html as ua
        from weasyprint.css.counters import CounterStyle

        text = getattr(ua, "UA", None)
        plain = weasyprint.HTML
        if not isinstance(text, str) or not hasattr(plain, "_ua_stylesheets"):
            return plain
        kept, dropped = _NOTE_RULES.subn("", text)
        if not dropped:
            return plain
        sheet = weasyprint.CSS(string=kept, counter_style=CounterStyle())

        class ReportHTML(plain):  # type: ignore[misc, valid-type]
            def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
                return [sheet, *super()._ua_stylesheets(forms)[1:]]

        return ReportHTML

    return _once("html", build)


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        """Serves `data:` URLs and regular files inside the template folders; refuses the rest."""

        def __init__(self, roots: Sequence[Path]) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.roots = [r.resolve() for r in roots]

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"refused to fetch {url!r}: only template assets are allowed")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_file() or not any(path.is_relative_to(r) for r in self.roots):
                raise ValueError(f"refused to fetch {url!r}: not a file in the template folders")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return AssetFetcher


def _stylesheets(files: tuple[Path, ...], roots: tuple[Path, ...]) -> list[Any]:
    """The parsed stylesheets, once per process; a file edited since (a user's template folder
    under `dtm serve`) is parsed again."""
    stamps = tuple((f, f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def build() -> list[Any]:
        weasyprint = _weasyprint()
        fetcher = _fetcher_class()(roots)
        return [
            weasyprint.CSS(filename=str(f), url_fetcher=fetcher, font_config=_font_config())
            for f in files
        ]

    return _once(("css", stamps, roots), build)  # type: ignore[no-any-return]


class _CollectorPause:
    """Who has paused the cyclic garbage collector: it runs again when the last render ends,
    and only if it was running when the first began."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.holders = 0
        self.was_enabled = False

    def in_this_process(self) -> _CollectorPause:
        """A child forked during a render in another thread renders none of the parent's: its
        first render starts afresh (and the collector runs again if the parent had paused it)."""
        if self.pid != os.getpid():
            if self.holders and self.was_enabled:
                gc.enable()
            self.reset()
        return self


_pause = _CollectorPause()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while WeasyPrint renders.

    A firm's two reports allocate a few hundred thousand objects, enough for the collector's
    full pass to run two or three times per firm, each walking every object of the process
    (fonts, stylesheets, modules): 10-15% of the rendering time. Reference counting frees most
    of a render's objects anyway; the cycles left are collected when the collector next runs,
    after the render. Renders in several threads at once pause it once, until the last ends.
    """
    pause = _pause.in_this_process()
    with pause.lock:
        if pause.holders == 0:
            pause.was_enabled = gc.isenabled()
            gc.disable()
        pause.holders += 1
    try:
        yield
    finally:
        with pause.lock:
            pause.holders -= 1
            if pause.holders == 0 and pause.was_enabled:
                gc.enable()


def html_to_pdf(html: str, roots: Sequence[Path], stylesheets: Sequence[Path] = ()) -> bytes:
    """Render HTML to PDF bytes; relative URLs resolve against the first root."""
    fetcher = _fetcher_class()(roots)
    with collector_paused(), lean_fonts():
        document = _html_class()(
            string=html, base_url=roots[0].resolve().as_uri() + "/", url_fetcher=fetcher
        )
        pdf: bytes = document.write_pdf(
            stylesheets=_stylesheets(tuple(stylesheets), tuple(roots)),
            font_config=_font_config(),
            uncompressed_pdf=False,
        )
    return pdf


def check_renderer() -> None:
    """Raise RenderError now, not halfway through a batch, if PDFs cannot be made here."""
    _weasyprint()
