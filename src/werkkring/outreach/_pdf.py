"""HTML to PDF with WeasyPrint, an optional extra (``werkkring[pdf]``) because it needs the Pango library."""

from __future__ import annotations

from werkkring.errors import WerkkringError


class PdfUnavailable(WerkkringError):
    """WeasyPrint or the system libraries it needs are not installed."""


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint: pip install 'werkkring[pdf]', and on Debian/Ubuntu "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 ({error})"
        ) from None
    pdf = HTML(string=html, base_url=base_url).write_pdf()
    assert pdf is not None
    return bytes(pdf)
