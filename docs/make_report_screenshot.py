"""Regenerate docs/img/report.png: simulated study data → `surveykit report` → headless Chromium.

    python docs/make_report_screenshot.py

Needs `pip install -e '.[report]'` and a `chromium` on PATH. The data is
simulated with a fixed seed, so the picture changes only when the report does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        db, page = Path(tmp) / "study.db", Path(tmp) / "report.html"

        def surveykit(*args: str) -> None:
            subprocess.run([sys.executable, "-m", "surveykit", *args], check=True,
                           stdout=subprocess.DEVNULL)

        surveykit("simulate", str(ROOT / "surveys/checkout-study.yaml"), "-n", "40",
                  "--db", str(db), "--seed", "7", "--start", "2026-11-02", "--meta", "design=A,B")
        surveykit("report", str(db), "--by", "design", "--out", str(page))
        out = ROOT / "docs/img/report.png"
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={Path(tmp) / 'profile'}", "--hide-scrollbars",
             "--window-size=1000,1500", f"--screenshot={out}", page.as_uri()],
            check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
        )
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
