"""The small storage seam Lambdas write through: a local folder or an S3 bucket, same calls.

Keys are '/'-separated and relative to the store (a bucket, or a folder standing in for one).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def list(self, prefix: str) -> list[StoredObject]: ...
    def copy_to(self, key: str, target: ObjectStore, target_key: str) -> None: ...
    def delete(self, key: str) -> None: ...
    def sha256(self, key: str) -> str: ...
    def describe(self) -> str: ...


class LocalStore:
    """A folder standing in for a bucket. Writes are atomic (temp file + rename)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def list(self, prefix: str) -> list[StoredObject]:
        base = self._path(prefix)
        start = base if base.is_dir() else base.parent
        if not start.exists():
            return []
        found = []
        for path in sorted(start.rglob("*")):
            if not path.is_file() or path.name.startswith(".tmp-"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                found.append(StoredObject(key=key, size=path.stat().st_size))
        return found

    def copy_to(self, key: str, target: ObjectStore, target_key: str) -> None:
        target.put(target_key, self.get(key))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def sha256(self, key: str) -> str:
        return hashlib.sha256(self.get(key)).hexdigest()

    def describe(self) -> str:
        return str(self.root)


class S3Store:
    """A bucket through a boto3 S3 client passed in by the caller."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ChecksumAlgorithm="SHA256")

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def list(self, prefix: str) -> list[StoredObject]:
        found = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append(StoredObject(key=item["Key"], size=int(item["Size"])))
        return found

    def copy_to(self, key: str, target: ObjectStore, target_key: str) -> None:
        if isinstance(target, S3Store):
            target.client.copy_object(
                Bucket=target.bucket,
                Key=target_key,
                CopySource={"Bucket": self.bucket, "Key": key},
                ChecksumAlgorithm="SHA256",
            )
        else:
            target.put(target_key, self.get(key))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def sha256(self, key: str) -> str:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        digest = hashlib.sha256()
        for chunk in iter(lambda: body.read(1 << 20), b""):
            digest.update(chunk)
        return digest.hexdigest()

    def describe(self) -> str:
        return f"s3://{self.bucket}"
