"""HTML to PDF with WeasyPrint (installed with werkkring); it needs the system's Pango library, which a
machine may lack: then PDF output says so, in one line, with how to get it."""

from __future__ import annotations

from functools import cache
from typing import Final

from werkkring.errors import WerkkringError

PANGO_HINT: Final = (
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian/Ubuntu), dnf install pango (Fedora) "
    "or brew install pango (macOS)"
)


class PdfUnavailable(WerkkringError):
    """WeasyPrint or the system libraries it needs are not installed."""


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(f"PDF output needs the Pango library: {PANGO_HINT} ({error})") from None
    pdf = HTML(string=html, base_url=base_url).write_pdf()
    assert pdf is not None
    return bytes(pdf)


@cache
def pdf_available() -> bool:
    """Whether this machine can make PDFs (WeasyPrint imports, so Pango is there); asked once."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
