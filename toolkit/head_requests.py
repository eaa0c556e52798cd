"""A HEAD request gets the GET's status and headers and no body.

Django leaves that to the server, and gunicorn does drop a HEAD's body, but logs "WSGI
app sent body bytes on a no-body response" for each: monitors and link checkers that ask
with HEAD would fill the log. First in MIDDLEWARE, so the Content-Length it keeps is the
one of the body the others made (compressed or not).
"""


class HeadWithoutBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            # A file's own closer stays registered: the server's close() still closes it.
            response.streaming_content = []
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response
