"""Product artwork for the demo shop, drawn with Pillow: the merch shape by product type, a motif on it.

Every image is deterministic for its spec, so seeding twice draws the same picture.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter

SIZE = 800
GOLD = (226, 184, 84)
SILVER = (196, 202, 212)
BLACK_NICKEL = (70, 72, 82)
PLATING = {
    "gold": GOLD,
    "silver": SILVER,
    "black nickel": BLACK_NICKEL,
    "rose gold": (228, 160, 150),
}


@dataclass(frozen=True)
class Design:
    """What a product's picture shows: a motif in colours on a merch shape."""

    kind: str  # pin, sticker, keychain, stand, print
    motif: str  # face, fox, cat, star, moon, sword, mecha, dragon, onigiri, heart, ramen, sakura
    primary: tuple[int, int, int]
    secondary: tuple[int, int, int] = (255, 255, 255)
    background: tuple[int, int, int] = (253, 236, 244)
    plating: str = "gold"
    expression: str = "smile"  # for faces: smile, tongue, wink, determined, surprised
    eyes: tuple[int, int, int] = (90, 60, 160)
    extras: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=256)  # designs are immutable, so a re-seed (tests, reruns) redraws nothing
def render_png(design: Design) -> bytes:
    image = draw(design)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def draw(design: Design) -> Image.Image:
    canvas = Image.new("RGB", (SIZE, SIZE), design.background)
    _backdrop(canvas, design)
    shape = {
        "pin": _pin,
        "sticker": _sticker,
        "keychain": _keychain,
        "stand": _stand,
        "print": _print,
    }[design.kind]
    shape(canvas, design)
    return canvas


# --- Merch shapes -----------------------------------------------------------------------------


def _backdrop(canvas: Image.Image, design: Design) -> None:
    d = ImageDraw.Draw(canvas)
    tint = _mix(design.background, design.primary, 0.12)
    for i in range(0, SIZE, 80):
        d.ellipse((i - 20, (i * 7) % SIZE - 20, i + 20, (i * 7) % SIZE + 20), fill=tint)


def _shadow(canvas: Image.Image, box, radius: int = 40, offset: int = 14, circle=True) -> None:
    layer = Image.new("L", canvas.size, 0)
    d = ImageDraw.Draw(layer)
    x0, y0, x1, y1 = box
    shifted = (x0 + offset, y0 + offset, x1 + offset, y1 + offset)
    if circle:
        d.ellipse(shifted, fill=110)
    else:
        d.rounded_rectangle(shifted, radius=radius, fill=110)
    layer = layer.filter(ImageFilter.GaussianBlur(18))
    canvas.paste((60, 40, 70), (0, 0), layer)


def _motif_layer(design: Design, size: int) -> Image.Image:
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    MOTIFS[design.motif](ImageDraw.Draw(layer), size, design)
    return layer


def _pin(canvas: Image.Image, design: Design) -> None:
    """A round enamel pin: metal rim, enamel fill, raised metal lines, a glossy highlight."""
    metal = PLATING.get(design.plating, GOLD)
    box = (110, 110, 690, 690)
    _shadow(canvas, box)
    d = ImageDraw.Draw(canvas)
    d.ellipse(box, fill=metal)
    d.ellipse((128, 128, 672, 672), fill=_mix(metal, (0, 0, 0), 0.25))
    d.ellipse((140, 140, 660, 660), fill=_mix(design.primary, (255, 255, 255), 0.55))
    motif = _motif_layer(design, 520)
    mask = Image.new("L", (520, 520), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, 520, 520), fill=255)
    alpha = Image.composite(motif.getchannel("A"), mask.point(lambda _: 0), mask)
    canvas.paste(motif, (140, 140), alpha)
    # Raised metal line around the enamel and a gloss sweep
    d.ellipse((140, 140, 660, 660), outline=metal, width=10)
    gloss = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(gloss).pieslice((170, 160, 630, 620), 200, 250, fill=70)
    canvas.paste((255, 255, 255), (0, 0), gloss.filter(ImageFilter.GaussianBlur(8)))


