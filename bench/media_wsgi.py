"""The site's WSGI application with uploads served under MEDIA_URL, as the reverse proxy
serves them in production: for throwaway sites (bench.lighthouse) that run gunicorn alone."""

from django.conf import settings
from whitenoise import WhiteNoise

from mgsite.wsgi import application as site

application = WhiteNoise(site)
application.add_files(str(settings.MEDIA_ROOT), prefix=settings.MEDIA_URL)
