"""Read the layout of eligibility text into a tree of items, before they become criteria.

The text is read line by line. Headings set the kind (see :mod:`eligo.criteria.headers`); every
other line either starts an item (it has a bullet or a number, or it is a new paragraph), continues
the item above (a wrapped line), or adds a note to it. Nesting follows indentation first, then the
markers: a list that follows "... defined as:" belongs to that item even at the same indentation,
and an item numbered right after an earlier one is its sibling however it is indented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eligo.criteria import headers
from eligo.criteria.lines import Line, scan, wrap_width
from eligo.criteria.runtogether import split_run_together
from eligo.model import CriterionKind

# Words after which a sentence cannot have ended: a line ending with one runs on.
_OPEN_END = re.compile(
    r"(?:[,(\-\u2013/\u2265\u2264<>=+&]|\b(?:of|the|and|or|to|with|than|for|in|on|at|by|a|an|as|"
    r"from|per|least|including|within|without|between|and/or|who|which|that|is|are|be|"
    r"has|have|not|no|any|prior|after|before|during|than|e\.g\.|i\.e\.|eg|ie))\s*$",
    re.I,
)
_ALTERNATIVE_END = re.compile(r"(?:,|\b(?:and|or|and/or))\s*$", re.I)
_SENTENCE_ENDS = (".", ";", "!", "?", ")", "]")
_MAX_DEPTH = 8
_PLAIN_MAJOR = re.compile(r"(?:key\s+|main\s+)?(?:inclusion|exclusion)(?:\s+criteria)?", re.I)
_RUNS_ON = re.compile(r"^(?:[a-z\u00df-\u00ff(\[,;:&/)\]%]|(?:and|or|but|nor)\b)")


def _nested_in_line(node: Node, line: Line) -> bool:
    """A list item nested under a paragraph at its own indentation ("...eligible:\na) ...") ends
    where the next paragraph at that indentation begins."""
    parent = node.parent
    return node.indent == line.indent and parent is not None and parent.indent == line.indent \
        and parent.style is None and not parent.note


def _open_end(text: str, across_blank: bool = False) -> bool:
    """Does this line stop mid-sentence ("... from the time of")?

    Across a blank line a closing "or"/"and" reads as a list of alternatives, not a broken line.
    """
    tail = text[-24:]
    if across_blank and _ALTERNATIVE_END.search(tail):
        return False
    return bool(_OPEN_END.search(tail))


@dataclass(slots=True, eq=False)
class Node:
    start: int
    end: int
    indent: int
    style: str | None  # None: a paragraph or a note, not a list item
    value: int
    kind: CriterionKind
    section: str | None
    note: bool = False
    words: str | None = None  # the normalised text, once asked for
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)


class _Builder:
    """One pass over the lines: a stack of open items, headings setting kind and section."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = scan(text)
        self.width = wrap_width(self.lines)
        self.roots: list[Node] = []
        self.stack: list[Node] = []
        self.kind: CriterionKind = "inclusion"
        self.section_kind: CriterionKind = "inclusion"
        self.major_label: str | None = None
        self.section: str | None = None
        self.nci = False
        self.label_open = False  # a neutral group label with nothing under it yet

    # -- driving -------------------------------------------------------------------------------

    def build(self) -> list[Node]:
        index = 0
        lines = self.lines
        while index < len(lines):
            line = lines[index]
            previous = lines[index - 1] if index else None
            index = self._read(line, previous, index)
        return self.roots

    def _read(self, line: Line, previous: Line | None, index: int) -> int:
        stack = self.stack
        if (  # the common case, decided early: an indented line carrying on a sentence
            previous is not None
            and line.style is None
            and not line.blank_before
            and stack
            and line.indent > stack[-1].indent
            and not previous.text.endswith(_SENTENCE_ENDS)
            and not headers.is_note_word(line.text)
        ):
            stack[-1].end = line.end
            return index + 1
        # A bulleted heading ("-  INCLUSION CRITERIA:") is short; bulleted text rarely is.
        maybe_major = line.style is None or len(line.text) <= 60 or line.text.endswith(":")
        major = headers.major_header(line.text) if maybe_major else None
        if major is not None and not self._runs_on(line, previous):
            self._open_major(major)
            return self._after_header(major, line, index)
        if self._population_label(line, index):
            label = headers.Header(line.text.strip(), None, False, False, None)
            self._open_minor(label)
            return index + 1
        if self._may_be_minor(line, previous):
            minor = headers.minor_header(line.text, marked=line.style is not None)
            if minor is not None:
                self._open_minor(minor)
                return self._after_header(minor, line, index)
        if line.style is not None:
            self._place_item(line)
        else:
            self._read_plain(line, previous)
        return index + 1

    def _population_label(self, line: Line, index: int) -> bool:
        """A line of its own naming a group of patients, without a colon, between a blank line
        and a list ("for acromegaly" above the criteria of that cohort): a heading, not a
        criterion nor the end of the item above."""
        if line.style is not None or line.text.rstrip().endswith(":"):
            return False
        if index and not line.blank_before:
            return False
        following = self.lines[index + 1] if index + 1 < len(self.lines) else None
        if following is None or following.style is None:
            return False
        return headers.population_heading(line.text) is not None

    def _runs_on(self, line: Line, previous: Line | None) -> bool:
        """A heading's words inside a wrapped sentence ("... see\\nExclusion criteria") are text."""
        if previous is None or line.blank_before or line.style is not None or not self.stack:
            return False
        if line.indent < self.stack[-1].indent:
            return False  # left of the open item's bullet: not its text
        if line.text[0].islower() and not line.text.endswith(":"):
            return not previous.text.endswith(_SENTENCE_ENDS)
        return self._full(previous, line) or _open_end(previous.text)

    def _may_be_minor(self, line: Line, previous: Line | None) -> bool:
        if line.style is not None:
            return bool(line.text.rstrip().endswith(":")) and len(line.text) < 120
        if self.stack and line.indent > self.stack[0].indent:
            return False
        return not (previous is not None and self._runs_on(line, previous))

    # -- headings ------------------------------------------------------------------------------

    def _open_major(self, header: headers.Header) -> None:
        self.stack.clear()
        self.label_open = False
        self.kind = self.section_kind = header.kind or self.section_kind
        self.nci = header.nci
        self.major_label = None if _PLAIN_MAJOR.fullmatch(header.label) else header.label
        self.section = self.major_label

    def _open_minor(self, header: headers.Header) -> None:
        # "Concurrent Medication:" then "Excluded:" with nothing between: one heading, two lines.
        above = self.section if self.stack == [] and self.label_open else self.major_label
        self.stack.clear()
        self.kind = header.kind or self.section_kind
        self.section = f"{above} / {header.label}" if above else header.label
        self.label_open = header.kind is None

    def _after_header(self, header: headers.Header, line: Line, index: int) -> int:
        if header.inline is None:
            return index + 1
        start = line.start + header.inline
        if not self.nci:
            node = self._new_node(start, line.end, line.indent, None, 0)
            self._add_root(node)
            self.stack.append(node)
            return index + 1
        # Old NCI layout: the section's lines were run together; find where the paragraph ends.
        last = index
        while last + 1 < len(self.lines):
            following = self.lines[last + 1]
            if following.blank_before or following.style is not None:
                break
            if not self._full(self.lines[last], following) and headers.major_header(following.text):
                break
            last += 1
        self._add_run_together(start, self.lines[last].end)
        return last + 1

    def _add_run_together(self, start: int, end: int) -> None:
        base = self.section
        made: list[Node] = []
        for piece in split_run_together(self.text, start, end):
            node = self._new_node(piece.start, piece.end, 0, None, 0)
            if piece.label and piece.section:
                node.section = piece.label
            elif piece.label:
                node.section = f"{base} / {piece.label}" if base else piece.label
            if piece.parent is None:
                self._add_root(node)
                if headers.excludes(self.text[piece.start:piece.end]):
                    node.kind = "exclusion"  # "Excluded diagnoses: Bipolar disorder ..."
            else:
                parent = made[piece.parent]
                node.parent, node.section, node.kind = parent, parent.section, parent.kind
                parent.children.append(node)
            made.append(node)
        self.stack.clear()

    # -- list items ----------------------------------------------------------------------------

    def _place_item(self, line: Line) -> None:
        style, value = self._reading(line)
        node = self._new_node(line.start, line.end, line.indent, style, value)
        stack = self.stack
        while stack and stack[-1].indent > line.indent:
            stack.pop()
        if not stack:
            self._push_root(node)
        elif stack[-1].indent < line.indent:
            self._place_deeper(node)
        else:
            self._place_level(node)

    def _reading(self, line: Line) -> tuple[str | None, int]:
        """Choose between "i." as a roman numeral and as the letter after "h."."""
        if line.alt_style is None:
            return line.style, line.value
        for node in reversed(self.stack):
            if node.style == line.alt_style and node.value + 1 == line.alt_value:
                return line.alt_style, line.alt_value
            if node.style == line.style:
                break
        if line.value == 1 or any(n.style == line.style for n in self.stack):
            return line.style, line.value
        return line.alt_style, line.alt_value

    def _place_deeper(self, node: Node) -> None:
        top = self.stack[-1]
        numbered = node.style is not None and not node.style.startswith("bullet")
        follows = top.style == node.style and node.value == top.value + 1
        if numbered and follows and not top.children:
            self._push_sibling(node)  # numbered as the next item, only indented deeper
        elif top.style is None and not top.note and not self._opens_list(top):
            self._push_sibling(node)  # bullets beside an unbulleted paragraph (legacy layout)
        else:
            self._push_child(top, node)

    def _place_level(self, node: Node) -> None:
        stack = self.stack
        top = stack[-1]
        restart = node.value == 1 and top.value >= 1 and top.style == node.style
        if (top.style != node.style or restart) and self._opens_list(top):
            self._push_child(top, node)
            return
        same = self._same_level_match(node)
        if same is not None:
            del stack[same + 1:]
            self._push_sibling(node)
        elif self._subordinate(node.style, top.style):
            self._push_child(top, node)
        else:
            self._push_sibling(node)

    def _same_level_match(self, node: Node) -> int | None:
        """Stack position of the item at this indentation the new one continues, if any."""
        found = None
        for position in range(len(self.stack) - 1, -1, -1):
            candidate = self.stack[position]
            if candidate.indent != node.indent:
                break
            if candidate.style == node.style:
                if candidate.value + 1 == node.value:
                    return position
                found = position if found is None else found
        return found

    @staticmethod
    def _subordinate(style: str | None, above: str | None) -> bool:
        if style is None or above is None:
            return False
        if above.startswith(("num", "(num)", "multi")):
            return style.startswith(("alpha-lower", "roman-lower")) or style.startswith("multi") \
                and above.startswith("num")
        return above.startswith("alpha") and style.startswith("roman-lower")

    def _opens_list(self, node: Node) -> bool:
        return headers.is_lead_in(self.text[max(node.start, node.end - 80):node.end])

    # -- unmarked lines ------------------------------------------------------------------------

    def _read_plain(self, line: Line, previous: Line | None) -> None:
        if not self.stack or previous is None:
            self._new_paragraph(line)
            return
        top = self.stack[-1]
        runs_on = bool(_RUNS_ON.match(line.text)) or _open_end(previous.text)
        if headers.is_note_word(line.text) and not self._full(previous, line):
            self._add_note(line)
        elif not line.blank_before:
            if runs_on or self._full(previous, line):
                top.end = line.end
            elif (headers.is_note_sentence(line.text) and line.indent != previous.indent
                  and previous.text.endswith(_SENTENCE_ENDS)):
                self._add_note(line)
            elif line.indent > top.indent:
                top.end = line.end
            else:
                self._new_paragraph(line)
        elif _RUNS_ON.match(line.text) or _open_end(previous.text, across_blank=True):
            top.end = line.end
        elif line.indent > top.indent or (top.note and line.indent == top.indent):
            if headers.is_note_sentence(line.text) or line.text.rstrip().endswith(":"):
                self._add_note(line)
            else:
                top.end = line.end
        else:
            self._new_paragraph(line)

    def _add_note(self, line: Line) -> None:
        node = self._new_node(line.start, line.end, line.indent, None, 0)
        node.note = True
        stack = self.stack
        notes = [position for position, open_node in enumerate(stack) if open_node.note]
        if notes and line.indent >= stack[notes[-1]].indent:
            del stack[notes[-1]:]  # a second note after a note's own list: the same item's
        else:
            while len(stack) > 1 and stack[-1].indent >= line.indent:
                stack.pop()
        if stack:
            self._push_child(stack[-1], node)
        else:
            self._push_root(node)

    def _new_paragraph(self, line: Line) -> None:
        node = self._new_node(line.start, line.end, line.indent, None, 0)
        stack = self.stack
        while stack and (stack[-1].indent > line.indent or _nested_in_line(stack[-1], line)):
            stack.pop()
        if stack and stack[-1].indent < line.indent and self._opens_list(stack[-1]):
            self._push_child(stack[-1], node)
        elif stack:
            self._push_sibling(node)
        else:
            self._push_root(node)

    # -- tree ----------------------------------------------------------------------------------

    def _full(self, previous: Line, line: Line) -> bool:
        """Was ``previous`` wrapped because the first word of ``line`` did not fit?"""
        if self.width is None:
            return False
        first = line.text.split(None, 1)[0] if line.text else ""
        return previous.length + 1 + len(first) > self.width

    def _new_node(self, start: int, end: int, indent: int, style: str | None, value: int) -> Node:
        return Node(start, end, indent, style, value, self.kind, self.section)

    def _add_root(self, node: Node) -> None:
        self.label_open = False
        node.kind, node.section, node.parent = self.kind, node.section or self.section, None
        self.roots.append(node)

    def _push_root(self, node: Node) -> None:
        self.stack.clear()
        self._add_root(node)
        self.stack.append(node)

    def _push_sibling(self, node: Node) -> None:
        top = self.stack.pop()
        if top.parent is None:
            self._push_root(node)
        else:
            self._push_child(top.parent, node)

    def _push_child(self, parent: Node, node: Node) -> None:
        while self.stack and self.stack[-1] is not parent:
            self.stack.pop()
        if len(self.stack) >= _MAX_DEPTH:
            self._push_sibling(node)  # real lists nest a few levels; deeper is noise
            return
        node.parent, node.kind, node.section = parent, parent.kind, parent.section
        parent.children.append(node)
        self.stack.append(node)


def read_layout(text: str) -> list[Node]:
    """The top-level items of ``text``, each with its sub-items."""
    return _Builder(text).build()
