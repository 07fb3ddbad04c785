"""The demo blog: explainers in the shop's own words, each pointing readers at products.

`[[product:UPC]]` lines become live product cards; links written `(product:UPC)` become links to
the product's page when seeding, and are recorded as "Featured in" too. One article is scheduled
for next week and one is still a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import CHEEKY_PINK_PIN


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    body: str
    category: str
    tags: tuple[str, ...]
    hero: str  # the UPC whose artwork is the hero image
    hero_alt: str
    days_ago: int | None = 0  # None: a draft; negative: scheduled in the future
    warnings: tuple[str, ...] = ()
    faq: tuple[tuple[str, str], ...] = field(default_factory=tuple)


NTR = Article(
    slug="what-does-ntr-mean",
    title="What does NTR mean?",
    summary=(
        "NTR (netorare) is a story theme of romantic betrayal in anime and manga. What it is, how "
        "it differs from ecchi, and why fans expect it to be labelled."
    ),
    category="Explainers",
    tags=("anime terms", "content warnings"),
    hero=CHEEKY_PINK_PIN,
    hero_alt="A pink-haired anime girl winking, on a gold enamel pin",
    days_ago=21,
    warnings=("ntr",),
    body="""\
You have seen the tag on a manga site or in a forum thread and wondered what it hides. Here is
the short version, without spoilers for any particular series.

# What NTR is

**NTR** is short for *netorare* (寝取られ), roughly "having someone taken from you". It names a
story theme in which a character's partner is drawn away by somebody else, and the story is told
from the side of the one who loses them. The point of the theme is the feeling it leaves:
jealousy, helplessness and betrayal.

The theme has relatives with their own names: *netori* tells the same kind of story from the side
of the one who does the taking, and *netorase* is when a partner arranges it. All three live in the
same corner of fiction, and all three upset a lot of readers.

# How it differs from ecchi

*Ecchi* is playful: suggestive jokes, fan service, characters flustered by an accidental glimpse.
It is light-hearted and usually harmless; nobody in an ecchi comedy is meant to come away hurt.
NTR is the opposite in mood. Even when it is not explicit, it is built to make the reader feel a
loss, and it is frequently paired with adult content.

If you want the cheerful side, our explainer on [what ecchi means](/blog/what-does-ecchi-mean/) has
it, along with a few of our most cheerful designs.

# Why it is tagged as a content warning

Because the whole theme is betrayal, many fans go out of their way to avoid it, and discovering
it halfway through a story feels like a trap. Sites, shops and fan wikis label it so readers can
choose. We do the same: articles and products that touch the theme carry an **NTR** warning, and
you decide whether to look.

# Our take

We don't make NTR merch. Our designs stay on the cheeky side of the line, like this one:

[[product:PIN-CHEEKY-PINK]]

Her wink is as far as it goes.
""",
    faq=(
        (
            "Is NTR the same as cheating?",
            "Close, but the label is about how the story is told: from the point of view of the "
            "partner who is left behind, with the loss as the point.",
        ),
        (
            "Is every NTR story explicit?",
            "No. Many are not, but the theme is common in adult works, so the tag often travels "
            "with an adult rating too.",
        ),
        (
            "What is the difference between NTR and ecchi?",
            "Ecchi is light-hearted fan service that nobody is meant to be hurt by; NTR is built "
            "around betrayal and is meant to sting.",
        ),
        (
            "Do you sell NTR merchandise?",
            "No. Items with any content warning are labelled, and NTR themes are not part of our "
            "range.",
        ),
    ),
)

ECCHI = Article(
    slug="what-does-ecchi-mean",
    title="What does ecchi mean?",
    summary=(
        "Ecchi is anime's playful, suggestive comedy. Where the word comes from, what it covers "
        "and where it stops."
    ),
    category="Explainers",
    tags=("anime terms",),
    hero="STK-CHEEKY-PINK",
    hero_alt="The cheeky pink-haired girl as a die-cut vinyl sticker",
    days_ago=14,
    body="""\
# Where the word comes from

*Ecchi* comes from the way Japanese speakers say the letter **H**, the first letter of *hentai*.
Over time it softened into a word for anything a little naughty: teasing, flirting, a joke that
goes one step too far.

# What it covers

In anime and manga, ecchi means comedy with fan service: beach episodes, wardrobe accidents,
characters who turn bright red. It is suggestive rather than explicit, and the tone stays light.

