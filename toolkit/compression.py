"""Gzip for the portal's own responses: its pages, fragments and JSON.

Static files are compressed ahead of time by WhiteNoise (gzip and Brotli files made by
collectstatic, served before a request reaches this middleware); the pages Django renders
were sent as they are, a third to a half of a first load's bytes. Django's GZipMiddleware
pads each response with random bytes against BREACH, and Django masks the CSRF token anew
on every response. Streamed downloads (spreadsheets, PDFs, photos: compressed already) are
left alone: gzip would cost CPU for nothing and hide their length.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class PageGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