def _sticker(canvas: Image.Image, design: Design) -> None:
    """A die-cut vinyl sticker: the motif with a thick white border and a peel corner."""
    motif = _motif_layer(design, 560)
    alpha = motif.getchannel("A")
    border = _dilated(alpha, 20)
    _shadow_from_mask(canvas, border, (120, 120))
    white = Image.new("RGB", (560, 560), (255, 255, 255))
    canvas.paste(white, (120, 120), border)
    canvas.paste(motif, (120, 120), alpha)
    if "holo" in design.extras:
        sheen = Image.new("L", (560, 560), 0)
        for i in range(7):
            ImageDraw.Draw(sheen).line((60 + i * 80, 0, i * 80, 560), fill=90, width=14)
        canvas.paste(
            (200, 235, 255), (120, 120), Image.composite(sheen, border.point(lambda _: 0), border)
        )
    d = ImageDraw.Draw(canvas)
    d.polygon([(640, 690), (700, 690), (700, 630)], fill=(232, 228, 236))


def _dilated(mask: Image.Image, radius: int) -> Image.Image:
    """The mask grown by about `radius` pixels with round corners: a blur, then a threshold (a
    MaxFilter of that size takes a second an image; this, milliseconds)."""
    return mask.filter(ImageFilter.BoxBlur(radius)).point(lambda v: 255 if v > 8 else 0)


def _keychain(canvas: Image.Image, design: Design) -> None:
    """A clear acrylic charm: rounded plate, printed motif, a hole with a ring and a short chain."""
    box = (150, 200, 650, 720)
    _shadow(canvas, box, radius=90, circle=False)
    d = ImageDraw.Draw(canvas)
    d.rounded_rectangle(box, radius=90, fill=(236, 244, 250), outline=(190, 205, 220), width=6)
    motif = _motif_layer(design, 430)
    canvas.paste(motif, (185, 260), motif)
    d.ellipse((375, 215, 425, 265), fill=design.background, outline=(190, 205, 220), width=5)
    d.ellipse((355, 110, 445, 200), outline=SILVER, width=12)
    for i in range(3):
        d.ellipse((380, 40 + i * 28, 420, 80 + i * 28), outline=SILVER, width=8)


def _stand(canvas: Image.Image, design: Design) -> None:
    """An acrylic stand: a tall cut-out figure slotted into an oval base."""
    d = ImageDraw.Draw(canvas)
    _shadow(canvas, (170, 610, 630, 720))
    d.ellipse((170, 600, 630, 710), fill=(225, 236, 246), outline=(180, 196, 214), width=6)
    d.ellipse((200, 615, 600, 690), fill=_mix(design.primary, (255, 255, 255), 0.6))
    motif = _motif_layer(design, 480)
    outline = motif.getchannel("A").filter(ImageFilter.MaxFilter(21))
    plate = Image.new("RGB", (480, 480), (238, 246, 252))
    canvas.paste(plate, (160, 120), outline)
    canvas.paste(motif, (160, 120), motif)
    d.rectangle((370, 590, 430, 640), fill=(210, 226, 240))


def _print(canvas: Image.Image, design: Design) -> None:
    """An art print in a thin frame with a mount, the motif over a sky gradient."""
    _shadow(canvas, (130, 90, 670, 710), radius=4, circle=False)
    d = ImageDraw.Draw(canvas)
    d.rectangle((130, 90, 670, 710), fill=(40, 34, 52))
    d.rectangle((150, 110, 650, 690), fill=(250, 248, 244))
    top, bottom = _mix(design.primary, (255, 255, 255), 0.5), design.secondary
    for y in range(150, 651):
        t = (y - 150) / 500
        d.line((190, y, 610, y), fill=_mix(top, bottom, t))
    motif = _motif_layer(design, 400)
    canvas.paste(motif, (200, 210), motif)


def _shadow_from_mask(canvas: Image.Image, mask: Image.Image, at) -> None:
    layer = Image.new("L", canvas.size, 0)
    layer.paste(mask.point(lambda v: 110 if v else 0), (at[0] + 12, at[1] + 14))
    canvas.paste((60, 40, 70), (0, 0), layer.filter(ImageFilter.GaussianBlur(16)))


