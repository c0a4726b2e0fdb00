"""WSGI entry point: Django's request handler (``trellis.web.asgi`` serves it with uvicorn;
any WSGI server can serve it too)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.web.settings")
application = get_wsgi_application()
