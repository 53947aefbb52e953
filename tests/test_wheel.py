"""The rule YAML ships inside the wheel: build it, install it in a fresh virtualenv, list the rules."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_lists_rules(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        capture_output=True, text=True,
    )
    if build.returncode != 0 and "No module named build" in build.stderr:
        pytest.skip("the 'build' package is not installed")
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("ctxlint-*.whl"))
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "ctxlint/_rules/CTX101.yaml" in names
    assert "ctxlint/schemas/report.schema.json" in names

    # Only the wheel may provide ctxlint: a PYTHONPATH pointing at a source tree would shadow it.
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env_dir = tmp_path / "venv"
    # The dependencies come from this environment's site-packages through a plain path entry (no
    # network); its .pth files are not processed that way, so the editable install of ctxlint stays
    # invisible and ctxlint is imported only from the wheel.
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True)
    out = subprocess.run([str(env_dir / "bin" / "ctxlint"), "rules"], capture_output=True, text=True,
                         cwd=tmp_path, env=clean_env)
    assert out.returncode == 0, out.stderr
    assert "CTX101" in out.stdout and "instruction-file-too-long" in out.stdout
    where = subprocess.run([str(py), "-c", "import ctxlint.rules.registry as r; print(r.rules_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, env=clean_env)
    assert "_rules" in where.stdout
