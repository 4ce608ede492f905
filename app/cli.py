"""The ``convlens`` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="convlens", description="ConvLens: see what a CNN does.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Serve the web app and the REST API.")
    serve.add_argument("--host", help="Interface (default: CONVLENS_HOST or 127.0.0.1).")
    serve.add_argument("--port", type=int, help="Port (default: CONVLENS_PORT or 8000).")
    serve.add_argument("--reload", action="store_true", help="Restart when the code changes.")
    args = parser.parse_args(argv)

    if args.command == "serve":
        import uvicorn

        from app.config import Settings

        settings = Settings()
        uvicorn.run(
            "app.main:app",
            host=args.host or settings.host,
            port=args.port or settings.port,
            reload=args.reload,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
