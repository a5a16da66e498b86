"""Reading a definition file into plain data plus the line and column of every node.

YAML (and JSON, which the YAML 1.2 reader also reads) keeps positions; TOML
positions are found by searching the text for the key, which is good enough to
point at the right line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from surveykit.definition.problems import DefinitionError, Loc, Problem

MAX_FILE_BYTES = 2_000_000


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
        p = Path(path)
        try:
            size = p.stat().st_size
            if size > MAX_FILE_BYTES:
                raise DefinitionError(
                    [Problem(shown, 1, 1, f"file is too large ({size} bytes; at most {MAX_FILE_BYTES})")]
                )
            raw = p.read_bytes()
        except FileNotFoundError:
            raise DefinitionError([Problem(shown, 1, 1, "file not found")]) from None
        except IsADirectoryError:
            raise DefinitionError([Problem(shown, 1, 1, "is a directory, not a definition file")]) from None
        except PermissionError:
            raise DefinitionError([Problem(shown, 1, 1, "cannot read the file: permission denied")]) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DefinitionError(
                [Problem(shown, line, 1, "the file is not UTF-8 text; save it as UTF-8")]
            ) from None
    if shown.lower().endswith(".toml"):
        return _read_toml(shown, text)
    return _read_yaml(shown, text)


def _read_yaml(path: str, text: str) -> Source:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise DefinitionError([Problem(path, line, col, _yaml_message(e))]) from None
    except YAMLError as e:  # pragma: no cover - ruamel raises marked errors for syntax
        raise DefinitionError([Problem(path, 1, 1, f"not valid YAML: {e}")]) from None
    src = Source(path=path, text=text, data=None)
    src.data = _plain(doc, (), src)
    if doc is not None and not isinstance(doc, CommentedMap | CommentedSeq):
        src.values[()] = (1, 1)
    return src


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


def _plain(node: Any, loc: Loc, src: Source) -> Any:
    """Turn ruamel's commented nodes into plain Python, recording positions."""
    if isinstance(node, CommentedMap):
        if loc == ():
            src.values[()] = (node.lc.line + 1, node.lc.col + 1)
        out: dict[Any, Any] = {}
        for k, v in node.items():
            key = _scalar(k)
            child = (*loc, key)
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
    return _scalar(node)


def _scalar(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    return v


def _read_toml(path: str, text: str) -> Source:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise DefinitionError([Problem(path, line, col, f"TOML syntax: {msg}")]) from None
    src = Source(path=path, text=text, data=data)
    lines = text.splitlines()

    def walk(node: Any, loc: Loc, start: int) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                child = (*loc, k)
                pat = re.compile(rf"^\s*(\[+\s*)?([\w.\"-]*\.)?\"?{re.escape(str(k))}\"?\s*[=\]]")
                for i in range(start, len(lines)):
                    if pat.search(lines[i]):
                        col = len(lines[i]) - len(lines[i].lstrip()) + 1
                        src.keys[child] = (i + 1, col)
                        src.values[child] = (i + 1, col)
                        walk(v, child, i)
                        break
                else:
                    walk(v, child, start)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*loc, i), start)

    walk(data, (), 0)
    src.values.setdefault((), (1, 1))
    return src
