"""The demo glossary: the words the demo's articles and shelves use, each explained in a paragraph
of our own, pointing at the explainer that goes further and the products that show it.

NTR carries the demo's NTR warning, as its explainer does: its definition waits for the reader's
choice to see mature content.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    definition: str
    aliases: tuple[str, ...] = ()
    explainer: str = ""  # the slug of the demo article that explains it further
    products: tuple[str, ...] = ()  # UPCs
    see_also: tuple[str, ...] = ()  # names of other entries
    warnings: tuple[str, ...] = ()  # content warning slugs


TERMS = [
    Entry(
        "NTR",
        "Short for *netorare*, a story theme in which a character's partner is taken by someone "
        "else, told from the side of the one who is left behind. The point is the sting of "
        "betrayal, which is why so many readers want it labelled before they start.",
        aliases=("netorare", "寝取られ"),
        explainer="what-does-ntr-mean",
        see_also=("Ecchi",),
        warnings=("ntr",),
    ),
    Entry(
        "Ecchi",
        "Playful, suggestive comedy: flustered blushes, teasing and the odd wardrobe accident. "
        "The word comes from the Japanese way of saying the letter H, and the tone stays light: "
        "nobody in an ecchi story is meant to get hurt.",
        aliases=("エッチ",),
        explainer="what-does-ecchi-mean",
        products=("PIN-CHEEKY-PINK", "STK-CHEEKY-PINK"),
        see_also=("Fanservice", "NTR"),
    ),
    Entry(
        "Ita bag",
        "A bag with a clear panel that shows off a wall of pins, badges and charms, usually all "
        "of one favourite character. *Ita* means painful: it is so over the top it hurts to "
        "look at, and owners say so with pride.",
        aliases=("itabag", "痛バッグ"),
        explainer="what-is-an-ita-bag",
        products=("PIN-MIKA-HOSHINO", "PIN-STARLIGHT-CREST"),
        see_also=("Oshi", "Locking pin back"),
    ),
    Entry(
        "Hard enamel",
        "Enamel filled right up to the top of a pin's metal lines, baked and then polished flat. "
        "The surface is smooth and glossy, like jewellery, and stands up well to bag straps and "
        "pockets.",
        explainer="hard-vs-soft-enamel-pins",
        products=("PIN-SAKURA-SEASON", "PIN-MIKA-HOSHINO"),
        see_also=("Soft enamel", "Plating"),
    ),
    Entry(
        "Soft enamel",
        "Enamel that sits below a pin's metal lines, so you can feel the raised outline with a "
        "fingertip. It allows bright colours and fine texture, and often costs a little less "
        "than hard enamel.",
        explainer="hard-vs-soft-enamel-pins",
        products=("PIN-SLEEPY-ONIGIRI", "PIN-KON-FOX"),
        see_also=("Hard enamel",),
    ),
    Entry(
        "Backing card",
        "The printed card a pin is pinned to when it ships. Collectors keep them: a limited pin "
        "on its numbered backing card is worth more than the pin alone.",
        aliases=("backer card",),
        see_also=("Limited edition",),
    ),
    Entry(
        "Rubber clutch",
        "The soft rubber cap that holds a pin on from behind. It grips well, never scratches and "
        "is fine on a pin board, but on a bag that swings all day it can work loose.",
        aliases=("rubber pin back",),
        explainer="caring-for-and-displaying-enamel-pins",
        see_also=("Locking pin back",),
    ),
    Entry(
        "Locking pin back",
        "A metal back that clicks onto the pin's post and only lets go when you pull its "
        "release. Use one on anything that moves: jackets, ita bags, lanyards.",
        aliases=("locking back",),
        explainer="caring-for-and-displaying-enamel-pins",
        products=("PIN-MOONLIT-BLADE",),
        see_also=("Rubber clutch",),
    ),
    Entry(
        "Oshi",
        "The character, idol or performer you support above all the others. Fans buy their "
        "oshi's merch, wear their colour and fill an ita bag with their face.",
        aliases=("推し",),
        products=("STD-MIKA-HOSHINO",),
        see_also=("Ita bag", "Waifu", "Idol"),
    ),
    Entry(
        "Gacha",
        "Anything you buy without knowing which one you will get: capsule toys from a machine, "
        "blind boxes, or the random draws of a mobile game. Named after the sound of the "
        "capsule machine's handle.",
        aliases=("gachapon", "ガチャ"),
        see_also=("Blind box",),
    ),
    Entry(
        "Blind box",
        "A sealed box holding one figure or charm from a set, chosen at random. Collectors trade "
        "their doubles to finish the set.",
        see_also=("Gacha",),
    ),
    Entry(
        "Chibi",
        "A drawing style with a huge head, a tiny body and a round, simple face. It makes any "
        "character look small and cute, which is why it suits pins, stickers and keychains.",
        aliases=("super deformed", "ちび"),
        products=("PIN-SLEEPY-ONIGIRI", "KEY-KON-FOX"),
        see_also=("Kawaii",),
    ),
    Entry(
        "Doujin",
        "Work that fans make and publish themselves: comics, games, music or merch, sold at "
        "conventions and online. Many professional artists started out in doujin circles.",
        aliases=("doujinshi", "同人"),
    ),
    Entry(
        "Kawaii",
        "Cute, in the Japanese sense that covers a whole culture of pastel colours, round shapes "
        "and small, soft things. A kawaii design makes you want to look after it.",
        aliases=("かわいい",),
        products=("PIN-PASTEL-HEART", "KEY-LUCKY-CAT"),
        see_also=("Chibi",),
    ),
    Entry(
        "Fanservice",
        "A scene put in mainly to please the audience rather than to move the story: a cameo, a "
        "callback, a new outfit, or something more suggestive. In everyday use it often means "
        "the suggestive kind.",
        aliases=("fan service",),
        see_also=("Ecchi",),
    ),
    Entry(
        "Tsundere",
        "A character who is cold or prickly on the outside and warm underneath, and hates to "
        "admit it. The classic line is some version of \u201cit's not like I did it for you\u201d.",
        aliases=("ツンデレ",),
        see_also=("Yandere",),
    ),
    Entry(
        "Yandere",
        "A character whose devotion to the one they love turns obsessive and dangerous. Sweet "
        "at first, frightening once someone gets in the way.",
        aliases=("ヤンデレ",),
        see_also=("Tsundere",),
    ),
    Entry(
        "Isekai",
        "Stories in which someone from our world is carried off into another one, often a "
        "fantasy world with its own rules, and has to make a life there.",
        aliases=("異世界",),
    ),
    Entry(
        "Waifu",
        "A fictional character a fan calls their wife, half joking and half not. The male "
        "version is *husbando*.",
        aliases=("husbando",),
        see_also=("Oshi",),
    ),
    Entry(
        "Acrylic stand",
        "A character printed on clear acrylic, cut to shape and slotted into a small base so it "
        "stands on a desk or shelf. Fans call them acsta, from the Japanese *akusuta*.",
        aliases=("acsta", "acrylic standee", "アクスタ"),
        products=("STD-MIKA-HOSHINO", "STD-YUZU-BARISTA"),
        see_also=("Acrylic keychain",),
    ),
    Entry(
        "Acrylic keychain",
        "A small printed acrylic charm on a ring or clasp, hung from bags, keys and ita bag "
        "straps. Light, cheap to post and hard to break.",
        aliases=("acrylic charm",),
        products=("KEY-LUCKY-CAT", "KEY-KON-FOX"),
        see_also=("Acrylic stand",),
    ),
    Entry(
        "Limited edition",
        "A design made in a fixed number of pieces and never again. Ours are numbered on the "
        "backing card, and once the run is sold it is gone.",
        aliases=("limited run",),
        explainer="how-limited-edition-pins-work",
        products=("PIN-MOONLIT-BLADE",),
        see_also=("Backing card",),
    ),
    Entry(
        "Plating",
        "The metal finish of a pin's outline: gold, silver, rose gold or black nickel. It frames "
        "the enamel, and a dark plating makes bright colours glow.",
        explainer="hard-vs-soft-enamel-pins",
        see_also=("Hard enamel",),
    ),
    Entry(
        "Holographic sticker",
        "A sticker printed on a foil that throws rainbow light as you tilt it. Ours are vinyl, "
        "so they survive laptops and water bottles.",
        aliases=("holo sticker",),
        products=("STK-RAMEN-NIGHT", "STK-KON-FOX"),
    ),
    Entry(
        "Idol",
        "A performer, real or drawn, whose fans follow their singing, dancing and personality "
        "as much as their music. Idol anime follow a group from trainees to the big stage.",
        aliases=("アイドル",),
        products=("PIN-MIKA-HOSHINO",),
        see_also=("Oshi",),
    ),
    Entry(
        "Mecha",
        "Giant piloted robots, and the stories built around them: the hangar, the squadron, the "
        "pilot who must climb into the cockpit one more time.",
        aliases=("メカ",),
        products=("PIN-UNIT-ZETA", "STD-UNIT-ZETA"),
    ),
    Entry(
        "Magical girl",
        "A girl who transforms into a costumed hero with magic powers, usually with a team, a "
        "talking mascot and a compact or wand that does the changing.",
        aliases=("mahou shoujo", "魔法少女"),
        products=("PIN-PRISM-PINK", "PIN-PRISM-COMPACT"),
    ),
    Entry(
        "Kitsune",
        "A fox spirit from Japanese folklore: clever, sometimes mischievous, growing more tails "
        "as it grows older and wiser.",
        aliases=("狐",),
        products=("PIN-KON-FOX",),
    ),
]
