"""The Starlette test site behind browsercheck, for uvicorn: ``uvicorn tests.serve_asgi:app``."""

from .webapps import starlette_app

app = starlette_app(site="haninge.se", mode="block")
