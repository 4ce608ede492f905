"""Settings from environment variables with the ``CONVLENS_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVLENS_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    allowed_hosts: list[str] = Field(
        default=["127.0.0.1", "localhost", "[::1]", "testserver"],
        min_length=1,
        description="Host names (as in the Host header; IPv6 in brackets, '*.example.org' for "
        "subdomains, '*' for any) this server answers; other hosts get 400. Redirects are built "
        "from the Host header. The address convlens serve binds to is added.",
    )
    static_dir: Path = PROJECT_ROOT / "static"
    templates_dir: Path = PROJECT_ROOT / "templates"
    models_dir: Path = PROJECT_ROOT / "models"
    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Where imported and trained models are kept; every worker process (and, "
        "scaled out, every machine) must see the same folder.",
    )
    max_import_bytes: int = Field(
        default=128 * 1024 * 1024,
        ge=1024,
        description="Largest model file POST /api/models accepts, in bytes (VGG16 without its "
        "top is about 59 MB as .keras).",
    )
    max_import_params: int = Field(
        default=30_000_000,
        ge=1,
        description="Most parameters an imported model may have (VGG16 without its top has "
        "14.7 million, ResNet-50 25.6 million).",
    )
    import_memory_bytes: int = Field(
        default=3 * 1024 * 1024 * 1024,
        ge=256 * 1024 * 1024,
        description="Address space the process that reads an uploaded model file may use.",
    )
    import_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="CPU seconds (and, with some slack, wall-clock seconds) that process may use.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_json_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest JSON request body accepted, in bytes: FastAPI parses JSON on the "
        "event loop, so this bounds how long one body can hold other requests.",
    )
    max_image_pixels: int = Field(
        default=4096 * 4096, ge=1, description="Largest decoded image accepted, in pixels."
    )
    max_image_side: int = Field(
        default=4096,
        ge=1,
        description="Longest side of a decoded image accepted, in pixels: a thin image under "
        "the pixel cap is refused too, before padding could make it thousands of times larger.",
    )
    compute_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Model requests (predict, activations, live frames) computed at once in "
        "each process; the rest wait their turn.",
    )
    compute_queue: int = Field(
        default=32,
        ge=0,
        le=10_000,
        description="Model requests that may wait for a compute slot in each process; one more "
        "is refused at once with 503 and Retry-After.",
    )
    read_timeout: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="Seconds convlens serve waits for a request's headers, and between two "
        "pieces of its body, before it closes the connection.",
    )
    max_connections: int = Field(
        default=200,
        ge=1,
        description="Connections (WebSockets included) each convlens serve worker holds at "
        "once; more are answered 503 at once.",
    )
    live_max_frame_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest canvas frame accepted on /api/live, in bytes; a bigger one closes "
        "the socket (code 1009).",
    )
    live_messages_per_second: float = Field(
        default=20,
        gt=0,
        le=10_000,
        description="Messages a second a live client may send on average (bursts of twice "
        "that); more closes the socket (code 1008).",
    )
    opencv_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Threads OpenCV may split one operation over, in each process.",
    )
    max_dataset_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest dataset archive (.zip or .tar.gz) POST /api/datasets accepts, in "
        "bytes.",
    )
    max_dataset_members: int = Field(
        default=20_000,
        ge=1,
        description="Most members (files and folders) read from one dataset archive.",
    )
    max_dataset_unpacked_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024,
        description="Most bytes one dataset archive may unpack to (read in memory, never to "
        "disk), and the most its arrays may take.",
    )
    max_dataset_image_pixels: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest image in a dataset archive, in pixels; bigger ones are skipped.",
    )
    max_dataset_pixels: int = Field(
        default=256 * 1024 * 1024,
        ge=1,
        description="Most pixels decoded for one dataset, all its images together.",
    )
    datasets_storage_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=1024,
        description="Most bytes all stored datasets may take in the data folder; the datasets "
        "used longest ago are deleted to make room for a new one.",
    )
    dataset_keep_seconds: float = Field(
        default=600,
        ge=0,
        le=7 * 24 * 3600,
        description="Datasets used (uploaded, shown or trained on) in the last this many "
        "seconds are never deleted to make room; an upload that needs their space is refused.",
    )
    queue_url: str | None = Field(
        default=None,
        pattern=r"^rediss?://",
        max_length=2000,
        description="Redis URL (redis://host:6379/0) of the training queue that convlens worker "
        "processes on any machine consume; they must share the data folder. Unset: the queue "
        "is a SQLite file in the data folder, run by a worker process the app starts itself.",
    )
    training_workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Training jobs run at once by the app's own worker (no queue_url), and by "
        "each convlens worker unless told otherwise.",
    )
    max_queued_jobs: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="Training jobs that may wait in the queue; one more is refused with 429.",
    )
    max_training_params: int = Field(
        default=5_000_000,
        ge=1,
        description="Most parameters a network trained here may have.",
    )
    job_work_values: int = Field(
        default=25_000_000,
        ge=0,
        description="An explanation, patterns or dreams request computing more layer values "
        "than this (about a second here) runs as a job on the queue and answers 202.",
    )
    max_jobs_per_client: int = Field(
        default=2,
        ge=1,
        le=10_000,
        description="Training jobs one client address may have queued or running at once; one "
        "more is refused with 429 until one ends. Behind a reverse proxy on another machine, "
        "name it in FORWARDED_ALLOW_IPS (uvicorn's) so that the address is the user's.",
    )
    max_training_seconds: float = Field(
        default=1800,
        gt=0,
        le=7 * 24 * 3600,
        description="Most seconds one training job may run; it is then stopped and failed "
        "with that reason. Read by the process that trains (the app, or convlens worker).",
    )
