"""The demo shop's catalogue: six series (one of them our own designs) and the merch made for each.

Read it as the shop's stock list. `code` becomes the UPC, which blog embeds use to point at a product.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .artwork import Design

PINK, ROSE, MAGENTA = (245, 120, 175), (255, 183, 197), (214, 72, 160)
BLUE, SKY, NAVY = (70, 110, 200), (120, 190, 235), (40, 50, 110)
ORANGE, YELLOW, RED = (240, 140, 60), (250, 205, 80), (200, 40, 50)
GREEN, MINT, INK = (110, 180, 110), (150, 220, 190), (50, 45, 60)
SILVER_HAIR, PURPLE, BROWN = (205, 210, 225), (130, 90, 200), (150, 100, 70)

PRODUCT_CLASSES = {
    "pin": "Enamel pin",
    "sticker": "Sticker",
    "keychain": "Keychain",
    "stand": "Acrylic stand",
    "print": "Print",
}
TYPE_CATEGORIES = {
    "pin": "Enamel pins",
    "sticker": "Stickers",
    "keychain": "Keychains",
    "stand": "Acrylic stands",
    "print": "Art prints",
}
ENAMEL_CATEGORIES = {"hard": "Hard enamel pins", "soft": "Soft enamel pins"}


@dataclass(frozen=True)
class Series:
    name: str
    about: str


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    series: Series
    price: Decimal
    stock: int
    design: Design
    blurb: str
    enamel: str = ""  # "hard" or "soft" for pins
    size_mm: int = 35

    @property
    def kind(self) -> str:
        return self.design.kind


ORIGINALS = Series(
    "Pin Senpai Originals", "Our own designs, drawn in-house and made in small batches."
)
STARLIGHT = Series(
    "Starlight Idol Academy",
    "Trainee idols chasing a debut at the academy on the hill — glitter, rivalries, encores.",
)
RONIN = Series(
    "Moonlit Ronin",
    "A wandering swordsman, a blade that only shines under the moon, and a debt to repay.",
)
ZETA = Series("Mecha Zeta Drive", "Pilots of the last Zeta-class frame defend an orbital city.")
KITSUNE = Series(
    "Café Kitsune", "A tiny café where the barista is a fox spirit. Cosy slice of life."
)
PRISM = Series(
    "Magical Girl Prism Heart",
    "Two best friends, one transformation compact, a city that needs saving after school.",
)
COURIER = Series(
    "Dragon Courier Service",
    "A young courier and her sleepy dragon deliver letters across the sky.",
)
SERIES = [ORIGINALS, STARLIGHT, RONIN, ZETA, KITSUNE, PRISM, COURIER]


def pin(code, title, series, price, stock, design, blurb, enamel="hard", size_mm=35):
    return Item(code, title, series, Decimal(price), stock, design, blurb, enamel, size_mm)


def item(code, title, series, price, stock, design, blurb):
    return Item(code, title, series, Decimal(price), stock, design, blurb)


def face(kind, hair, expression="smile", eyes=(90, 60, 160), extras=(), **kw):
    return Design(kind, "face", hair, expression=expression, eyes=eyes, extras=extras, **kw)


CHEEKY_PINK_PIN = "PIN-CHEEKY-PINK"

ITEMS = [
    # --- Pin Senpai Originals ---------------------------------------------------------------
    pin(
        CHEEKY_PINK_PIN,
        "Cheeky Pink-Haired Anime Girl Enamel Pin",
        ORIGINALS,
        "12.00",
        25,
        face("pin", PINK, "tongue", eyes=(120, 70, 190), extras=("bow",)),
        "A pink-haired girl caught mid-wink with her tongue out and her bow askew: playful, a "
        "little smug and entirely cute. Our best-seller since the first batch.",
    ),
    pin(
        "PIN-SLEEPY-ONIGIRI",
        "Sleepy Onigiri Soft Enamel Pin",
        ORIGINALS,
        "9.00",
        40,
        Design("pin", "onigiri", ROSE, plating="silver"),
        "A rice ball with rosy cheeks, wrapped in nori and ready for a nap.",
        enamel="soft",
        size_mm=30,
    ),
    item(
        "STK-RAMEN-NIGHT",
        "Ramen Night Holographic Sticker",
        ORIGINALS,
        "4.00",
        120,
        Design("sticker", "ramen", RED, extras=("holo",)),
        "Steaming shoyu ramen with a soft egg and a narutomaki swirl, on holographic vinyl.",
    ),
    pin(
        "PIN-SAKURA-SEASON",
        "Sakura Season Hard Enamel Pin",
        ORIGINALS,
        "11.00",
        30,
        Design("pin", "sakura", ROSE, secondary=YELLOW, plating="rose gold"),
        "Five petals in two pinks with rose-gold lines, for the week the cherry trees bloom.",
    ),
    item(
        "KEY-LUCKY-CAT",
        "Lucky Cat Acrylic Keychain",
        ORIGINALS,
        "10.00",
        18,
        Design("keychain", "cat", INK, eyes=YELLOW, extras=("bell",)),
        "A black cat with a golden bell, printed on clear acrylic. Said to bring good luck to keys.",
    ),
    item(
        "STK-CHEEKY-PINK",
        "Cheeky Pink-Haired Anime Girl Vinyl Sticker",
        ORIGINALS,
        "4.00",
        90,
        face("sticker", PINK, "tongue", eyes=(120, 70, 190), extras=("bow",)),
        "The cheeky pink-haired girl from our enamel pin, as a waterproof die-cut sticker.",
    ),
    pin(
        "PIN-PASTEL-HEART",
        "Pastel Heart Soft Enamel Pin",
        ORIGINALS,
        "8.00",
        0,
        Design("pin", "heart", ROSE, secondary=SKY, plating="silver"),
        "A pastel heart with a sky-blue sparkle. Sold out — the next batch is being made.",
        enamel="soft",
        size_mm=25,
    ),
    # --- Starlight Idol Academy ---------------------------------------------------------------
    pin(
        "PIN-MIKA-HOSHINO",
        "Mika Hoshino Idol Hard Enamel Pin",
        STARLIGHT,
        "13.00",
        22,
        face("pin", ORANGE, "smile", eyes=(60, 140, 90), extras=("twintails",)),
        "Mika, the academy's loudest trainee, with her signature orange twin tails.",
    ),
    pin(
        "PIN-AOI-KUROSAWA",
        "Aoi Kurosawa Hard Enamel Pin",
        STARLIGHT,
        "13.00",
        3,
        face("pin", BLUE, "determined", eyes=(200, 60, 60), plating="silver"),
        "Aoi, top of the class and not about to let anyone forget it.",
    ),
    pin(
        "PIN-STARLIGHT-CREST",
        "Starlight Academy Crest Soft Enamel Pin",
        STARLIGHT,
        "10.00",
        35,
        Design("pin", "star", YELLOW, plating="gold"),
        "The academy's smiling star crest, as worn on every trainee's blazer.",
        enamel="soft",
    ),
    item(
        "STD-MIKA-HOSHINO",
        "Mika Hoshino Acrylic Stand",
        STARLIGHT,
        "22.00",
        12,
        face("stand", ORANGE, "smile", eyes=(60, 140, 90), extras=("twintails",)),
        "A 15 cm double-sided acrylic stand of Mika mid-encore, on a printed stage base.",
    ),
    item(
        "PRT-STARLIGHT-ENCORE",
        "Starlight Encore Art Print (A4)",
        STARLIGHT,
        "18.00",
        15,
        Design("print", "star", YELLOW, secondary=PURPLE),
        "The academy star over an evening concert sky, printed on 250 gsm matte art paper.",
    ),
    item(
        "KEY-AOI-KUROSAWA",
        "Aoi Kurosawa Acrylic Keychain",
        STARLIGHT,
        "11.00",
        20,
        face("keychain", BLUE, "determined", eyes=(200, 60, 60)),
        "Aoi's most serious face, on a 6 cm clear acrylic charm with a silver chain.",
    ),
    item(
        "STK-STARLIGHT-GLITTER",
        "Starlight Academy Glitter Sticker",
        STARLIGHT,
        "6.00",
        60,
        Design("sticker", "star", YELLOW, extras=("holo",)),
        "The crest star on glitter vinyl that throws rainbows in the sun.",
    ),
    # --- Moonlit Ronin ------------------------------------------------------------------------
    pin(
        "PIN-KAGEYAMA-JIN",
        "Kageyama Jin Hard Enamel Pin",
        RONIN,
        "14.00",
        16,
        face("pin", INK, "determined", eyes=(150, 40, 60), plating="black nickel"),
        "The ronin himself, mid-glare, in black nickel so the lines stay dark and sharp.",
    ),
    pin(
        "PIN-MOONLIT-BLADE",
        "Moonlit Blade Limited Hard Enamel Pin",
        RONIN,
        "16.00",
        5,
        Design("pin", "sword", NAVY, secondary=ROSE, plating="black nickel"),
        "The blade that only shines under the moon, with falling petals. Limited to 200 pieces.",
        size_mm=45,
    ),
    pin(
        "PIN-TSUBAKI",
        "Tsubaki Soft Enamel Pin",
        RONIN,
        "10.00",
        28,
        face("pin", RED, "smile", eyes=(160, 90, 40)),
        "Tsubaki, the innkeeper's daughter who keeps saving the ronin's life.",
        enamel="soft",
    ),
    pin(
        "PIN-CRESCENT-MOON",
        "Crescent Moon Soft Enamel Pin",
        RONIN,
        "9.00",
        33,
        Design(
            "pin",
            "moon",
            YELLOW,
            secondary=(255, 255, 255),
            background=(230, 232, 250),
            plating="silver",
        ),
        "A crescent moon with three stars, the sign on every chapter's title page.",
        enamel="soft",
        size_mm=30,
    ),
    item(
        "PRT-RONIN-DUEL",
        "Moonlit Ronin Duel Art Print (A3)",
        RONIN,
        "20.00",
        8,
        Design("print", "sword", NAVY, secondary=(20, 20, 50)),
        "The bridge duel at midnight, printed on 250 gsm matte art paper.",
    ),
    item(
        "PRT-TSUBAKI-ONSEN",
        "Tsubaki at the Onsen Art Print (A3)",
        RONIN,
        "24.00",
        4,
        face("print", RED, "smile", eyes=(160, 90, 40)),
        "Tsubaki resting at the mountain hot spring after the last battle. Artistic nudity: "
        "sold to adults only.",
    ),
    item(
        "STD-KAGEYAMA-JIN",
        "Kageyama Jin Acrylic Stand",
        RONIN,
        "24.00",
        9,
        face("stand", INK, "determined", eyes=(150, 40, 60)),
        "Jin standing guard, 15 cm tall on a moonlit bridge base.",
    ),
    item(
        "STK-MOONLIT-BLADE",
        "Moonlit Blade Vinyl Sticker",
        RONIN,
        "4.00",
        75,
        Design("sticker", "sword", NAVY, secondary=ROSE),
        "The moonlit blade with petals, as a waterproof die-cut sticker.",
    ),
    # --- Mecha Zeta Drive ---------------------------------------------------------------------
    pin(
        "PIN-UNIT-ZETA",
        "Unit Zeta Helmet Hard Enamel Pin",
        ZETA,
        "15.00",
        14,
        Design("pin", "mecha", BLUE, secondary=SILVER_HAIR, plating="black nickel"),
        "The Zeta frame's helmet with glowing visor lines.",
        size_mm=40,
    ),
    pin(
        "PIN-REI-ASUKA",
        "Captain Rei Asuka Hard Enamel Pin",
        ZETA,
        "13.00",
        19,
        face("pin", SILVER_HAIR, "determined", eyes=(70, 150, 220), plating="silver"),
        "Captain Rei, silver-haired and unimpressed by your flight plan.",
    ),
    item(
        "STD-UNIT-ZETA",
        "Unit Zeta Acrylic Stand",
        ZETA,
        "26.00",
        6,
        Design("stand", "mecha", BLUE, secondary=SILVER_HAIR),
        "The Zeta frame on a hangar-deck base, 18 cm tall.",
    ),
    item(
        "PRT-ZETA-HANGAR",
        "Zeta Drive Hangar Art Print (A4)",
        ZETA,
        "20.00",
        10,
        Design("print", "mecha", BLUE, secondary=NAVY),
        "Unit Zeta in the launch bay before the final sortie.",
    ),
    item(
        "KEY-UNIT-ZETA",
        "Unit Zeta Acrylic Keychain",
        ZETA,
        "11.00",
        25,
        Design("keychain", "mecha", BLUE, secondary=SILVER_HAIR),
        "The Zeta helmet on a clear acrylic charm.",
    ),
    item(
        "STK-ZETA-SQUADRON",
        "Zeta Squadron Holographic Sticker",
        ZETA,
        "5.00",
        80,
        Design("sticker", "mecha", NAVY, secondary=SILVER_HAIR, extras=("holo",)),
        "Squadron insignia on holographic vinyl, sized for a laptop lid.",
    ),
    # --- Café Kitsune -------------------------------------------------------------------------
    pin(
        "PIN-KON-FOX",
        "Kon the Café Fox Soft Enamel Pin",
        KITSUNE,
        "9.00",
        44,
        Design("pin", "fox", ORANGE, plating="gold"),
        "Kon, the fox spirit who runs the café, looking very pleased with a latte.",
        enamel="soft",
    ),
    item(
        "STK-KON-FOX",
        "Kon the Café Fox Holographic Sticker",
        KITSUNE,
        "4.50",
        100,
        Design("sticker", "fox", ORANGE, extras=("holo",)),
        "Kon on holographic vinyl: shimmer when you tilt it.",
    ),
    pin(
        "PIN-YUZU-BARISTA",
        "Yuzu Barista Hard Enamel Pin",
        KITSUNE,
        "12.00",
        21,
        face("pin", YELLOW, "wink", eyes=(110, 70, 40), extras=("cat_ears",)),
        "Yuzu, the café's part-timer, winking over the counter.",
    ),
    item(
        "PRT-KITSUNE-LATTE",
        "Café Kitsune Latte Art Print (A5)",
        KITSUNE,
        "16.00",
        12,
        Design("print", "fox", ORANGE, secondary=BROWN),
        "Kon's portrait in warm café tones, printed on 250 gsm matte art paper.",
    ),
    item(
        "KEY-KON-FOX",
        "Kon the Café Fox Acrylic Keychain",
        KITSUNE,
        "10.00",
        2,
        Design("keychain", "fox", ORANGE),
        "Kon on a 6 cm clear acrylic charm — nearly gone.",
    ),
    item(
        "STD-YUZU-BARISTA",
        "Yuzu Barista Acrylic Stand",
        KITSUNE,
        "20.00",
        7,
        face("stand", YELLOW, "wink", eyes=(110, 70, 40), extras=("cat_ears",)),
        "Yuzu behind the counter, 15 cm tall on a café-floor base.",
    ),
    # --- Magical Girl Prism Heart --------------------------------------------------------------
    pin(
        "PIN-PRISM-PINK",
        "Prism Pink Transformation Hard Enamel Pin",
        PRISM,
        "13.00",
        17,
        face("pin", MAGENTA, "smile", eyes=(220, 80, 150), extras=("twintails", "bow")),
        "Hana mid-transformation, ribbons and all.",
    ),
    pin(
        "PIN-PRISM-COMPACT",
        "Prism Heart Compact Hard Enamel Pin",
        PRISM,
        "14.00",
        11,
        Design("pin", "heart", MAGENTA, secondary=SKY, plating="rose gold"),
        "The transformation compact that starts every episode, with a gem in the middle.",
        size_mm=40,
    ),
    pin(
        "PIN-PRISM-BLUE",
        "Prism Blue Soft Enamel Pin",
        PRISM,
        "10.00",
        24,
        face("pin", SKY, "wink", eyes=(60, 90, 200), extras=("bow",), plating="silver"),
        "Sora, the calm half of the duo, with a rare wink.",
        enamel="soft",
    ),
    item(
        "STK-PRISM-SPARKLE",
        "Prism Heart Sparkle Sticker",
        PRISM,
        "4.00",
        85,
        Design("sticker", "heart", MAGENTA, secondary=SKY, extras=("holo",)),
        "The compact's heart on holographic vinyl.",
    ),
    item(
        "STD-PRISM-PINK",
        "Prism Pink Acrylic Stand",
        PRISM,
        "24.00",
        10,
        face("stand", MAGENTA, "smile", eyes=(220, 80, 150), extras=("twintails", "bow")),
        "Hana in full Prism Pink form, 15 cm tall on a heart-shaped base.",
    ),
    item(
        "PRT-PRISM-FINALE",
        "Prism Heart Finale Art Print (A4)",
        PRISM,
        "18.00",
        9,
        Design("print", "heart", MAGENTA, secondary=PURPLE),
        "The finale's heart over a violet sky, printed on 250 gsm matte art paper.",
    ),
    # --- Dragon Courier Service ---------------------------------------------------------------
    pin(
        "PIN-EMBER-DRAGON",
        "Ember the Courier Dragon Soft Enamel Pin",
        COURIER,
        "10.00",
        30,
        Design("pin", "dragon", GREEN, secondary=YELLOW, plating="gold"),
        "Ember, who would rather nap than fly, but always delivers.",
        enamel="soft",
    ),
    pin(
        "PIN-LUMI-COURIER",
        "Lumi Sky Courier Hard Enamel Pin",
        COURIER,
        "12.00",
        20,
        face("pin", GREEN, "surprised", eyes=(200, 120, 40)),
        "Lumi the moment she realises the letter was for her.",
    ),
    item(
        "KEY-EMBER-DRAGON",
        "Ember the Courier Dragon Acrylic Keychain",
        COURIER,
        "11.00",
        0,
        Design("keychain", "dragon", GREEN, secondary=YELLOW),
        "Ember on a clear acrylic charm. Sold out; ask to be told when it is back.",
    ),
    item(
        "PRT-COURIER-MAP",
        "Dragon Courier Sky Map Art Print (A3)",
        COURIER,
        "19.00",
        6,
        Design("print", "dragon", GREEN, secondary=SKY),
        "Ember over the courier routes, printed on 250 gsm matte art paper.",
    ),
    item(
        "STK-EMBER-SLEEPING",
        "Ember Sleeping Vinyl Sticker",
        COURIER,
        "4.00",
        95,
        Design("sticker", "dragon", MINT, secondary=YELLOW),
        "Ember, asleep again, as a waterproof die-cut sticker.",
    ),
    item(
        "STD-LUMI-COURIER",
        "Lumi Sky Courier Acrylic Stand",
        COURIER,
        "22.00",
        8,
        face("stand", GREEN, "surprised", eyes=(200, 120, 40)),
        "Lumi with her satchel, 15 cm tall on a cloud base.",
    ),
]


def description(product: Item) -> str:
    """The product page's description: the blurb, then what the buyer gets."""
    details = {
        "pin": [
            f"{product.size_mm} mm {product.enamel} enamel pin, {product.design.plating} plating",
            f"{PIN_BACKINGS.get(product.code, 'Two rubber clutch backs')}, so it stays put on bags "
            "and jackets",
            "Arrives on an illustrated backing card in a padded mailer",
        ],
        "sticker": [
            "Die-cut vinyl, about 8 cm on the longest side",
            "Waterproof and UV-resistant: bottles, laptops, sketchbooks",
        ],
        "keychain": [
            "6 cm clear acrylic, printed on both sides",
            "Silver-tone split ring and chain",
        ],
        "stand": [
            "Clear acrylic with a printed base; slots together without glue",
            "Ships with protective film on both sides — peel it off for full shine",
        ],
        "print": [
            "Giclée print on 250 gsm matte art paper, unframed",
            "Ships flat between card sheets",
        ],
    }[product.kind]
    items = "".join(f"<li>{line}</li>" for line in details)
    return f"<p>{product.blurb}</p><ul>{items}</ul>"


