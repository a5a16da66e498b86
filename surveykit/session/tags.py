"""Free `#tags` in notes: typed as words in the text, never defined in advance.

A tag is `#` followed by letters, digits, `_`, `-` or `/` (`#nav`, `#pain-point`,
`#checkout/coupon`), at the start of the text or after a space or an opening
bracket; it is stored lower-cased, once per note, in the order typed. `#` in
"issue#12" or "C#" is not a tag.
"""

from __future__ import annotations

import re

__all__ = ["normalise_tag", "parse_tags"]

_TAG = re.compile(r"(?:(?<=^)|(?<=[\s(\[{,;]))#([^\W_][\w\-/]*)", re.UNICODE)


def normalise_tag(tag: str) -> str:
    """A tag as stored and matched: without `#`, trailing `-`/`/` dropped, lower case."""
    return tag.strip().lstrip("#").rstrip("-/").casefold()


def parse_tags(text: str) -> list[str]:
    """The tags of a note, lower-cased, each once, in the order they appear."""
    out: list[str] = []
    for m in _TAG.finditer(text):
        tag = normalise_tag(m.group(1))
        if tag and tag not in out:
            out.append(tag)
    return out
