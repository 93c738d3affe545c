"""Glue 5.0's Python environment, stood in on this machine: a Python 3.11 virtualenv holding
exactly the modules Glue 5.0 documents (requirements/glue-5.0-modules.txt), with PyPI's PySpark
3.5.4, py4j and awsglue linked in from the project's .venv for Glue's own Spark and library.

Built once per module list (and options) under build/runtimes/ and reused. Used by
test_glue_wheel.py (the wheel installed beside the modules) and test_glue_container.py (the
docker compose services' commands run in an environment built like the Glue 5 image).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "requirements" / "glue-5.0-modules.txt"
PROJECT_SITE = ROOT / ".venv" / "lib" / "python3.11" / "site-packages"
# Installer tooling (the venv brings its own pip and setuptools) and kaleido, an ~80 MB binary
# for plotly's static image export: listed by Glue 5.0, left out here.
LEFT_OUT = {"pip", "setuptools", "virtualenv", "kaleido"}
# Glue's own Spark and Glue library, not in the module list: taken from the project's .venv.
STAND_INS = ("pyspark", "py4j", "awsglue")
STAND_IN_DISTS = {"pyspark", "py4j", "awsgluedataplanepython"}
STAND_IN_FOLDER = "glue-stand-ins"


def glue_requirements() -> list[str]:
    lines = [line.strip() for line in MODULES.read_text().splitlines()]
    pins = [line for line in lines if line and not line.startswith("#")]
    return [pin for pin in pins if pin.split("==")[0].lower() not in LEFT_OUT]


def site_packages(venv: Path) -> Path:
    return venv / "lib" / "python3.11" / "site-packages"


def link_stand_ins(venv: Path, on_path: bool = True) -> Path:
    """A folder of symlinks to only PySpark, py4j and awsglue (and their dist-info) in the
    project's .venv: no 300 MB download. on_path puts it on the venv's path by a .pth file;
    otherwise the caller puts it on PYTHONPATH (as the Glue image does with its Spark's)."""
    folder = venv / STAND_IN_FOLDER
    folder.mkdir()
    for package in STAND_INS:
        (folder / package).symlink_to(PROJECT_SITE / package)
    for dist in STAND_IN_DISTS:
        (info,) = PROJECT_SITE.glob(f"{dist}-*.dist-info")
        (folder / info.name).symlink_to(info)
    if on_path:
        (site_packages(venv) / "glue-stand-ins.pth").write_text(f"{folder}\n")
    return folder


def python_installation(prefix: Path) -> None:
    """This machine's Python 3.11 laid out again under `prefix` with an empty site-packages:
    its binary copied (Python finds its prefix from where the binary is), its standard
    library linked, pip bootstrapped by ensurepip."""
    base = Path(sys.base_prefix)
    stdlib = base / "lib" / "python3.11"
    (prefix / "bin").mkdir(parents=True)
    shutil.copy2(base / "bin" / "python3.11", prefix / "bin" / "python3.11")
    for alias in ("python3", "python"):
        (prefix / "bin" / alias).symlink_to("python3.11")
    (prefix / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    for entry in stdlib.iterdir():
        if entry.name != "site-packages":
            (prefix / "lib" / "python3.11" / entry.name).symlink_to(entry)
    python = str(prefix / "bin" / "python3")
    subprocess.run([python, "-m", "ensurepip", "--default-pip"], check=True, capture_output=True,
                   env={**os.environ, "PYTHONNOUSERSITE": "1"})  # fmt: skip
    found = subprocess.run([python, "-c", "import sys; print(sys.prefix)"], check=True,
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert Path(found) == prefix, f"{found}: not an installation of its own"


def build_glue_venv(
    requirements: list[str], name: str = "glue-5.0-venv", user_site: bool = False
) -> Path:
    """python3.11 -m venv with exactly `requirements` (--no-deps: the list is the whole set,
    and `pip check` shows it is consistent), cached by the list's hash.

    user_site: not a venv but a Python installation of its own, like the image's system
    Python, where `pip3 install --user` installs into ~/.local and may shadow what the
    installation holds (pip refuses that inside a venv); the stand-ins are then left for the
    caller to put on PYTHONPATH."""
    key = hashlib.sha256("\n".join([*requirements, f"user_site={user_site}"]).encode())
    venv = ROOT / "build" / "runtimes" / f"{name}-{key.hexdigest()[:12]}"
    if not user_site:  # the key test_glue_wheel.py's cached venv was built under
        key = hashlib.sha256("\n".join(requirements).encode())
        venv = ROOT / "build" / "runtimes" / f"{name}-{key.hexdigest()[:12]}"
    if (venv / ".complete").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    python = str(venv / "bin" / "python")
    if user_site:
        python_installation(venv)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                    *requirements], check=True, capture_output=True,
                   env={**os.environ, "PYTHONNOUSERSITE": "1"})  # fmt: skip
    link_stand_ins(venv, on_path=not user_site)
    check_env = None
    if user_site:  # pip check needs the stand-ins importable, as the image's PYTHONPATH has them
        check_env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(venv / STAND_IN_FOLDER)}
    subprocess.run([python, "-m", "pip", "check"], check=True, capture_output=True,
                   env=check_env)  # fmt: skip
    (venv / ".complete").write_text("\n".join(requirements) + "\n")
    return venv
