"""The Flask site of flask_site.py, for gunicorn, the mode from $BROWSERCHECK_TEST_MODE."""

import os

from .flask_site import create_app

app = create_app(site="haninge.se", mode=os.environ.get("BROWSERCHECK_TEST_MODE", "banner"))
