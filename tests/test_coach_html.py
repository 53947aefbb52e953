"""The coach's HTML report: one self-contained file, inline SVG charts with the expected series,
everything escaped and secret-masked, and a headless-Chromium render when a browser is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ctxlint.cli.main import main
from ctxlint.coach.aggregate import aggregate
from ctxlint.reporters.coach.html import render
from tests.test_coach import finding, result

SECRET = "sk-ant-api03-" + "A1b2C3d4E5f6G7h8" * 5 + "AA"


def sample_html() -> tuple[str, dict[str, object]]:
    evil = "/p/<script>alert(1)</script>&\"'"
    rows = [
        result("p/<img src=x onerror=alert(1)>.jsonl", "A", requests=40, project=evil,
               findings=[finding("CTX201", 5000, f"rerun with token {SECRET} <b>now</b>")]),
        result("p/b.jsonl", "B", requests=12, started="2026-03-20T09:00:00Z", cost=2.5,
               findings=[finding("CTX202", 9000, "pipe through `head -c 4000`")]),
        result("p/b/subagents/agent-1.jsonl", "B", subagent=True, requests=6),
    ]
    data = aggregate(rows, meta={"CTX201": {"name": "repeated-read", "summary": "<i>s</i>", "fix": "Refer to it."},
                                 "CTX202": {"name": "oversized-tool-output", "summary": "s", "fix": "Filter it."}})
    data["instructions"] = []
    return render(data), data


def svgs(page: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", page, flags=re.S)


def test_self_contained_and_escaped() -> None:
    page, _ = sample_html()
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.lower() and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert SECRET not in page and "&lt;b&gt;now&lt;/b&gt;" in page
    assert "&lt;i&gt;s&lt;/i&gt;" in page
    # no external requests of any kind
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "url(" not in page and "<link" not in page
    assert "@media print" in page


def test_charts_have_the_expected_series() -> None:
    page, data = sample_html()
    charts = svgs(page)
    assert len(charts) >= 4  # waste by rule, 2 context fills, weekly trend
    bars = next(c for c in charts if 'data-series="waste-by-rule"' in c)
    assert bars.count("<rect") == len(data["habits"]) == 2  # type: ignore[arg-type]
    costliest = page.split("<h2>Context fill of the costliest sessions</h2>")[1].split("<h2>")[0]
    fills = [c for c in svgs(costliest) if 'data-series="context"' in c]
    assert len(fills) == 2
    for chart in fills:
        n = int(re.search(r'data-points="(\d+)"', chart).group(1))  # type: ignore[union-attr]
        points = re.search(r'<polyline[^>]*points="([^"]+)"', chart).group(1).split()  # type: ignore[union-attr]
        assert len(points) == n and n in (40, 12)
        # the window model of check's CTX206: 80% of the usable window (200k - 33k), not of the window
        assert 'data-line="window" data-value="200000"' in chart and 'data-line="auto-compact" data-value="167000"' in chart
        assert 'data-line="80%" data-value="133600"' in chart
        assert chart.count('data-marker="compaction"') == 1
        ys = [float(p.split(",")[1]) for p in points]
        assert ys == sorted(ys, reverse=True)  # context grows: y falls on screen
    weekly = next(c for c in charts if 'data-series="weekly"' in c)
    weeks = int(re.search(r'data-points="(\d+)"', weekly).group(1))  # type: ignore[union-attr]
    assert weeks == 3  # 2026-W10, an empty W11, W12: gaps are filled
    assert weekly.count("<rect") == weeks
    # the share line never crosses the empty W11: two runs of one week each, so dots and no line
    assert 'data-series="weekly-waste-share" data-points="2" data-runs="2"' in weekly
    assert "<polyline" not in weekly
    assert 'data-series="weekly-spend" data-points="3"' in weekly


def chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("chromium is not installed")
    page, _ = sample_html()
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")
    png = tmp_path / "report.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           f"--screenshot={png}", "--window-size=1280,2000", html_file.as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert png.exists() and png.stat().st_size > 20_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_writes_one_html_file(tmp_path: Path) -> None:
    from tests.test_coach import write_session

    write_session(tmp_path / "h" / "s.jsonl", [{"prompt": "hi"}, {"read": "a.py", "tokens": 12000}, {"requests": 5},
                                                {"compact": True}, {"requests": 3}])
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["coach", str(tmp_path / "h"), "--format", "html", "--output", str(out),
                                    "--no-config"])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    page = out.read_text(encoding="utf-8")
    fill = next(c for c in svgs(page) if 'data-series="context"' in c)
    assert 'data-marker="compaction"' in fill
