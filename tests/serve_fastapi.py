"""The FastAPI site of fastapi_site.py behind the middleware, for uvicorn, the mode from
$BROWSERCHECK_TEST_MODE."""

import os

from .fastapi_site import create_app

app = create_app({"site": "haninge.se", "mode": os.environ.get("BROWSERCHECK_TEST_MODE", "banner")})
