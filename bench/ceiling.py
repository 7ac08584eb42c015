"""The ceiling: a bare Starlette app on the mock's own uvicorn settings, answering each API
endpoint with a fixed body of the size the mock sends. Nothing built on this stack can be faster.

    python -m bench.ceiling BODIES.json [--port 0]

``BODIES.json`` maps ``"METHOD /path-template?query"`` to the body text. The app routes the
same path templates the mock serves (path parameters included), so routing costs the same; it
checks no credentials and validates nothing.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.server import Server, uvicorn_config


def create_ceiling(bodies: Mapping[str, bytes]) -> Starlette:
    """One route per path of the ``"METHOD /path?query"`` keys, answering the fixed JSON body
    of the request's method and exact query string (the first body of the method otherwise)."""
    by_path: dict[str, dict[str, dict[bytes, bytes]]] = {}
    for key, body in bodies.items():
        method, _, target = key.partition(" ")
        path, _, query = target.partition("?")
        by_path.setdefault(path, {}).setdefault(method, {})[query.encode()] = body
    routes = []
    for path, methods in by_path.items():
        first = {m: next(iter(by_query.values())) for m, by_query in methods.items()}

        async def endpoint(
            request: Request,
            _bodies: Mapping[str, Mapping[bytes, bytes]] = methods,
            _first: Mapping[str, bytes] = first,
        ) -> Response:
            method = request.method
            body = _bodies[method].get(request.scope["query_string"]) or _first[method]
            return Response(body, media_type="application/json")

        routes.append(Route(path, endpoint, methods=list(methods)))
    return Starlette(routes=routes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling", description=__doc__)
    parser.add_argument("bodies", type=Path, help="JSON file: 'METHOD /path' -> body text")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        raw = json.loads(args.bodies.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"bench.ceiling: cannot read {args.bodies}: {exc}", file=sys.stderr)
        return 2
    app = create_ceiling({k: v.encode() for k, v in raw.items()})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.set_inheritable(True)
    server = Server(uvicorn_config(app, args.host, args.port))
    original_startup = server.startup

    async def startup(sockets: object = None) -> None:
        await original_startup(sockets)
        print(f"ceiling on http://{args.host}:{sock.getsockname()[1]}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    with sock:
        server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