# --- Who is on what, what to know first, and the details a buyer compares --------------------

CAST = {
    # Pin Senpai Originals have mascots of their own.
    CHEEKY_PINK_PIN: ["Momo"],
    "STK-CHEEKY-PINK": ["Momo"],
    "PIN-PASTEL-HEART": ["Momo"],
    "PIN-SAKURA-SEASON": ["Momo"],
    "PIN-SLEEPY-ONIGIRI": ["Onigiri-kun"],
    "STK-RAMEN-NIGHT": ["Onigiri-kun"],
    "KEY-LUCKY-CAT": ["Maneki"],
    "PIN-MIKA-HOSHINO": ["Mika Hoshino"],
    "STD-MIKA-HOSHINO": ["Mika Hoshino"],
    "PIN-AOI-KUROSAWA": ["Aoi Kurosawa"],
    "KEY-AOI-KUROSAWA": ["Aoi Kurosawa"],
    "PIN-STARLIGHT-CREST": ["Mika Hoshino", "Aoi Kurosawa"],
    "PRT-STARLIGHT-ENCORE": ["Mika Hoshino", "Aoi Kurosawa"],
    "STK-STARLIGHT-GLITTER": ["Mika Hoshino"],
    "PIN-KAGEYAMA-JIN": ["Kageyama Jin"],
    "STD-KAGEYAMA-JIN": ["Kageyama Jin"],
    "PIN-MOONLIT-BLADE": ["Kageyama Jin"],
    "STK-MOONLIT-BLADE": ["Kageyama Jin"],
    "PIN-CRESCENT-MOON": ["Kageyama Jin"],
    "PIN-TSUBAKI": ["Tsubaki"],
    "PRT-TSUBAKI-ONSEN": ["Tsubaki"],
    "PRT-RONIN-DUEL": ["Kageyama Jin", "Tsubaki"],
    "PIN-UNIT-ZETA": ["Unit Zeta"],
    "STD-UNIT-ZETA": ["Unit Zeta"],
    "KEY-UNIT-ZETA": ["Unit Zeta"],
    "PRT-ZETA-HANGAR": ["Unit Zeta", "Rei Asuka"],
    "PIN-REI-ASUKA": ["Rei Asuka"],
    "STK-ZETA-SQUADRON": ["Rei Asuka", "Unit Zeta"],
    "PIN-KON-FOX": ["Kon"],
    "STK-KON-FOX": ["Kon"],
    "KEY-KON-FOX": ["Kon"],
    "PIN-YUZU-BARISTA": ["Yuzu"],
    "STD-YUZU-BARISTA": ["Yuzu"],
    "PRT-KITSUNE-LATTE": ["Kon", "Yuzu"],
    "PIN-PRISM-PINK": ["Prism Pink"],
    "STD-PRISM-PINK": ["Prism Pink"],
    "PIN-PRISM-BLUE": ["Prism Blue"],
    "PIN-PRISM-COMPACT": ["Prism Pink", "Prism Blue"],
    "STK-PRISM-SPARKLE": ["Prism Pink", "Prism Blue"],
    "PRT-PRISM-FINALE": ["Prism Pink", "Prism Blue"],
    "PIN-EMBER-DRAGON": ["Ember"],
    "KEY-EMBER-DRAGON": ["Ember"],
    "STK-EMBER-SLEEPING": ["Ember"],
    "PIN-LUMI-COURIER": ["Lumi"],
    "STD-LUMI-COURIER": ["Lumi"],
    "PRT-COURIER-MAP": ["Ember", "Lumi"],
}


