"""The portal's WSGI application with MEDIA_ROOT served too, for bench/first_load.py only.

In production a reverse proxy (or shared storage) serves uploaded photos; with DEBUG off
Django does not. The benchmark has no proxy, so WhiteNoise stands in for it here, serving
the photos as they are (JPEG and WebP do not compress further). Static files are served
exactly as in production, by the WhiteNoise middleware of config/settings.py.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from config.wsgi import application as portal

application = WhiteNoise(portal)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
