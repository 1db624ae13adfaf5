"""`flask storage copy-to-s3 s3://bucket/prefix`: copy the disk store (STORAGE_DIR) into an object
store before switching CCHC_STORAGE_URL to it. Every file the database refers to is checked against
the sha256 recorded at upload on the disk, uploaded, then read back and checked again; an object
already in the bucket with the right sha256 is left alone, so the command can be run again after an
interruption (or twice) and copies only what is still missing or wrong."""

import hashlib
from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from models import Attachment, db

from .storage import LocalBackend
from .storage_s3 import S3Backend

CHUNK = 1024 * 1024


@dataclass
class CopyTally:
    copied: int = 0
    present: int = 0
    missing: list[str] = field(default_factory=list)  # no file on the disk
    damaged: list[str] = field(default_factory=list)  # the disk's bytes or the copy do not match


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _in_bucket(target: S3Backend, key: str, sha256: str) -> bool:
    """The object is there with the expected bytes (its sha256 metadata, else its content)."""
    try:
        head = target.client.head_object(Bucket=target.bucket, Key=target.prefix + key)
    except Exception:  # not there (404) or not readable: copy it
        return False
    if head.get("Metadata", {}).get("sha256") == sha256:
        return True
    return _sha256(target.open(key)) == sha256


def copy_one(source: LocalBackend, target: S3Backend, key: str, sha256: str, tally: CopyTally) -> None:
    if _in_bucket(target, key, sha256):
        tally.present += 1
        return
    path = source._path(key)
    if not path.is_file():
        tally.missing.append(key)
        return
    if _sha256(path.open("rb")) != sha256:
        tally.damaged.append(key)
        return
    target.client.upload_file(str(path), target.bucket, target.prefix + key, Config=target.transfer,
                              ExtraArgs={"Metadata": {"sha256": sha256}})
    if _sha256(target.open(key)) != sha256:  # read back: what the bucket holds is what was recorded
        tally.damaged.append(key)
        return
    tally.copied += 1


def copy_disk_to_bucket(url: str, endpoint: str | None, region: str | None) -> CopyTally:
    source = LocalBackend(current_app.config["STORAGE_DIR"])
    target = S3Backend(url, endpoint=endpoint, region=region,
                       multipart_bytes=current_app.config["STORAGE_MULTIPART_BYTES"])
    target.ping()
    tally = CopyTally()
    rows = db.session.execute(select(Attachment.storage_key, Attachment.sha256).order_by(Attachment.id))
    for key, sha256 in rows:
        copy_one(source, target, key, sha256, tally)
    return tally


@click.group("storage")
def storage_group():
    """The file store."""


@storage_group.command("copy-to-s3")
@click.argument("url")
@click.option("--endpoint", default=None, help="The object store's address, e.g. http://minio.intranet:9000 "
                                               "(default: CCHC_STORAGE_ENDPOINT).")
@click.option("--region", default=None, help="Default: CCHC_STORAGE_REGION.")
@with_appcontext
def copy_to_s3_command(url: str, endpoint: str | None, region: str | None):
    """Copy every stored file from the disk store into the bucket URL (s3://bucket/prefix)."""
    config = current_app.config
    try:
        tally = copy_disk_to_bucket(url, endpoint or config["STORAGE_ENDPOINT"], region or config["STORAGE_REGION"])
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"Không chép được vào kho {url}: {exc}") from exc
    click.echo(f"{tally.copied} tệp đã chép, {tally.present} tệp đã có sẵn trong kho, "
               f"{len(tally.missing)} tệp không có trên đĩa, {len(tally.damaged)} tệp sai mã sha256.")
    for key in tally.missing:
        click.echo(f"  không có trên đĩa: {key}")
    for key in tally.damaged:
        click.echo(f"  sai mã sha256: {key}")
    if tally.damaged:
        raise SystemExit(1)
