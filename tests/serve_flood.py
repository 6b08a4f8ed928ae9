"""The Starlette test site with a small verdict cache budget, for the flood test:
``uvicorn tests.serve_flood:app``."""

from browsercheck import Checker

from .webapps import starlette_app

app = starlette_app(site="haninge.se", checker=Checker(cache_bytes=2 * 1024 * 1024))
