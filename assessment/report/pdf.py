"""HTML to PDF with WeasyPrint: one font setup per process, a fetcher for our assets only."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import DtmError

_log = logging.getLogger(__name__)


class RenderError(DtmError):
    """The PDF renderer cannot run here (a missing system library)."""


def _weasyprint() -> Any:
    import weasyprint
    from weasyprint.text import ffi

    if getattr(ffi, "harfbuzz_subset", None) is None:
        raise RenderError(
            "HarfBuzz's subsetter (libharfbuzz-subset0) is missing: PDFs would take 20 times "
            "longer; install it with `apt-get install libharfbuzz-subset0` (or run `make setup`)"
        )
    return weasyprint


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


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


@lru_cache(maxsize=8)
def _stylesheets(files: tuple[Path, ...], roots: tuple[Path, ...]) -> list[Any]:
    weasyprint = _weasyprint()
    fetcher = _fetcher_class()(roots)
    return [
        weasyprint.CSS(filename=str(f), url_fetcher=fetcher, font_config=_font_config())
        for f in files
    ]


def html_to_pdf(html: str, roots: Sequence[Path], stylesheets: Sequence[Path] = ()) -> bytes:
    """Render HTML to PDF bytes; relative URLs resolve against the first root."""
    weasyprint = _weasyprint()
    fetcher = _fetcher_class()(roots)
    document = weasyprint.HTML(
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
