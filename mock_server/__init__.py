"""In-memory mock server of Visual Layer's Notifications API.

The public surface: :func:`create_app` (an ASGI app), :class:`MockServer` (the app on a free
port in a background thread), :class:`MockConfig`, and the clocks.
"""

from mock_server.app import create_app
from mock_server.clock import Clock, ManualClock, RealClock, ScaledClock
from mock_server.config import MockConfig
from mock_server.server import MockServer

__all__ = [
    "Clock",
    "ManualClock",
    "MockConfig",
    "MockServer",
    "RealClock",
    "ScaledClock",
    "create_app",
]