@dataclass(frozen=True)
class Warning:
    slug: str
    name: str
    level: int  # catalogue.ContentWarning.Level: 1 notice, 2 mature, 3 adult
    explanation: str


SPOILERS = Warning("spoilers", "Spoilers", 1, "Shows what happens at the end of the series.")
VIOLENCE = Warning(
    "violence",
    "Violence and blood",
    2,
    "Shows a sword fight with blood. Not graphic, but not for everyone.",
)
NTR = Warning(
    "ntr",
    "NTR (netorare)",
    2,
    "A story theme of romantic betrayal: someone's partner is taken by another. Many fans "
    "prefer to avoid it, so it is always labelled.",
)
NUDITY = Warning("nudity", "Nudity", 3, "Artistic nudity. For adults (18+) only.")
WARNINGS = [SPOILERS, VIOLENCE, NTR, NUDITY]
WARNINGS_BY_CODE = {
    "PRT-PRISM-FINALE": [SPOILERS],
    "PRT-RONIN-DUEL": [VIOLENCE],
    "PRT-TSUBAKI-ONSEN": [NUDITY],
}

PIN_BACKINGS = {"PIN-MOONLIT-BLADE": "Locking pin back"}
LIMITED_EDITIONS = {"PIN-MOONLIT-BLADE": 200}

