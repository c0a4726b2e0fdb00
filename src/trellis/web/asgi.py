"""What uvicorn serves: Django's WSGI handler on a fixed pool of threads (a2wsgi).

Django's own ASGI handler runs each request's synchronous code on a thread made for that
request, so every request also opened (and closed) its own database connection; measured
on the web benchmark, that cost three times the CPU of the page itself. A fixed pool keeps
one persistent connection per thread. See docs/decisions/0007-serving-cached-pages.md.

Each server process also builds its evaluated scorecard in the background as it starts
(explanations and charts need it), so the first visitor after a restart does not wait for it;
with ``TRELLIS_EVALUATION=worker`` it holds none: the worker answers for it.
"""

import threading

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.db import connections

from trellis.web.core import delegate
from trellis.web.wsgi import application as django_application

application = WSGIMiddleware(django_application, workers=settings.TRELLIS_WEB_THREADS)


def _prepare() -> None:
    """Build this process's evaluated scorecard (nothing to do before a first import);
    without a worker, first redo a refresh that a stopped process left undone."""
    from trellis.web.results import services  # noqa: PLC0415 - needs the loaded apps

    try:
        if not settings.TASKS_IN_WORKER:
            services.catch_up()
        if not delegate.delegating():
            services.prepare()
    finally:
        connections.close_all()


delegate.ask_the_worker()
threading.Thread(target=_prepare, name="trellis-prepare", daemon=True).start()
