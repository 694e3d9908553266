"""Every kind of background job, imported once so that the web processes (which enqueue) and the workers
(which run) know the same handlers. A new kind of job adds its module here."""

from werkkring.jobs import board, introductions, mail, newsletter, notify, print_pdf, report_pdf

__all__ = ["board", "introductions", "mail", "newsletter", "notify", "print_pdf", "report_pdf"]