# --- Motifs (drawn into a square RGBA layer of side s) -----------------------------------------


def _face(d: ImageDraw.ImageDraw, s: int, design: Design) -> None:
    """An anime head: hair behind, face, fringe, big eyes, blush and an expression."""
    hair, skin = design.primary, (255, 226, 208)
    hair_dark = _mix(hair, (0, 0, 0), 0.25)
    u = s / 100
    d.ellipse((12 * u, 10 * u, 88 * u, 92 * u), fill=hair)  # back hair
    if "twintails" in design.extras:
        d.ellipse((0, 40 * u, 22 * u, 96 * u), fill=hair)
        d.ellipse((78 * u, 40 * u, 100 * u, 96 * u), fill=hair)
    d.ellipse((24 * u, 24 * u, 76 * u, 84 * u), fill=skin)  # face
    # fringe: overlapping spikes
    for x in range(20, 81, 12):
        d.polygon(
            [(x * u - 6 * u, 22 * u), (x * u + 10 * u, 22 * u), (x * u + 2 * u, 46 * u)], fill=hair
        )
    d.chord((18 * u, 8 * u, 82 * u, 50 * u), 180, 360, fill=hair)
    d.arc(
        (28 * u, 14 * u, 60 * u, 34 * u),
        200,
        300,
        fill=_mix(hair, (255, 255, 255), 0.5),
        width=int(2 * u),
    )
    if "bow" in design.extras:
        d.polygon([(62 * u, 12 * u), (74 * u, 4 * u), (74 * u, 20 * u)], fill=design.secondary)
        d.polygon([(62 * u, 12 * u), (50 * u, 4 * u), (50 * u, 20 * u)], fill=design.secondary)
    if "cat_ears" in design.extras:
        d.polygon([(22 * u, 22 * u), (26 * u, 2 * u), (40 * u, 14 * u)], fill=hair_dark)
        d.polygon([(78 * u, 22 * u), (74 * u, 2 * u), (60 * u, 14 * u)], fill=hair_dark)
    _eyes(d, u, design)
    d.ellipse((30 * u, 64 * u, 40 * u, 69 * u), fill=(255, 170, 180))  # blush
    d.ellipse((60 * u, 64 * u, 70 * u, 69 * u), fill=(255, 170, 180))
    _mouth(d, u, design.expression)


def _eyes(d, u, design: Design) -> None:
    iris = design.eyes
    for cx, wink in ((39, False), (61, design.expression == "wink")):
        if wink or (design.expression == "tongue" and cx == 61):
            # a playful closed eye: ">" shape
            d.line(
                [(cx * u - 6 * u, 52 * u), (cx * u + 5 * u, 56 * u), (cx * u - 6 * u, 60 * u)],
                fill=(60, 40, 50),
                width=int(2.4 * u),
            )
            continue
        height = 9 if design.expression != "surprised" else 11
        d.ellipse(
            ((cx - 6) * u, (56 - height) * u, (cx + 6) * u, (56 + height) * u), fill=(255, 255, 255)
        )
        d.ellipse(((cx - 5) * u, (57 - height) * u, (cx + 5) * u, (56 + height) * u), fill=iris)
        d.ellipse(((cx - 3) * u, 54 * u, (cx + 3) * u, 62 * u), fill=_mix(iris, (0, 0, 0), 0.5))
        d.ellipse(
            ((cx - 3) * u, (50 - height / 3) * u, (cx + 1) * u, (54 - height / 3) * u),
            fill=(255, 255, 255),
        )
        d.line(
            [((cx - 7) * u, (56 - height) * u), ((cx + 7) * u, (55 - height) * u)],
            fill=(50, 30, 40),
            width=int(2 * u),
        )
        if design.expression == "determined":
            d.line(
                [((cx - 7) * u, 40 * u), ((cx + 7) * u, 43 * u if cx < 50 else 37 * u)],
                fill=(50, 30, 40),
                width=int(2 * u),
            )


