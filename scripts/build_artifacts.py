"""Build what Terraform deploys into build/artifacts/ (or the folder given):

- the orderlake wheel, which the Glue jobs install with --additional-python-modules;
- one zip per lambdas/<name>/ folder: its handler.py plus the orderlake package, and the
  definition files the library reads (pipeline.yaml, sql/queries/), at the zip's root, where
  orderlake.definition.project_root() finds them (/var/task);
- the dependencies layer: Faker and PyYAML for Linux x86_64, Python 3.11, from PyPI
  (numpy and pyarrow come from the AWS-managed AWSSDKPandas layer);
- manifest.json naming those files, which Terraform reads.

Zips are written with fixed timestamps and sorted entries, so an unchanged tree gives the same
hash and `terraform plan` shows no change. The layer is reused while its requirements are the same.

    .venv/bin/python scripts/build_artifacts.py [OUT_DIR]
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER_REQUIREMENTS = ["faker>=25", "pyyaml>=6"]
LAYER_ZIP = "deps_layer.zip"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP = {"__pycache__", ".pytest_cache"}


def add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_dir() or SKIP.intersection(path.parts) or path.suffix == ".pyc":
            continue
        info = zipfile.ZipInfo(f"{prefix}{path.relative_to(folder).as_posix()}", FIXED_TIME)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, path.read_bytes())


def add_file(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())


def build_wheel(out: Path) -> str:
    for old in out.glob("orderlake-*.whl"):
        old.unlink()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}  # reproducible wheel timestamps
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp, str(ROOT)],
            check=True,
            env=env,
        )
        (wheel,) = Path(tmp).glob("orderlake-*.whl")
        shutil.copy(wheel, out / wheel.name)
        return wheel.name


def build_lambda(name: str, out: Path) -> str:
    target = out / f"{name}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        add_tree(archive, ROOT / "lambdas" / name, "")
        add_tree(archive, ROOT / "src" / "orderlake", "orderlake/")
        add_file(archive, ROOT / "pipeline.yaml", "pipeline.yaml")
        add_tree(archive, ROOT / "sql" / "queries", "sql/queries/")
    return target.name


def build_layer(out: Path) -> str:
    target = out / LAYER_ZIP
    stamp = out / "deps_layer.requirements"
    wanted = "\n".join(LAYER_REQUIREMENTS)
    if target.exists() and stamp.exists() and stamp.read_text() == wanted:
        return target.name
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "python"
        subprocess.run(
            [
                sys.executable, "-m", "pip", "install", "--quiet", "--target", str(site),
                "--platform", "manylinux2014_x86_64", "--implementation", "cp",
                "--python-version", "3.11", "--only-binary=:all:", *LAYER_REQUIREMENTS,
            ],
            check=True,
        )  # fmt: skip
        with zipfile.ZipFile(target, "w") as archive:
            add_tree(archive, site, "python/")
    stamp.write_text(wanted)
    return target.name


def main(argv: list[str]) -> int:
    # pip builds the wheel inside the source tree (build/, src/*.egg-info): builds running at
    # once (make test runs several suites side by side) take turns.
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".build_artifacts.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return build(argv)


def build(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "build" / "artifacts"
    out.mkdir(parents=True, exist_ok=True)
    lambdas = sorted(p.parent.name for p in (ROOT / "lambdas").glob("*/handler.py"))
    manifest = {
        "wheel": build_wheel(out),
        "layer": build_layer(out),
        "lambdas": {name: build_lambda(name, out) for name in lambdas},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    for name in [manifest["wheel"], manifest["layer"], *manifest["lambdas"].values()]:
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()[:12]
        print(f"{out / name}  sha256:{digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
