"""The Django site of django_site.py as a Django project, for gunicorn: GZipMiddleware above
browsercheck's, the mode from $BROWSERCHECK_TEST_MODE. ``gunicorn tests.serve_django:application``"""

import os

import django
from django.conf import settings

from .webapps import DJANGO_TEMPLATES

settings.configure(
    DEBUG=False,
    SECRET_KEY="browsercheck-tests",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF="tests.django_site",
    INSTALLED_APPS=["browsercheck.django"],
    MIDDLEWARE=["django.middleware.gzip.GZipMiddleware", "browsercheck.django.BrowserCheckMiddleware"],
    TEMPLATES=DJANGO_TEMPLATES,
    BROWSERCHECK={"SITE": "haninge.se", "MODE": os.environ.get("BROWSERCHECK_TEST_MODE", "banner")},
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
