"""The first page of a PDF as a PNG sized for a phone screen (parks send results over WeChat).

PDFium (pypdfium2, a wheel with the library inside) rasterises in-process: no external program
to find, and the same pixels on every machine for the same PDF."""

from __future__ import annotations

import io

PHONE_WIDTH = 1080  # px: a phone screen's width, so the page reads without zooming out


def first_page_png(pdf: bytes, width: int = PHONE_WIDTH) -> bytes:
    """Page 1 of `pdf`, `width` pixels wide, as PNG bytes."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    if image.width != width:  # the page's width in points times the scale, rounded
        image = image.resize((width, round(image.height * width / image.width)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
