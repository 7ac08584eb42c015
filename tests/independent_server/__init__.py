"""A from-scratch FastAPI implementation of the Notifications API, written from ``openapi.yaml``
and the public documentation only (it imports nothing from ``mock_server``), so the contract kit
can be run against a server it was not developed beside.

It makes the choices an independent backend team would where the contract leaves room:
``text/event-stream; charset=utf-8``, sse-starlette's CRLF framing and its own ``: ping``
comments, ``Not authenticated`` / ``Could not validate credentials`` details with a
``WWW-Authenticate`` header, pydantic's JSON spacing, and extra metadata keys.
"""

from independent_server.app import create_app
from independent_server.seed import SeedUser, seed_store
from independent_server.server import IndependentServer
from independent_server.store import Store

__all__ = ["IndependentServer", "SeedUser", "Store", "create_app", "seed_store"]
