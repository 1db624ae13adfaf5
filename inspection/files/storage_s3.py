"""The S3 backend of the file store (MinIO, Ceph RGW, a cloud's object store), through boto3.

`CCHC_STORAGE_URL=s3://bucket/prefix` chooses it; the endpoint and region come from
CCHC_STORAGE_ENDPOINT / CCHC_STORAGE_REGION, the credentials from boto3's usual chain
(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role). Every error is an
OSError for the callers, as the disk's are: a missing object FileNotFoundError, anything else
(store unreachable, refused credentials, a full bucket) StoreUnreachable."""

import io
import logging
import os
import threading
from urllib.parse import quote, urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)
MISSING = {"NoSuchKey", "404", "NotFound"}
PRESIGN_MAX_SECONDS = 60
_clients: dict[tuple, object] = {}
_lock = threading.Lock()


class StoreUnreachable(OSError):
    """The object store did not answer, or refused the request."""


def parse_url(url: str) -> tuple[str, str]:
    """ "s3://bucket/some/prefix" → ("bucket", "some/prefix/")."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"CCHC_STORAGE_URL phải có dạng s3://bucket/tiền-tố, không phải {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def _os_error(exc: Exception) -> OSError:
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in MISSING:
        return FileNotFoundError(str(exc))
    return StoreUnreachable(f"{type(exc).__name__}: {exc}")


def client(endpoint: str | None, region: str | None, timeout: float = 5.0):
    """One boto3 client per endpoint and region, per process (clients are thread-safe; a forked
    work-horse makes its own rather than share its parent's connections)."""
    key = (os.getpid(), endpoint or None, region or None, timeout)
    with _lock:
        if key not in _clients:
            config = Config(connect_timeout=min(timeout, 3), read_timeout=timeout, signature_version="s3v4",
                            retries={"max_attempts": 2, "mode": "standard"}, s3={"addressing_style": "path"})
            _clients[key] = boto3.session.Session().client("s3", endpoint_url=key[1], region_name=key[2] or "us-east-1",
                                                           config=config)
        return _clients[key]


class ChunkReader(io.RawIOBase):
    """A raw stream over `source`, whose chunks `_read(n)` gives (wrap it in io.BufferedReader)."""

    def __init__(self, source):
        self._source = source

    def readable(self) -> bool:
        return True

    def _read(self, size: int) -> bytes:
        return self._source.read(size)

    def readinto(self, buffer) -> int:
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()


class S3Reader(ChunkReader):
    """An object's body, read in chunks as it arrives; a broken connection is an OSError."""

    def _read(self, size: int) -> bytes:
        try:
            return self._source.read(size)
        except (BotoCoreError, ClientError) as exc:
            raise _os_error(exc) from exc


class S3Backend:
    """Objects under `prefix` in `bucket`; keys are made only by the storage module."""

    def __init__(self, url: str, *, endpoint: str | None = None, region: str | None = None,
                 multipart_bytes: int = 8 * 1024 * 1024):
        self.bucket, self.prefix = parse_url(url)
        self.client = client(endpoint, region)
        self.transfer = TransferConfig(multipart_threshold=multipart_bytes, multipart_chunksize=multipart_bytes,
                                       max_concurrency=4)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, source_path: str) -> None:
        """Upload the spooled file (multipart above the threshold, read from disk in parts, never
        whole in memory); the spool file is removed either way."""
        try:
            self.client.upload_file(source_path, self.bucket, self._key(key), Config=self.transfer)
        except (BotoCoreError, ClientError, boto3.exceptions.S3UploadFailedError) as exc:
            raise StoreUnreachable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            _unlink(source_path)

    def open(self, key: str) -> io.BufferedReader:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except (BotoCoreError, ClientError) as exc:
            raise _os_error(exc) from exc
        return io.BufferedReader(S3Reader(body), buffer_size=1024 * 1024)

    def delete(self, key: str) -> None:
        """Remove an object nothing refers to; an unreachable store leaves it there (logged: an
        orphan costs space, never a wrong answer)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            log.warning("storage: object %s not deleted: %s", key, exc)

    def size(self, key: str) -> int:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ContentLength"]
        except (BotoCoreError, ClientError) as exc:
            raise _os_error(exc) from exc

    def ping(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            raise _os_error(exc) from exc

    def presigned_url(self, key: str, *, filename: str, mimetype: str, download: bool, seconds: int) -> str:
        """A URL good for this one object for at most 60 s, naming the file (RFC 6266/5987)."""
        disposition = "attachment" if download else "inline"
        params = {"Bucket": self.bucket, "Key": self._key(key), "ResponseContentType": mimetype,
                  "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"}
        try:
            return self.client.generate_presigned_url("get_object", Params=params,
                                                      ExpiresIn=max(1, min(seconds, PRESIGN_MAX_SECONDS)))
        except (BotoCoreError, ClientError) as exc:
            raise _os_error(exc) from exc


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
