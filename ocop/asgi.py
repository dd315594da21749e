"""The ASGI application for uvicorn: `ocop.asgi:app`."""

from ocop.app import create_app

app = create_app()
