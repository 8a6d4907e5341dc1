"""The README's pictures, made again (python -m bench.readme_images, or make readme-images).

Six files in assets/readme/, each at most 1200 pixels wide and 250 KB:

- map-first-1366x768.png, map-first-1600x900.png, map-first-1920x1080.png and
  phone-390x844.png: the screenshots tests/test_layout_browser.py takes (it runs here);
- deck-pptx-slide.png: a map slide of a shipped briefing's PowerPoint deck, drawn by
  LibreOffice (soffice --headless --convert-to pdf, then pdftoppm), as an office suite shows
  the file, fonts included;
- deck-pdf-page.png: the same slide's page of the briefing's PDF, drawn by pdftoppm.

The decks come from the command line (python -m dashboard.export --briefing NAME --pptx
--pdf), in bench/out/readme/. Needs Debian's poppler-utils (pdftoppm) and libreoffice-impress
(soffice): they make these pictures only, and neither the app nor its tests need them.
--no-tests keeps the screenshots already in tests/screenshots/; --no-export the decks
already in bench/out/readme/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "assets" / "readme"
WORK = REPO / "bench" / "out" / "readme"
SHOTS = REPO / "tests" / "screenshots"
SCREENSHOTS = {  # what tests/test_layout_browser.py writes -> the README's picture
    "20-map-first-1366x768.png": "map-first-1366x768.png",
    "20-map-first-1600x900.png": "map-first-1600x900.png",
    "20-map-first-1920x1080.png": "map-first-1920x1080.png",
    "21-phone-link.png": "phone-390x844.png",
}
WIDTH = 1200  # pixels, at most
LIMIT = 250_000  # bytes, at most


def shrink(source: Path, target: Path) -> int:
    """At most WIDTH wide, as a palette PNG (octree keeps the small swatches' colours); its size in bytes."""
    image = Image.open(source).convert("RGB")
    if image.width > WIDTH:
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    target.parent.mkdir(parents=True, exist_ok=True)
    for colours in (256, 128, 64):
        image.quantize(colours, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)
        if target.stat().st_size <= LIMIT:
            return target.stat().st_size
    raise SystemExit(f"{target.name}: over {LIMIT} bytes even with 64 colours")


def page_png(pdf: Path, page: int, target: Path) -> int:
    """One page of a PDF, drawn by pdftoppm WIDTH pixels wide."""
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "page"
        subprocess.run(
            ["pdftoppm", "-f", str(page), "-l", str(page), "-singlefile", "-png"]
            + ["-scale-to-x", str(WIDTH), "-scale-to-y", "-1", str(pdf), str(stem)],
            check=True,
        )
        return shrink(stem.with_suffix(".png"), target)


def pptx_as_pdf(pptx: Path) -> Path:
    """The deck as LibreOffice Impress lays it out, in a throw-away profile."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless"]
            + ["--convert-to", "pdf", "--outdir", str(WORK / "impress"), str(pptx)],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return WORK / "impress" / pptx.with_suffix(".pdf").name


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme_images", description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefing", default="ports-and-sea", help="the shipped briefing the deck pictures show")
    parser.add_argument("--slide", type=int, default=1, help="which of its slides (1 = the first map)")
    parser.add_argument("--no-tests", action="store_true", help="keep the screenshots in tests/screenshots/")
    parser.add_argument("--no-export", action="store_true", help="keep the decks in bench/out/readme/")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("pdftoppm", "soffice") if shutil.which(tool) is None]
    if missing:
        print(f"error: needs {' and '.join(missing)} (apt-get install poppler-utils libreoffice-impress)")
        return 2
    if not args.no_tests:
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_layout_browser.py"],
            cwd=REPO,
            check=True,
        )
    pptx, pdf = WORK / f"{args.briefing}.pptx", WORK / f"{args.briefing}.pdf"
    if not args.no_export:
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "dashboard.export", "--briefing", args.briefing]
            + ["--pptx", str(pptx), "--pdf", str(pdf)],
            cwd=REPO,
            check=True,
        )
    made = {name: shrink(SHOTS / shot, OUT / name) for shot, name in SCREENSHOTS.items()}
    # The PowerPoint deck opens on its title slide; the PDF starts with the first map.
    made["deck-pptx-slide.png"] = page_png(pptx_as_pdf(pptx), args.slide + 1, OUT / "deck-pptx-slide.png")
    made["deck-pdf-page.png"] = page_png(pdf, args.slide, OUT / "deck-pdf-page.png")
    for name, size in made.items():
        print(f"{OUT.relative_to(REPO) / name}: {size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