def _mouth(d, u, expression: str) -> None:
    ink = (110, 40, 60)
    if expression == "tongue":
        d.chord((43 * u, 68 * u, 57 * u, 78 * u), 0, 180, fill=ink)
        d.ellipse((46 * u, 72 * u, 54 * u, 82 * u), fill=(240, 90, 120))  # tongue out
        d.line([(50 * u, 74 * u), (50 * u, 79 * u)], fill=(200, 60, 90), width=int(u))
    elif expression == "surprised":
        d.ellipse((46 * u, 70 * u, 54 * u, 78 * u), fill=ink)
    elif expression == "determined":
        d.line([(44 * u, 74 * u), (56 * u, 73 * u)], fill=ink, width=int(2 * u))
    else:
        d.arc((42 * u, 66 * u, 58 * u, 76 * u), 20, 160, fill=ink, width=int(2.2 * u))


def _fox(d, s, design: Design) -> None:
    u, fur = s / 100, design.primary
    d.polygon([(18 * u, 40 * u), (26 * u, 8 * u), (44 * u, 30 * u)], fill=fur)
    d.polygon([(82 * u, 40 * u), (74 * u, 8 * u), (56 * u, 30 * u)], fill=fur)
    d.polygon([(24 * u, 34 * u), (28 * u, 16 * u), (38 * u, 30 * u)], fill=(255, 236, 220))
    d.polygon([(76 * u, 34 * u), (72 * u, 16 * u), (62 * u, 30 * u)], fill=(255, 236, 220))
    d.ellipse((14 * u, 24 * u, 86 * u, 86 * u), fill=fur)
    d.polygon(
        [(22 * u, 60 * u), (50 * u, 92 * u), (78 * u, 60 * u), (50 * u, 66 * u)],
        fill=(255, 246, 236),
    )
    d.arc((32 * u, 48 * u, 44 * u, 58 * u), 200, 340, fill=(40, 30, 30), width=int(2.4 * u))
    d.arc((56 * u, 48 * u, 68 * u, 58 * u), 200, 340, fill=(40, 30, 30), width=int(2.4 * u))
    d.ellipse((46 * u, 70 * u, 54 * u, 76 * u), fill=(40, 30, 30))
    d.ellipse((24 * u, 60 * u, 32 * u, 65 * u), fill=(255, 160, 160))
    d.ellipse((68 * u, 60 * u, 76 * u, 65 * u), fill=(255, 160, 160))


def _cat(d, s, design: Design) -> None:
    u, fur = s / 100, design.primary
    d.polygon([(16 * u, 44 * u), (20 * u, 10 * u), (42 * u, 28 * u)], fill=fur)
    d.polygon([(84 * u, 44 * u), (80 * u, 10 * u), (58 * u, 28 * u)], fill=fur)
    d.ellipse((12 * u, 22 * u, 88 * u, 88 * u), fill=fur)
    for cx in (36, 64):
        d.ellipse(((cx - 7) * u, 44 * u, (cx + 7) * u, 60 * u), fill=design.eyes)
        d.ellipse(((cx - 2) * u, 45 * u, (cx + 2) * u, 59 * u), fill=(20, 20, 30))
    d.polygon([(46 * u, 64 * u), (54 * u, 64 * u), (50 * u, 69 * u)], fill=(240, 130, 150))
    for side in (-1, 1):
        for dy in (0, 5):
            d.line(
                [
                    (50 * u + side * 12 * u, (68 + dy) * u),
                    (50 * u + side * 40 * u, (64 + dy * 2) * u),
                ],
                fill=(80, 70, 80),
                width=int(u),
            )
    if "bell" in design.extras:
        d.ellipse((44 * u, 80 * u, 56 * u, 92 * u), fill=GOLD)


def _star(d, s, design: Design) -> None:
    u = s / 100
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        r = 46 if i % 2 == 0 else 20
        points.append((50 * u + r * u * math.cos(angle), 52 * u + r * u * math.sin(angle)))
    d.polygon(points, fill=design.primary, outline=_mix(design.primary, (0, 0, 0), 0.3))
    d.ellipse((36 * u, 46 * u, 44 * u, 56 * u), fill=(40, 30, 50))
    d.ellipse((56 * u, 46 * u, 64 * u, 56 * u), fill=(40, 30, 50))
    d.arc((44 * u, 54 * u, 56 * u, 64 * u), 20, 160, fill=(40, 30, 50), width=int(2 * u))


