"""What uvicorn serves: Django's WSGI handler on a fixed pool of threads (a2wsgi).

Django's own ASGI handler runs each request's synchronous code on a thread made for that
request, so every request also opened (and closed) its own database connection; measured
on the web benchmark, that cost three times the CPU of the page itself. A fixed pool keeps
one persistent connection per thread. See docs/decisions/0007-serving-cached-pages.md.
"""

import os

from a2wsgi import WSGIMiddleware
from django.conf import settings

from trellis.web.wsgi import application as django_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
application = WSGIMiddleware(django_application, workers=settings.TRELLIS_WEB_THREADS)
