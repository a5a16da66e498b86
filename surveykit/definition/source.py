"""Reading a definition file into plain data plus the line and column of every node.

YAML (and JSON, which the YAML 1.2 reader also reads) keeps positions; TOML
positions are found by searching the text for the key, which is good enough to
point at the right line.
"""

from __future__ import annotations

import bisect
import errno
import gc
import json
import os
import re
import stat
import sys
import tomllib
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from surveykit.definition.problems import DefinitionError, Loc, Problem, Suggester, clip

#: Largest definition file read (5 MB): a 19,000-question survey is about 1.5 MB.
MAX_FILE_BYTES = 5_000_000
#: Most values a file may hold once YAML aliases are expanded (`*a` repeated
#: inside anchors can otherwise grow a small file into billions of values).
MAX_NODES = 200_000
#: Deepest nesting of [ ] and { } accepted (the YAML reader slows down badly,
#: then fails, on thousands of levels; a definition needs five or so).
MAX_FLOW_DEPTH = 100


@dataclass
class Source:
    """A parsed file: plain data and positions (1-based) by location."""

    path: str
    text: str
    data: Any
    #: where the value at a location starts
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    #: where the key naming a location starts (mappings only)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    #: problems found while reading (YAML tags, keys that are lists), by location
    problems: dict[Loc, str] = field(default_factory=dict)
    nodes: int = 0
    #: "did you mean …?" for this file's messages, with a bound on the work
    suggest: Suggester = field(default_factory=Suggester, repr=False, compare=False)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> list[str]:
        """The text's lines, split once (messages look at them for every problem)."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Best position for a location: the key or value, else the nearest parent."""
        probe = tuple(loc)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]
            key = False

    def get(self, loc: Loc) -> Any:
        node = self.data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node


def read_source(path: str | Path, text: str | None = None) -> Source:
    """Parse a YAML, JSON or TOML file; syntax errors become a DefinitionError."""
    shown = str(path)
    if text is None:
        raw = read_bounded(path)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DefinitionError(
                [Problem(shown, line, 1, "the file is not UTF-8 text; save it as UTF-8")]
            ) from None
    try:
        if shown.lower().endswith(".toml"):
            return _read_toml(shown, text)
        if shown.lower().endswith(".json"):
            return _read_json(shown, text)
        return _read_yaml(shown, text)
    except ValueError as e:
        # Python refuses to read integers of more than 4,300 digits
        # (sys.get_int_max_str_digits); the readers let that ValueError through.
        if "digits" not in str(e):
            raise
        raise DefinitionError([_huge_number(shown, text)]) from None


def _huge_number(path: str, text: str) -> Problem:
    m = re.search(rf"\d{{{sys.get_int_max_str_digits() or 4300},}}", text)
    pos = m.start() if m else 0
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Problem(path, line, col, "a number with thousands of digits: no setting takes a number this large")