def _moon(d, s, design: Design) -> None:
    u = s / 100
    d.ellipse((10 * u, 10 * u, 90 * u, 90 * u), fill=design.primary)
    d.ellipse((30 * u, 2 * u, 104 * u, 76 * u), fill=(0, 0, 0, 0))
    for x, y in ((70, 70), (82, 40), (60, 88)):
        d.regular_polygon((x * u, y * u, 4 * u), 4, rotation=45, fill=design.secondary)


def _sword(d, s, design: Design) -> None:
    u = s / 100
    d.polygon(
        [(47 * u, 6 * u), (53 * u, 6 * u), (54 * u, 66 * u), (46 * u, 66 * u)], fill=(225, 232, 240)
    )
    d.line([(50 * u, 8 * u), (50 * u, 64 * u)], fill=(170, 180, 196), width=int(u))
    d.ellipse((38 * u, 62 * u, 62 * u, 72 * u), fill=GOLD)
    d.rectangle((46 * u, 70 * u, 54 * u, 94 * u), fill=design.primary)
    for y in range(72, 94, 5):
        d.line([(46 * u, y * u), (54 * u, (y + 3) * u)], fill=design.secondary, width=int(1.4 * u))
    d.ellipse((20 * u, 20 * u, 34 * u, 34 * u), fill=(255, 183, 197))
    d.ellipse((68 * u, 36 * u, 80 * u, 48 * u), fill=(255, 183, 197))


def _mecha(d, s, design: Design) -> None:
    u = s / 100
    d.polygon(
        [
            (20 * u, 30 * u),
            (50 * u, 10 * u),
            (80 * u, 30 * u),
            (84 * u, 70 * u),
            (50 * u, 92 * u),
            (16 * u, 70 * u),
        ],
        fill=design.primary,
    )
    d.polygon([(50 * u, 2 * u), (44 * u, 24 * u), (56 * u, 24 * u)], fill=GOLD)
    d.polygon(
        [(26 * u, 44 * u), (74 * u, 44 * u), (68 * u, 56 * u), (32 * u, 56 * u)], fill=(30, 30, 40)
    )
    d.rectangle((34 * u, 48 * u, 46 * u, 52 * u), fill=(120, 255, 200))
    d.rectangle((54 * u, 48 * u, 66 * u, 52 * u), fill=(120, 255, 200))
    d.polygon(
        [(38 * u, 64 * u), (62 * u, 64 * u), (56 * u, 80 * u), (44 * u, 80 * u)],
        fill=design.secondary,
    )


def _dragon(d, s, design: Design) -> None:
    u, body = s / 100, design.primary
    d.polygon(
        [(30 * u, 30 * u), (6 * u, 10 * u), (20 * u, 46 * u)], fill=_mix(body, (0, 0, 0), 0.2)
    )
    d.polygon(
        [(70 * u, 30 * u), (94 * u, 10 * u), (80 * u, 46 * u)], fill=_mix(body, (0, 0, 0), 0.2)
    )
    d.ellipse((20 * u, 24 * u, 80 * u, 84 * u), fill=body)
    d.polygon([(34 * u, 28 * u), (30 * u, 10 * u), (42 * u, 24 * u)], fill=GOLD)
    d.polygon([(66 * u, 28 * u), (70 * u, 10 * u), (58 * u, 24 * u)], fill=GOLD)
    d.ellipse((30 * u, 56 * u, 70 * u, 82 * u), fill=design.secondary)
    for cx in (38, 62):
        d.ellipse(((cx - 6) * u, 40 * u, (cx + 6) * u, 54 * u), fill=(255, 255, 255))
        d.ellipse(((cx - 3) * u, 43 * u, (cx + 3) * u, 53 * u), fill=(30, 20, 40))
    d.ellipse((42 * u, 62 * u, 46 * u, 66 * u), fill=(60, 40, 50))
    d.ellipse((54 * u, 62 * u, 58 * u, 66 * u), fill=(60, 40, 50))


