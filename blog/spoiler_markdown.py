"""The Markdown spoiler syntax, written out as catalogue.spoilers' HTML:

    The twist: ||the fox was the teacher all along||.

    :::spoiler Episode 12
    Anything Markdown, **inline spoilers** and further spoiler blocks included.
    :::

The fence lines stand on lines of their own; the label is optional. Code (inline or fenced)
is stashed before these run, so markers inside it stay literal; `\\|\\|` is a literal `||`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor

from catalogue import spoilers

OPENER = re.compile(r"^:::\s*spoiler\b[ \t]*(.*?)[ \t]*$")
CLOSER = re.compile(r"^:::[ \t]*$")
INLINE = r"\|\|(?=\S)(.+?)(?<=\S)\|\|"


class SpoilerBlockProcessor(BlockProcessor):
    def test(self, parent, block):
        return bool(OPENER.match(block.split("\n", 1)[0]))

    def run(self, parent, blocks):
        lines = "\n\n".join(blocks).split("\n")
        del blocks[:]
        label = OPENER.match(lines[0]).group(1)
        depth, end = 1, len(lines)
        for n, line in enumerate(lines[1:], start=1):
            if OPENER.match(line):
                depth += 1
            elif CLOSER.match(line):
                depth -= 1
                if depth == 0:
                    end = n
                    break
        # An unclosed block runs to the end of the text: nothing after it is shown by mistake.
        rest = "\n".join(lines[end + 1 :]).strip("\n")
        if rest:
            blocks.extend(rest.split("\n\n"))
        details = etree.SubElement(parent, "details", {"class": spoilers.BLOCK_CLASS})
        summary = etree.SubElement(details, "summary")
        summary.text = spoilers.summary_text(label) + " "
        for state, words in spoilers.SUMMARY_STATES:
            etree.SubElement(summary, "span", {"class": f"spoiler__{state}"}).text = words()
        body = etree.SubElement(details, "div", {"class": "spoiler__body"})
        self.parser.parseChunk(body, "\n".join(lines[1:end]))


class InlineSpoilerProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        label = etree.Element("label", {"class": spoilers.INLINE_CLASS})
        etree.SubElement(
            label,
            "input",
            {
                "type": "checkbox",
                "class": "spoiler-inline__toggle",
                "aria-label": spoilers.toggle_label(),
            },
        )
        text = etree.SubElement(label, "span", {"class": "spoiler-inline__text"})
        text.text = m.group(1)
        return label, m.start(0), m.end(0)


class SpoilerExtension(Extension):
    def extendMarkdown(self, md):
        # Before indented code and lists claim the block; after blank-line handling.
        md.parser.blockprocessors.register(SpoilerBlockProcessor(md.parser), "spoiler", 95)
        # After code spans and escapes (190, 180), so both keep their `||`; before emphasis.
        md.inlinePatterns.register(InlineSpoilerProcessor(INLINE, md), "spoiler", 65)
