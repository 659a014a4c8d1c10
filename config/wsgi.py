"""WSGI entry point. Defaults to the PRODUCTION settings: a server never starts by accident with DEBUG and
a known key (the production settings refuse to start without their secrets)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
application = get_wsgi_application()
