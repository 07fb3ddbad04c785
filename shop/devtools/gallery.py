"""The README's gallery pictures, made from the browser journeys' screenshots.

    pytest tests/browser/test_fulfilment.py -p no:randomly   # fills var/screenshots/
    python -m shop.devtools.gallery                          # writes docs/screenshots/*.png

Each picture is the first screen of the page, as the shopper sees it before scrolling (1280 x 900 px
on a desktop, 390 x 844 on a phone), in 256 colours: flat page colours survive that, and each file
stays well under 300 KB.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
GALLERY = BASE_DIR / "docs" / "screenshots"

# Gallery name: the journey check it comes from (tests/browser, "<journey>-NN-<check>").
PAGES = {
    "basket": "fulfilment-*-basket",
    "account-orders": "fulfilment-*-account-orders",
    "order": "fulfilment-*-order-dispatched",
    "write-review": "fulfilment-*-write-review",
    "404": "fulfilment-*-404",
}
SCREENS = {"desktop": ("", (1280, 900)), "phone": ("-phone", (390, 844))}
MAX_BYTES = 300_000


def newest(pattern: str) -> Path:
    found = sorted(SCREENSHOTS.glob(pattern), key=lambda path: path.stat().st_mtime)
    if not found:
        raise SystemExit(f"No {pattern} in {SCREENSHOTS}: run the browser journeys first.")
    return found[-1]


def first_screen(source: Path, size: tuple[int, int], target: Path) -> int:
    """Save the top `size` of the full-page screenshot as a 256-colour PNG; its size in bytes."""
    with Image.open(source) as page:
        screen = page.convert("RGB").crop((0, 0, *size))
    screen.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target.stat().st_size


def main() -> int:
    GALLERY.mkdir(parents=True, exist_ok=True)
    for name, check in PAGES.items():
        for width_name, (suffix, size) in SCREENS.items():
            target = GALLERY / f"{name}{suffix}.png"
            written = first_screen(newest(f"{check}-{width_name}.png"), size, target)
            print(f"{target.relative_to(BASE_DIR)}: {written // 1024} KB")
            if written > MAX_BYTES:
                print(f"  larger than {MAX_BYTES // 1000} KB", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