def _onigiri(d, s, design: Design) -> None:
    u = s / 100
    d.rounded_rectangle((14 * u, 14 * u, 86 * u, 88 * u), radius=30 * u, fill=(255, 255, 255))
    d.polygon([(50 * u, 8 * u), (90 * u, 84 * u), (10 * u, 84 * u)], fill=(255, 255, 255))
    d.rectangle((32 * u, 60 * u, 68 * u, 90 * u), fill=(34, 60, 40))
    d.ellipse((36 * u, 44 * u, 42 * u, 50 * u), fill=(40, 30, 40))
    d.ellipse((58 * u, 44 * u, 64 * u, 50 * u), fill=(40, 30, 40))
    d.arc((44 * u, 46 * u, 56 * u, 56 * u), 20, 160, fill=(40, 30, 40), width=int(2 * u))
    d.ellipse((30 * u, 50 * u, 36 * u, 54 * u), fill=design.primary)
    d.ellipse((64 * u, 50 * u, 70 * u, 54 * u), fill=design.primary)


def _heart(d, s, design: Design) -> None:
    u = s / 100
    d.ellipse((10 * u, 16 * u, 54 * u, 60 * u), fill=design.primary)
    d.ellipse((46 * u, 16 * u, 90 * u, 60 * u), fill=design.primary)
    d.polygon([(12 * u, 46 * u), (88 * u, 46 * u), (50 * u, 92 * u)], fill=design.primary)
    d.regular_polygon((50 * u, 48 * u, 14 * u), 4, fill=design.secondary)
    d.ellipse((22 * u, 24 * u, 34 * u, 34 * u), fill=(255, 255, 255, 180))


def _ramen(d, s, design: Design) -> None:
    u = s / 100
    for x in (36, 46, 56):
        d.line([(x * u, 8 * u), ((x + 4) * u, 30 * u)], fill=(230, 230, 240), width=int(2 * u))
    d.chord((8 * u, 24 * u, 92 * u, 96 * u), 0, 180, fill=design.primary)
    d.rectangle((8 * u, 58 * u, 92 * u, 62 * u), fill=_mix(design.primary, (0, 0, 0), 0.25))
    d.ellipse((14 * u, 48 * u, 86 * u, 64 * u), fill=(246, 206, 140))
    d.ellipse((26 * u, 50 * u, 40 * u, 60 * u), fill=(255, 255, 255))
    d.ellipse((30 * u, 52 * u, 36 * u, 58 * u), fill=(250, 190, 40))
    d.ellipse(
        (54 * u, 50 * u, 66 * u, 58 * u),
        fill=(250, 240, 245),
        outline=(240, 120, 160),
        width=int(1.5 * u),
    )
    d.line([(72 * u, 10 * u), (60 * u, 54 * u)], fill=(150, 100, 60), width=int(2.5 * u))
    d.line([(80 * u, 12 * u), (66 * u, 54 * u)], fill=(150, 100, 60), width=int(2.5 * u))


def _sakura(d, s, design: Design) -> None:
    u = s / 100
    for i in range(5):
        angle = -math.pi / 2 + i * 2 * math.pi / 5
        cx, cy = 50 + 22 * math.cos(angle), 50 + 22 * math.sin(angle)
        d.ellipse(((cx - 18) * u, (cy - 18) * u, (cx + 18) * u, (cy + 18) * u), fill=design.primary)
    d.ellipse((40 * u, 40 * u, 60 * u, 60 * u), fill=design.secondary)
    for i in range(5):
        angle = -math.pi / 2 + i * 2 * math.pi / 5
        d.line(
            [(50 * u, 50 * u), ((50 + 14 * math.cos(angle)) * u, (50 + 14 * math.sin(angle)) * u)],
            fill=(200, 60, 110),
            width=int(1.5 * u),
        )


MOTIFS = {
    "face": _face,
    "fox": _fox,
    "cat": _cat,
    "star": _star,
    "moon": _moon,
    "sword": _sword,
    "mecha": _mecha,
    "dragon": _dragon,
    "onigiri": _onigiri,
    "heart": _heart,
    "ramen": _ramen,
    "sakura": _sakura,
}


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a[:3], b[:3], strict=True))