def read_bounded(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a definition file, refusing what could hang or flood a reader.

    Only a regular file is read (not a FIFO, a device, a socket, a directory or
    `-`), and never more than `limit` + 1 bytes, whatever its size claims to
    be. Every refusal is one DefinitionError at line 1, column 1.
    """
    shown = str(path)

    def refuse(message: str) -> DefinitionError:
        return DefinitionError([Problem(shown, 1, 1, message)])

    if shown == "-":
        raise refuse(
            "definitions are not read from standard input; give the file's path "
            "(./- for a file named '-')"
        )
    try:
        # Look before opening: opening a device or a FIFO can block or act.
        kind = _kind(os.stat(path).st_mode)
    except (OSError, ValueError):
        kind = None  # said precisely by os.open below
    if kind is not None:
        raise refuse(NOT_A_FILE[kind])
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, flags)
    except FileNotFoundError:
        if os.path.islink(path):
            raise refuse("is a symbolic link to a file that does not exist") from None
        raise refuse("file not found") from None
    except IsADirectoryError:
        raise refuse(NOT_A_FILE["directory"]) from None
    except PermissionError:
        raise refuse("cannot read the file: permission denied") from None
    except ValueError:  # a NUL byte in the name
        raise refuse("not a valid file name") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise refuse("symbolic link loop: the path leads back to itself; point the link at a file") from None
        if e.errno == errno.ENXIO:
            raise refuse(NOT_A_FILE["other"]) from None
        raise refuse(f"cannot open the file: {e.strerror or e}") from None
    try:
        mode = os.fstat(fd).st_mode
        kind = _kind(mode)
        if kind is not None:
            raise refuse(NOT_A_FILE[kind])
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as e:
        raise refuse(f"cannot read the file: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise refuse(
            f"the file is larger than {limit:,} bytes ({limit // 1_000_000} MB); "
            "a definition file is far smaller: is it the right file?"
        )
    return b"".join(chunks)


#: What a path that is not a regular file is, said plainly.
NOT_A_FILE = {
    "directory": "is a directory, not a definition file",
    "fifo": "is a named pipe (FIFO), not a definition file; give the path of a regular file",
    "device": "is a device, not a definition file; give the path of a regular file",
    "socket": "is a socket, not a definition file; give the path of a regular file",
    "other": "is not a regular file; give the path of a definition file",
}


def _kind(mode: int) -> str | None:
    """None for a regular file, else what it is."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "other"


def _read_json(path: str, text: str) -> Source:
    """JSON is checked strictly (the YAML reader would accept a trailing comma or
    single quotes that other JSON tools reject), then read with positions."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise DefinitionError([_json_problem(path, text, e)]) from None
    except RecursionError:
        raise DefinitionError([Problem(path, 1, 1, "JSON syntax: nested too deeply")]) from None
    try:
        return _read_yaml(path, text)
    except DefinitionError as e:
        if any("appears twice" in p.message for p in e.problems):
            raise  # JSON readers differ on duplicate keys: refuse them
        # Valid JSON the YAML reader cannot take: use it without positions.
        return Source(path=path, text=text, data=data, values={(): (1, 1)})


def _json_problem(path: str, text: str, e: json.JSONDecodeError) -> Problem:
    before = text[: e.pos].rstrip()
    here = text[e.pos : e.pos + 1]
    if before.endswith(",") and here in ("]", "}"):
        comma = len(before) - 1
        line = text.count("\n", 0, comma) + 1
        col = comma - (text.rfind("\n", 0, comma) + 1) + 1
        return Problem(path, line, col, "trailing comma: JSON allows no ',' after the last item of a list or object")
    if here == "'":
        message = "JSON needs double quotes (\"text\"), not single quotes"
    elif e.msg.startswith("Expecting ',' delimiter"):
        message = "JSON syntax: a ',' is missing between two items (or a quote is not closed)"
    elif e.msg.startswith("Expecting property name"):
        message = "JSON syntax: expected a key in double quotes (\"key\": value)"
    else:
        message = f"JSON syntax: {e.msg.lower()}"
    return Problem(path, e.lineno, e.colno, message)


def _read_yaml(path: str, text: str) -> Source:
    """Read YAML with the position of every key and value.

    A plain file (mappings, lists and scalars, no tags, aliases or merge keys,
    no duplicate keys) is read by the fast path: ruamel's node tree, turned into
    plain data here. Anything else, including every file with a syntax error,
    goes through the round-trip reader, whose errors the messages are written
    for.
    """
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise DefinitionError([Problem(path, 1, 1, "the file nests lists or mappings too deeply")])
    with gc_paused():
        try:
            return _read_plain_yaml(path, text)
        except DefinitionError:
            raise
        except (MarkedYAMLError, ReaderError) as e:
            if len(text) > FULL_READER_MAX_BYTES:
                # The full reader would take a minute to find the same mistake.
                raise DefinitionError([_yaml_problem(path, text, e)]) from None
        except Exception:  # the full reader below says what is wrong
            pass
        return _read_full_yaml(path, text)


#: Larger files with a YAML syntax error get libyaml's account of it (the same
#: wording, a position that may differ slightly) instead of the full reader's,
#: which reads about 100 KB a second.
FULL_READER_MAX_BYTES = 300_000


def _yaml_problem(path: str, text: str, e: MarkedYAMLError | ReaderError) -> Problem:
    """A YAML syntax error, or a character YAML refuses, as one located problem."""
    if isinstance(e, ReaderError):
        # a character YAML does not allow anywhere: NUL, other control characters
        pos = max(0, min(int(e.position), len(text)))
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
        return Problem(path, line, col, f"the control character U+{code:04X} is not allowed in a YAML file; remove it")
    mark = e.problem_mark or e.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    special = _yaml_special(e, text)
    if special is not None:
        line, col, message = special
    else:
        message = _yaml_message(e)
    return Problem(path, line, col, message)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read and checked.

    Reading makes hundreds of thousands of small objects that stay alive, none
    of them garbage in a cycle; the collector's passes over them grew with the
    file's size. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _NotPlain(Exception):
    """The fast reader met something only the round-trip reader handles."""


_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
#: Text the fast reader leaves to the full one: tabs (libyaml takes some that
#: the YAML 1.2 reader refuses), line breaks of YAML 1.1 only, a BOM inside,
#: anything that may be a tag or an anchor (`!!str`, `!foo`, `&a`: a `!` or `&`
#: where a value starts, so not the one of "Merci !"), and directives (`%YAML 1.1`).
_NOT_PLAIN_TEXT = re.compile(r"[\t\x85\u2028\u2029\ufeff]|(?:^[ ]*|[:?-][ ]+|[\[{,][ ]*)[!&]|^%", re.M)
#: Nesting the C parser is given (it recurses on the C stack): a line's
#: indentation plus its nesting marks bounds the depth of what is on it.
_MAX_C_NESTING = 300


def _compose(text: str) -> Node | None:
    """The node tree of a YAML text: libyaml's parser when ruamel's C extension
    is installed (ten times faster), else ruamel's own."""
    c_loader = _c_loader()
    if c_loader is not None and _shallow(text):
        loader = c_loader(text)
        try:
            return loader.get_single_node()  # type: ignore[no-any-return]
        finally:
            loader.dispose()
    return YAML(typ="safe", pure=True).compose(text)  # type: ignore[no-any-return]


def _c_loader() -> Any:
    """ruamel's loader on libyaml, or None without the C extension."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader
    except ImportError:
        return None
    return CSafeLoader


def _shallow(text: str) -> bool:
    for line in text.splitlines():
        body = line.lstrip(" ")
        marks = body.count("-") + body.count(":") + body.count("[") + body.count("{") + body.count("?")
        if 2 * (len(line) - len(body)) + marks > _MAX_C_NESTING:
            return False
    return True


_IMPLICIT: dict[Any, list[tuple[Any, Any]]] | None = None


def _resolve(value: str) -> str:
    """The tag YAML 1.2 gives a plain scalar (ruamel's own table, read once)."""
    global _IMPLICIT
    if _IMPLICIT is None:
        _IMPLICIT = {k: list(v) for k, v in VersionedResolver(version=(1, 2)).versioned_resolver.items()}
    for tag, regexp in _IMPLICIT.get(value[:1], []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _YAML + "str"


def _plain_scalar(node: ScalarNode) -> Any:
    """A scalar's value by YAML 1.2's rules, as the full reader builds it."""
    if getattr(node, "style", None):
        return node.value  # quoted or a block scalar: text
    value = node.value
    tag = _resolve(value)
    if tag == _YAML + "str":
        return value
    if tag == _YAML + "null":
        if value == "":
            raise _NotPlain  # `key:` with nothing after it: the full reader's position
        return None
    if tag == _YAML + "bool":
        return value.lower() == "true"
    if tag == _YAML + "int":
        digits = value.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = {"0b": 2, "0x": 16, "0o": 8}.get(digits[:2].lower(), 10)
        return sign * int(digits[2:] if base != 10 else digits, base)
    if tag == _YAML + "float":
        number = value.replace("_", "").lower()
        if number.endswith(".inf"):
            return float("-inf") if number.startswith("-") else float("inf")
        if number.endswith(".nan"):
            return float("nan")
        return float(number)
    if tag == _YAML + "timestamp":
        return value  # kept as written, as the full reader does
    raise _NotPlain  # a merge key `<<`, `=`


def _read_plain_yaml(path: str, text: str) -> Source:
    if _NOT_PLAIN_TEXT.search(text):
        raise _NotPlain
    root = _compose(text)
    if not isinstance(root, MappingNode):
        raise _NotPlain
    src = Source(path=path, text=text, data=None)
    seen: set[int] = set()
    big = len(text) > FULL_READER_MAX_BYTES

    def tag_of(node: Node) -> str:
        tag = node.tag
        return str(getattr(tag, "value", tag))

    def scalar(node: Node) -> Any:
        if not isinstance(node, ScalarNode) or tag_of(node) not in _SCALAR_TAGS:
            raise _NotPlain
        return _plain_scalar(node)

    def plain(node: Node, loc: Loc) -> Any:
        src.nodes += 1
        if id(node) in seen:
            raise _NotPlain  # an alias (*a): the full reader expands it
        if src.nodes > MAX_NODES:
            # no aliases so far: the file itself is this big; said as the full reader would
            raise DefinitionError([_too_many(src, loc)])
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if tag_of(node) != _YAML + "map":
                raise _NotPlain
            out: dict[Any, Any] = {}
            for k, v in node.value:
                key = scalar(k)
                if key in out and big:
                    # said as the full reader says it, without a minute of reading
                    raise DefinitionError(
                        [Problem(path, k.start_mark.line + 1, k.start_mark.column + 1,
                                 f"key '{clip(str(key))}' appears twice in the same mapping")]
                    )
                if key in out or isinstance(key, float):
                    raise _NotPlain  # a duplicate key: the full reader says where
                child = (*loc, key)
                src.keys[child] = (k.start_mark.line + 1, k.start_mark.column + 1)
                src.values[child] = (v.start_mark.line + 1, v.start_mark.column + 1)
                out[key] = plain(v, child)
            return out
        if isinstance(node, SequenceNode):
            if tag_of(node) != _YAML + "seq":
                raise _NotPlain
            items = []
            for i, v in enumerate(node.value):
                child = (*loc, i)
                src.values[child] = (v.start_mark.line + 1, v.start_mark.column + 1)
                items.append(plain(v, child))
            return items
        return scalar(node)

    src.values[()] = (root.start_mark.line + 1, root.start_mark.column + 1)
    src.data = plain(root, ())
    return src


class _Constructor(RoundTripConstructor):
    """The round-trip reader, with timestamps kept as the text written: no
    field holds a date, and an impossible one (2024-02-30) must not stop it."""


def _timestamp_text(constructor: RoundTripConstructor, node: ScalarNode) -> str:
    return str(node.value)


_Constructor.add_constructor(_YAML + "timestamp", _timestamp_text)


def _read_full_yaml(path: str, text: str) -> Source:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except RecursionError:
        raise DefinitionError([Problem(path, 1, 1, "the file nests lists or mappings too deeply")]) from None
    except (MarkedYAMLError, ReaderError) as e:
        raise DefinitionError([_yaml_problem(path, text, e)]) from None
    except YAMLError as e:  # pragma: no cover - ruamel raises marked errors for syntax
        raise DefinitionError([Problem(path, 1, 1, f"not valid YAML: {e}")]) from None
    src = Source(path=path, text=text, data=None)
    try:
        src.data = _plain(doc, (), src)
    except RecursionError:
        raise DefinitionError([Problem(path, 1, 1, "the file nests lists or mappings too deeply")]) from None
    if doc is not None and not isinstance(doc, CommentedMap | CommentedSeq):
        src.values[()] = (1, 1)
    return src


_VALUE_START = re.compile(r"^(\s*(?:-\s+)?[^\s:#][^:#]*:\s+)(\S)")


def _flow_depth(text: str) -> int:
    """Deepest nesting of brackets, counted naively (quotes are not skipped)."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return 0
    depth = deepest = 0
    for ch in re.sub(r"[^\[\]{}]+", "", text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _yaml_special(e: MarkedYAMLError, text: str) -> tuple[int, int, str] | None:
    """Common mistakes whose YAML error points somewhere unhelpful: a text that
    starts with `{`, `[` or a quote but goes on after it, an unclosed quote or
    bracket, a text starting with `*`, `@` or a backquote."""
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    pm, cm = e.problem_mark, e.context_mark
    lines = text.splitlines()
    if "quoted scalar" in context and cm is not None and "end of stream" in problem:
        quote = lines[cm.line][cm.column : cm.column + 1] if cm.line < len(lines) else '"'
        return cm.line + 1, cm.column + 1, f"this {quote} is never closed: end the text with {quote}"
    if pm is None or pm.line >= len(lines):
        return None
    line_text = lines[pm.line]
    m = _VALUE_START.match(line_text)
    if m and "expected <block end>, but found '<scalar>'" in problem:
        first = m.group(2)
        if first in "{[\"'" and pm.column > m.end(2) - 1:
            col = m.end(1) + 1
            if first == "{":
                message = 'a text that starts with { must be quoted as a whole, like: text: "{nps} is your score"'
            elif first == "[":
                message = 'a text that starts with [ must be quoted as a whole, like: text: "[Optional] Tell us more"'
            elif first == "'":
                message = (
                    "the text is quoted only up to the next '; write '' for an apostrophe inside "
                    "'…', or use double quotes, like: text: \"You're here\""
                )
            else:
                message = (
                    'the text is quoted only up to the next "; quote it as a whole with single '
                    "quotes, like: text: 'You said \"yes\" to {nps}'"
                )
            return pm.line + 1, col, message
    if ("flow sequence" in context or "flow mapping" in context) and cm is not None:
        opener = "[" if "sequence" in context else "{"
        closer = "]" if opener == "[" else "}"
        return pm.line + 1, pm.column + 1, (
            f"the {opener} on line {cm.line + 1} is not closed by {closer} before this point "
            f"(or an item inside it contains ': ' and needs quotes)"
        )
    if "undefined alias" in problem or "cannot start any token" in problem:
        ch = line_text[pm.column : pm.column + 1]
        if ch in "*@`":
            return pm.line + 1, pm.column + 1, (
                f"a text cannot start with {ch} in YAML; put it in quotes, like: text: \"{ch}…\""
            )
    return None


def _yaml_message(e: MarkedYAMLError) -> str:
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    if "found duplicate key" in problem or "duplicate key" in (context + problem):
        m = re.search(r'duplicate key "?([^"\s]+)"?', problem + " " + context)
        name = m.group(1) if m else ""
        return f"key '{name}' appears twice in the same mapping" if name else "a key appears twice"
    if "found character '\\t'" in problem or "\\t" in problem:
        return "tab character: YAML indentation must use spaces"
    if "mapping values are not allowed" in problem:
        return (
            "unexpected ':' here; if the text contains ': ', put it in quotes "
            "(text: \"Question: like this\")"
        )
    if "could not find expected ':'" in problem:
        return "expected 'key: value' here (a missing ':' or a wrong indentation)"
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return "wrong indentation: this line does not line up with the keys around it"
    if "found undefined alias" in problem:
        return f"YAML syntax: {problem}"
    message = problem or context or "not valid YAML"
    return f"YAML syntax: {message}"


#: YAML's own tags that only restate a plain type (`!!str 5` is the text "5").
_PLAIN_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None) if tag is not None else None
    return value if isinstance(value, str) else None


def _plain(node: Any, loc: Loc, src: Source) -> Any:
    """Turn ruamel's commented nodes into plain Python, recording positions."""
    src.nodes += 1
    if src.nodes > MAX_NODES:
        raise DefinitionError([_too_many(src, loc)])
    tag = _tag(node)
    if tag and tag not in _PLAIN_TAGS:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        src.problems.setdefault(loc, f"YAML tag '{shown}' is not allowed in a definition file; remove it")
    if isinstance(node, TaggedScalar):
        value = node.value
        if tag == "tag:yaml.org,2002:str" or not isinstance(value, str):
            return str(value) if value is not None else None
        return value
    if isinstance(node, CommentedMap):
        if loc == ():
            src.values[()] = (node.lc.line + 1, node.lc.col + 1)
        out: dict[Any, Any] = {}
        for k, v in node.items():
            key = _scalar(k)
            if not isinstance(key, str | int | float | bool) and key is not None:
                # `? [a, b]`: a list or mapping used as a key
                where = (*loc, "?")
                try:
                    kl, kc = node.lc.key(k)
                    src.keys[where] = (kl + 1, kc + 1)
                except (KeyError, TypeError, AttributeError):
                    pass
                src.problems.setdefault(where, "a key must be a single word (like id or text), not a list or mapping")
                continue
            # a number, true/false or null as a key is located like a word
            child = cast(Loc, (*loc, key))
            try:
                kl, kc = node.lc.key(k)
                src.keys[child] = (kl + 1, kc + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            try:
                vl, vc = node.lc.value(k)
                src.values[child] = (vl + 1, vc + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            out[key] = _plain(v, child, src)
        return out
    if isinstance(node, CommentedSeq):
        if loc == ():
            src.values[()] = (node.lc.line + 1, node.lc.col + 1)
        items = []
        for i, v in enumerate(node):
            child = (*loc, i)
            try:
                il, ic = node.lc.item(i)
                src.values[child] = (il + 1, ic + 1)
            except (KeyError, TypeError, AttributeError, IndexError):
                pass
            items.append(_plain(v, child, src))
        return items
    value = _scalar(node)
    if not isinstance(value, str | int | float | bool) and value is not None:
        # `!!binary`, `!!set`: YAML types no definition holds
        kind = type(value).__name__
        for base, name in ((bytes, "!!binary"), (AbstractSet, "!!set")):
            if isinstance(value, base):
                kind = name
        src.problems.setdefault(
            loc, f"a YAML {kind} value is not allowed in a definition file; write text, a number, a list or a mapping"
        )
        return None
    return value


def _too_many(src: Source, loc: Loc) -> Problem:
    line, col = src.position(loc)
    return Problem(
        src.path, line, col, f"the file holds too many values (more than {MAX_NODES:,}, counting YAML aliases *…)"
    )


def _scalar(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, date):
        # `text: 2024-05-01` is read by YAML as a date; no field holds dates, so
        # keep what was written.
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    return v


def _read_toml(path: str, text: str) -> Source:
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise DefinitionError([Problem(path, 1, 1, "the file nests lists or tables too deeply")]) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        lines = text.splitlines()
        here = lines[line - 1][col - 1 : col] if 0 < line <= len(lines) else ""
        msg = msg[:1].lower() + msg[1:]
        if msg == "invalid value" and here.isalpha():
            msg += '; text must be in double quotes, like title = "How was your visit?"'
        raise DefinitionError([Problem(path, line, col, f"TOML syntax: {msg}")]) from None
    src = Source(path=path, text=text, data=data)
    lines = src.lines
    where = _toml_key_lines(lines)

    def walk(node: Any, loc: Loc, start: int) -> int | None:
        """Record positions under `node`, searching from line `start`; return
        the first line where one of its keys was found."""
        first: int | None = None
        if isinstance(node, dict):
            for k, v in node.items():
                child = (*loc, k)
                found = where.get(str(k), [])
                n = bisect.bisect_left(found, start)
                if n < len(found):
                    i = found[n]
                    col = len(lines[i]) - len(lines[i].lstrip()) + 1
                    src.keys[child] = (i + 1, col)
                    src.values[child] = (i + 1, col)
                    first = i if first is None else min(first, i)
                    walk(v, child, i)
                else:
                    walk(v, child, start)
        elif isinstance(node, list):
            # Items (`[[questions]]` tables) follow each other: search each one
            # after where the previous one was found.
            cursor = start
            for i, v in enumerate(node):
                found_at = walk(v, (*loc, i), cursor)
                if found_at is not None:
                    src.values.setdefault((*loc, i), (found_at + 1, 1))
                    first = found_at if first is None else min(first, found_at)
                    cursor = found_at + 1
        return first

    try:
        walk(data, (), 0)
    except RecursionError:
        raise DefinitionError([Problem(path, 1, 1, "the file nests lists or tables too deeply")]) from None
    src.values.setdefault((), (1, 1))
    return src


_TOML_LINE_START = re.compile(r"\s*(?:\[+\s*)?")
_TOML_PREFIX = re.compile(r"[\w.\"-]*")


def _toml_key_lines(lines: list[str]) -> dict[str, list[int]]:
    """For every key name, the (sorted) lines that define it: `key = …`,
    `a.b.key = …`, `[key]`, `[[a.key]]`. One pass over the text, so that
    finding a key's line is a binary search, not a scan of the file per key."""
    out: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        start = _TOML_LINE_START.match(line)
        rest = line[start.end() :] if start else line
        ends = [j for j in (rest.find("="), rest.find("]")) if j >= 0]
        if not ends:
            continue
        head = rest[: min(ends)].rstrip()
        if not head:
            continue
        names = [head]
        prefix = _TOML_PREFIX.match(head)
        dotted = head[: prefix.end()] if prefix else ""
        names += [head[d + 1 :] for d, ch in enumerate(dotted) if ch == "."]
        for name in names:
            variants = {name}
            if name.startswith('"'):
                variants.add(name[1:])
            if name.endswith('"'):
                variants |= {v[:-1] for v in list(variants) if v.endswith('"')}
            for v in variants:
                if v:
                    found = out.setdefault(v, [])
                    if not found or found[-1] != i:
                        found.append(i)
    return out
