"""The Flask test site behind browsercheck, for gunicorn: ``gunicorn tests.serve_wsgi:app``."""

from .webapps import flask_app

app = flask_app(site="haninge.se")