# Where it stops

Ecchi is not adult content and it is not NTR: nobody is meant to be hurt. If you came here from
[our NTR explainer](/blog/what-does-ntr-mean/), this is the other end of the scale.

The spirit of ecchi, minus the fan service, is a wink and a stuck-out tongue:

[[products:PIN-CHEEKY-PINK, STK-CHEEKY-PINK]]
""",
    faq=(
        ("Is ecchi the same as hentai?", "No. Hentai is explicit; ecchi only suggests."),
        ("Is ecchi for kids?", "Usually for teens and up: check the show's rating."),
        (
            "Why is it called ecchi?",
            "It is the Japanese pronunciation of the letter H, from hentai.",
        ),
    ),
)

ENAMEL = Article(
    slug="hard-vs-soft-enamel-pins",
    title="Hard enamel vs soft enamel pins: what is the difference?",
    summary=(
        "Both start as a metal outline filled with colour. How the two kinds are made, how they "
        "feel in the hand, and which to choose."
    ),
    category="Pin guides",
    tags=("enamel pins", "buying guide"),
    hero="PIN-SAKURA-SEASON",
    hero_alt="A sakura blossom hard enamel pin with rose-gold lines",
    days_ago=30,
    body="""\
Every enamel pin starts as a die-struck metal outline. The difference is in what happens to the
colour.

# Hard enamel

The enamel is filled to the top of the metal lines, baked, then polished flat. The result is
smooth, glossy and durable, with a jewellery-like finish. It costs a little more and suits clean,
bold designs like our [Sakura Season pin](product:PIN-SAKURA-SEASON).

[[products:PIN-SAKURA-SEASON, PIN-MIKA-HOSHINO, PIN-KAGEYAMA-JIN]]

# Soft enamel

The enamel sits below the metal lines, so you can feel the raised outline with a fingertip. Colours
can be brighter and the lines stand out, which suits playful, detailed art.

[[products:PIN-SLEEPY-ONIGIRI, PIN-KON-FOX, PIN-EMBER-DRAGON]]

# Which should you choose?

Choose hard enamel for a smooth, premium feel that survives a bag strap. Choose soft enamel for
texture and colour. Either way, check the plating and the backing on the product page.
""",
    faq=(
        ("Which lasts longer?", "Hard enamel: its polished surface resists scratches better."),
        (
            "Can I tell them apart by touch?",
            "Yes: soft enamel has raised metal lines you can feel.",
        ),
        ("Are soft enamel pins lower quality?", "No, just a different finish and feel."),
    ),
)

CARE = Article(
    slug="caring-for-and-displaying-enamel-pins",
    title="How to care for and display your enamel pins",
    summary=(
        "Keep pins shiny and on your bag: cleaning, locking backs, pin boards and travelling with "
        "a collection."
    ),
    category="Pin guides",
    tags=("enamel pins", "care"),
    hero="PIN-MOONLIT-BLADE",
    hero_alt="A black-nickel sword pin with falling petals",
    days_ago=7,
    body="""\
# Keep them on

Rubber clutches are fine on a pin board; on a bag that swings, use a locking back. Our limited
[Moonlit Blade pin](product:PIN-MOONLIT-BLADE) ships with one.

[[product:PIN-MOONLIT-BLADE]]

# Keep them clean

Wipe with a soft, dry cloth. Avoid alcohol and polish on soft enamel: they dull the colour.

# Show them off

Cork boards, felt banners and ita bags all work. Group pins by series or colour, and leave a
finger's width between them so clutches don't scratch their neighbours.

[[products:PIN-STARLIGHT-CREST, PIN-PRISM-COMPACT, PIN-CRESCENT-MOON]]
""",
    faq=(
        ("How do I stop pins falling off?", "Use locking pin backs on anything that moves."),
        (
            "Can enamel pins get wet?",
            "Briefly, yes: dry them straight away to protect the plating.",
        ),
        ("How should I store pins?", "Flat, on a board or in a book, away from direct sunlight."),
    ),
)

ITA_BAG = Article(
    slug="what-is-an-ita-bag",
    title="What is an ita bag?",
    summary=(
        "An ita bag is a bag covered in pins and charms of one favourite character. Where the name "
        "comes from and how to build your first one."
    ),
    category="Explainers",
    tags=("anime terms", "enamel pins"),
    hero="PIN-MIKA-HOSHINO",
    hero_alt="Mika Hoshino with orange twin tails on a hard enamel pin",
    days_ago=3,
    body="""\
