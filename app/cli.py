"""The ``convlens`` command: ``convlens serve``, ``convlens worker`` and ``convlens train``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    from app.ml.recipes import RECIPES

    parser = argparse.ArgumentParser(prog="convlens", description="ConvLens: see what a CNN does.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Serve the web app and the REST API.")
    serve.add_argument("--host", help="Interface (default: CONVLENS_HOST or 127.0.0.1).")
    serve.add_argument("--port", type=int, help="Port (default: CONVLENS_PORT or 8000).")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Worker processes, each with its own models; one that dies is replaced "
        "(default: 1; use one per core).",
    )
    serve.add_argument("--reload", action="store_true", help="Restart when the code changes.")
    serve.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug"],
        default="info",
        help="uvicorn's log level; info logs every request (default: info).",
    )

    worker_parser = commands.add_parser(
        "worker",
        help="Run training jobs from the queue (CONVLENS_QUEUE_URL) until stopped.",
        description="Run the queue's training jobs. Start as many as you like, on any machine "
        "that reaches the same Redis (CONVLENS_QUEUE_URL) and sees the same data folder "
        "(CONVLENS_DATA_DIR). Without CONVLENS_QUEUE_URL the app runs its jobs itself.",
    )
    worker_parser.add_argument(
        "--jobs",
        type=int,
        help="Jobs trained at once (default: CONVLENS_TRAINING_WORKERS or 1).",
    )

    train_parser = commands.add_parser(
        "train",
        help="Train a shipped model and save <id>.keras and <id>.json.",
        description="Train a shipped model from scratch. The same seed gives the same model.",
    )
    train_parser.add_argument("model_id", choices=sorted(RECIPES), help="Which model to train.")
    train_parser.add_argument(
        "--data",
        type=Path,
        help="MNIST .npz in Keras' layout (x_train, y_train, x_test, y_test; see "
        "models/README.md); without it Keras downloads MNIST (11 MB, needs internet). "
        "colour-shapes draws its own images from the seed and takes no --data.",
    )
    train_parser.add_argument("--epochs", type=int, help="Epochs (default: the model's recipe).")
    train_parser.add_argument("--seed", type=int, default=1998, help="Random seed (default: 1998).")
    train_parser.add_argument(
        "--out", type=Path, help="Where to save (default: CONVLENS_MODELS_DIR or models/)."
    )
    args = parser.parse_args(argv)

    from app.config import Settings

    settings = Settings()
    if args.command == "serve":
        from app.serving import serve as run_server

        if args.workers < 1:
            parser.error("--workers must be at least 1.")
        if args.workers > 1 and args.reload:
            parser.error("--reload runs one worker: leave out --workers or --reload.")
        host, port = args.host or settings.host, args.port or settings.port
        return run_server(host, port, args.workers, args.reload, args.log_level)
    elif args.command == "worker":
        from app.jobs.worker import run_consumer

        if args.jobs is not None and args.jobs < 1:
            parser.error("--jobs must be at least 1.")
        if settings.queue_url is None:
            print(
                "convlens worker: CONVLENS_QUEUE_URL is not set, so this worker takes jobs from "
                f"the SQLite queue in {settings.data_dir / 'jobs'}, as the app's own worker does.",
                file=sys.stderr,
            )
        run_consumer(settings, args.jobs or settings.training_workers)
    elif args.command == "train":
        from app.ml.train import DatasetError, load_dataset, train

        if args.epochs is not None and args.epochs < 1:
            parser.error("--epochs must be at least 1.")
        try:
            dataset = load_dataset(RECIPES[args.model_id], args.data, args.seed)
        except DatasetError as exc:
            print(f"convlens train: {exc}", file=sys.stderr)
            return 2
        train(
            args.model_id,
            dataset,
            args.out or settings.models_dir,
            epochs=args.epochs,
            seed=args.seed,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