# Attribute code -> (name, Oscar type, options or None, required), per product class.
ATTRIBUTES = {
    "pin": [
        ("size_mm", "Size (mm)", "integer", None, True),
        ("enamel", "Enamel", "option", ["Hard enamel", "Soft enamel"], True),
        ("plating", "Plating", "option", ["Gold", "Silver", "Rose gold", "Black nickel"], True),
        ("backing", "Backing", "option", ["Rubber clutch", "Locking pin back"], True),
        ("limited_edition", "Limited edition size", "integer", None, False),
    ],
    "sticker": [
        ("finish", "Finish", "option", ["Matte", "Glossy", "Holographic", "Glitter"], True),
        ("size_cm", "Longest side (cm)", "integer", None, True),
        ("waterproof", "Waterproof", "boolean", None, False),
    ],
    "keychain": [
        ("size_cm", "Height (cm)", "integer", None, True),
        ("double_sided", "Printed on both sides", "boolean", None, False),
    ],
    "stand": [("height_cm", "Height (cm)", "integer", None, True)],
    "print": [
        ("paper_size", "Paper size", "option", ["A5", "A4", "A3"], True),
        ("paper", "Paper", "text", None, True),
    ],
}


def attribute_values(product: Item) -> dict[str, object]:
    """What the product page's attributes table says about a demo item."""
    if product.kind == "pin":
        values = {
            "size_mm": product.size_mm,
            "enamel": f"{product.enamel.capitalize()} enamel",
            "plating": product.design.plating.capitalize(),
            "backing": PIN_BACKINGS.get(product.code, "Rubber clutch"),
        }
        if product.code in LIMITED_EDITIONS:
            values["limited_edition"] = LIMITED_EDITIONS[product.code]
        return values
    if product.kind == "sticker":
        finish = next(
            (f for f in ("Holographic", "Glitter") if f.lower() in product.title.lower()), "Glossy"
        )
        return {"finish": finish, "size_cm": 8, "waterproof": True}
    if product.kind == "keychain":
        return {"size_cm": 6, "double_sided": True}
    if product.kind == "stand":
        return {"height_cm": 15}
    size = next(s for s in ("A5", "A4", "A3") if f"({s})" in product.title)
    return {"paper_size": size, "paper": "250 gsm matte art paper"}


# Sales so far (Oscar's analytics counts them from here on): "best-selling" sorts by these, and
# search gives popular products a small boost between equally good matches.
SALES = {
    CHEEKY_PINK_PIN: 148,
    "PIN-MIKA-HOSHINO": 64,
    "PIN-KON-FOX": 57,
    "STK-CHEEKY-PINK": 55,
    "PIN-EMBER-DRAGON": 51,
    "PIN-MOONLIT-BLADE": 44,
    "PIN-PRISM-PINK": 38,
    "STK-RAMEN-NIGHT": 35,
    "PIN-SLEEPY-ONIGIRI": 31,
    "STD-MIKA-HOSHINO": 22,
    "KEY-KON-FOX": 19,
    "PRT-COURIER-MAP": 12,
}