# The name

*Ita* comes from *itai*, "painful": the bag is so over the top that it is painful to look at, and
fans wear the word with pride. An ita bag has a clear window or panel that shows off a wall of
pins, badges and charms, usually all of one character.

# Building one

Pick a character, then a colour scheme. Start with a centrepiece pin and build outwards in rows.
Acrylic keychains hang from the straps; stickers go on the inside panel.

[[products:PIN-MIKA-HOSHINO, PIN-STARLIGHT-CREST, STK-STARLIGHT-GLITTER]]

A full bag of one idol is a statement; a bag of [Aoi](product:PIN-AOI-KUROSAWA) pins is a rivalry.
""",
    faq=(
        ("How many pins does an ita bag need?", "As many as you like; 20 to 40 fills most panels."),
        ("Will pins damage the bag?", "Use the insert board that comes with it, not the fabric."),
        ("Do pins fall off?", "Use locking backs: the bag swings all day."),
    ),
)

GIFT_GUIDE = Article(
    slug="anime-gift-guide-twelve-picks",
    title="Anime gift guide: twelve picks under $25",
    summary=(
        "Not sure what to get the anime fan in your life? Twelve pieces from our shelves, from a "
        "$4 sticker to a $24 acrylic stand, and which fan each one suits."
    ),
    category="Gift guides",
    tags=("gift ideas", "enamel pins"),
    hero="PIN-CHEEKY-PINK",
    hero_alt="A cheeky pink-haired anime girl winking on a soft enamel pin",
    days_ago=1,
    body="""# For the fan who has everything

Pins are the safe bet: small, cheap to post, and a collector always has room on a board or an
ita bag. Hard enamel reads as premium; soft enamel has a raised, textured feel.

[[products:PIN-CHEEKY-PINK, PIN-SAKURA-SEASON, PIN-MIKA-HOSHINO]]

[[products:PIN-KON-FOX, PIN-PRISM-PINK, PIN-MOONLIT-BLADE]]

# Stocking fillers

Stickers and keychains cost less than a coffee and go on laptops, bottles and bag straps.

[[products:STK-RAMEN-NIGHT, STK-STARLIGHT-GLITTER, KEY-LUCKY-CAT]]

# The big present

An acrylic stand or an art print is the gift that goes on a shelf or a wall.

[[products:STD-MIKA-HOSHINO, STD-YUZU-BARISTA, PRT-STARLIGHT-ENCORE]]
""",
    faq=(
        ("Can I send a gift to a different address?", "Yes: enter theirs as the shipping address."),
        (
            "Are prices the same for every franchise?",
            "Yes: a pin is priced by its size and enamel.",
        ),
    ),
)

KITSUNE = Article(
    slug="meet-the-cast-of-cafe-kitsune",
    title="Meet the cast of Café Kitsune",
    summary="Kon the fox spirit and Yuzu the barista: who they are and the merch we made of them.",
    category="Series guides",
    tags=("café kitsune",),
    hero="PIN-KON-FOX",
    hero_alt="Kon the fox spirit smiling on a soft enamel pin",
    days_ago=-7,  # scheduled: goes live next week with no one pressing a button
    body="""\
# Kon

A fox spirit who runs a tiny café and is far too proud of his latte art.

[[product:PIN-KON-FOX]]

# Yuzu

The barista who actually makes the coffee.

[[products:PIN-YUZU-BARISTA, STD-YUZU-BARISTA]]
""",
)

LIMITED = Article(
    slug="how-limited-edition-pins-work",
    title="How limited edition pins work",
    summary="Numbered runs, backing cards and why a limited pin never comes back.",
    category="Pin guides",
    tags=("enamel pins", "limited editions"),
    hero="PIN-MOONLIT-BLADE",
    hero_alt="A black-nickel sword pin with falling petals",
    days_ago=None,  # a draft staff are still writing
    body="""\
# A run of 200

Our [Moonlit Blade pin](product:PIN-MOONLIT-BLADE) is limited to 200
pieces. Draft: explain numbering and backing cards.
""",
)

ARTICLES = [NTR, ECCHI, ENAMEL, CARE, ITA_BAG, GIFT_GUIDE, KITSUNE, LIMITED]
