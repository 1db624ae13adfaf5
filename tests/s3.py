"""A real S3 API for the suite: moto's standalone server (ThreadedMotoServer, `moto[server]`) on a
free loopback port, started once per test process on first use. `s3_store` points the session's
app at a fresh bucket of it for one test; `storage_backend` runs a test against both backends,
and with the object store asserts that nothing was written under the disk store (STORAGE_DIR)."""

import contextlib
import os
import socket
import uuid
from pathlib import Path

import boto3
import pytest

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cchc-test", "AWS_SECRET_ACCESS_KEY": "cchc-test-secret",
               "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def moto_server(address: str = "127.0.0.1"):
    """A moto S3 server on `address` (a free port), its endpoint URL while the block runs; the
    credentials (any) set in the environment so that the processes the tests start inherit them."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address=address, port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        yield f"http://{address}:{port}"
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server on 127.0.0.1 for the whole test process."""
    with moto_server() as endpoint:
        yield endpoint


def s3_client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])


def disk_files(app) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class Bucket:
    """The test's bucket: its name, prefix and the objects in it."""

    def __init__(self, endpoint: str, name: str, prefix: str):
        self.endpoint, self.name, self.prefix = endpoint, name, prefix
        self.client = s3_client(endpoint)
        self.client.create_bucket(Bucket=name)

    @property
    def url(self) -> str:
        return f"s3://{self.name}/{self.prefix}"

    def keys(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {o["Key"].removeprefix(self.prefix + "/") for page in pages for o in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{key}")["Body"].read()

    def write(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=f"{self.prefix}/{key}", Body=data)

    def env(self) -> dict:
        """The settings a worker process needs to use this bucket."""
        return {"CCHC_STORAGE_URL": self.url, "CCHC_STORAGE_ENDPOINT": self.endpoint, **CREDENTIALS}


@pytest.fixture
def s3_store(app, s3_server):
    """The app stores in a fresh bucket for this test; nothing may land under STORAGE_DIR."""
    bucket = Bucket(s3_server, f"cchc-{uuid.uuid4().hex[:12]}", "cchc")
    saved = {k: app.config.get(k) for k in ("STORAGE_URL", "STORAGE_ENDPOINT", "STORAGE_REGION")}
    before = disk_files(app)
    app.config.update(STORAGE_URL=bucket.url, STORAGE_ENDPOINT=s3_server, STORAGE_REGION="us-east-1")
    try:
        yield bucket
        assert disk_files(app) == before, "a file was written under the disk store while the object store was set"
    finally:
        app.config.update(saved)


@pytest.fixture(params=["disk", "s3"])
def storage_backend(request, app):
    """Run the test against the disk store and against the S3 server: None, or the Bucket."""
    if request.param == "disk":
        yield None
    else:
        yield request.getfixturevalue("s3_store")
