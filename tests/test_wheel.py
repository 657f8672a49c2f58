"""The wheel is the product: built from this checkout, installed in a fresh venv and served from
an empty directory, it must carry its templates, static files and migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from app.migrate import alembic_config
from tests.app_server import app_server
from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ("templates", "static", "migrations")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy, so the build leaves no build/ or egg-info in the checkout.
    source = tmp_path_factory.mktemp("source")
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    # pip fetches the build backend (setuptools) from what it already has locally.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("parley-*.whl")
    return built


def test_the_wheel_holds_every_template_static_file_and_migration(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for part in PACKAGE_DATA:
        on_disk = {
            path.relative_to(ROOT).as_posix()
            for path in (ROOT / "app" / part).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert on_disk, part
        assert on_disk <= names, sorted(on_disk - names)
    # The share images' font configuration, read at run time beside app/share/images.py.
    assert "app/share/fonts.conf" in names
    assert not [name for name in names if "__pycache__" in name or name.startswith("tests/")]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed in it."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # Its dependencies come from the test venv's site-packages, added as a plain path: the .pth
    # files there (this checkout's editable install among them) are not run, so `app` can only
    # come from the wheel.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "test-venv-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [str(python), "-c", "import app; print(app.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=venv,
    ).stdout.strip()
    assert installed.startswith(site), installed
    return venv


def test_installed_wheel_serves_the_demo_from_an_empty_directory(
    venv: Path, tmp_path: Path
) -> None:
    here = tmp_path / "anywhere"
    here.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # nothing of this checkout's
    with app_server(
        env,
        tmp_path / "serve.log",
        "--demo",
        parley=[str(venv / "bin" / "parley")],
        cwd=here,
        inherit_env=False,
    ) as base:
        matrix = parse(urllib.request.urlopen(f"{base}/", timeout=10).read().decode())
        assert len(matrix.select("#matrix thead th[data-party]")) == 4
        assert matrix.select("#matrix td[data-stance]")
        stylesheet = matrix.select_one('link[rel="stylesheet"]')
        assert stylesheet is not None
        css = urllib.request.urlopen(f"{base}{stylesheet['href']}", timeout=10).read()
        assert css == (ROOT / "app" / "static" / "css" / "parley.css").read_bytes()

    # The default database, in the directory it was started from, is at the latest migration.
    database = create_engine(f"sqlite:///{here / 'parley.db'}")
    with database.connect() as connection:
        version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    database.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_installed_wheel_generates_benchmark_data_without_bench(venv: Path, tmp_path: Path) -> None:
    # bench/ is not in the wheel (nor in the Docker image): `parley bench-data` must not need it.
    result = subprocess.run(
        [
            str(venv / "bin" / "parley"),
            "bench-data",
            "--statements",
            "30",
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.db'}",
        ],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    database = create_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    with database.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM statement")) == 30
    database.dispose()
