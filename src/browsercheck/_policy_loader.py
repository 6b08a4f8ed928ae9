"""Reading a policy file: YAML in, a `Policy` or a `PolicyError` listing every problem out.

The YAML is composed with PyYAML's safe loader into nodes, which keep their line numbers, and each
node is checked by hand: a problem is recorded with its file, line and field, and checking goes on,
so that one run reports everything that is wrong.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import string
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from types import MappingProxyType
from typing import TypeVar

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from ._browsers import ALIASES, BROWSERS, DOWNLOAD_PAGES, ENGINES, canonical_key
from ._browserslist_config import ConfigError, read_config
from ._errors import PolicyError, Problem
from ._policy import DEFAULT_RECOMMEND, OS_KEYS, Policy, Query, Rule, Site, UnknownAction
from ._policy_yaml import MAX_DEPTH as MAX_DEPTH
from ._policy_yaml import MAX_NODES as MAX_NODES
from ._policy_yaml import LimitedLoader, LimitError
from .notice._messages import MESSAGES, placeholders, required_placeholders

SCHEMA = 1
DEFAULT_SOURCE = "<default>"
_DEFAULT_RESOURCE = "data/supported_browsers.yaml"

_TOP_FIELDS = ("schema", "name", "browserslist", "browsers", "engines", "os", "unknown", "recommend", "site")
_RULE_FIELDS = ("supported", "unsupported_below")
_SITE_FIELDS = ("name", "locale", "messages", "links")
_OS_NAMES = tuple(sorted(set(OS_KEYS.values())))
_UNKNOWN_ACTIONS: tuple[UnknownAction, ...] = ("allow", "notify")
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_RULE_SHAPE = "a version specifier such as '>=125', true, false, or a mapping"
_BROWSERSLIST_SHAPE = "a browserslist query, a list of queries, 'file' or {file: PATH}"

# A policy is a page of text; a megabyte is checked before a byte of YAML is parsed (the value and
# depth limits are _policy_yaml's).
MAX_POLICY_BYTES = 1024 * 1024
MAX_DIGITS = 30  # a version number longer than this is no version (and int() refuses 4,300 digits)
_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")
_TAG = "tag:yaml.org,2002:"
_TYPE_NAMES = {
    _TAG + "str": "a string",
    _TAG + "int": "a number",
    _TAG + "float": "a number",
    _TAG + "bool": "a boolean",
    _TAG + "null": "null",
    _TAG + "map": "a mapping",
    _TAG + "seq": "a list",
}

T = TypeVar("T")


def load_policy(source: str | os.PathLike[str] | None = None, *, date: dt.date | str | None = None) -> Policy:
    """Read and validate a policy file; ``None`` loads the default policy shipped with browsercheck.

    A ``browserslist:`` query is evaluated for ``date`` (a `datetime.date` or ``"YYYY-MM-DD"``),
    else for today (UTC). Raises `PolicyError` listing every problem (with file, line and field)
    if it cannot be used.
    """
    if source is None:
        return default_policy(date=date)
    filename = os.fspath(source)
    try:
        with open(filename, "rb") as f:
            data = f.read(MAX_POLICY_BYTES + 1)
    except OSError as e:
        raise PolicyError([Problem(filename, None, "", f"cannot read: {e.strerror}")]) from None
    if len(data) > MAX_POLICY_BYTES:
        message = f"the file is larger than {MAX_POLICY_BYTES:,} bytes, the limit for a policy"
        raise PolicyError([Problem(filename, None, "", message)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        problem = Problem(filename, line, "", f"not UTF-8 text: {e.reason} at byte {e.start}")
        raise PolicyError([problem]) from None
    return parse_policy(text, filename, date=date)


def default_policy(*, date: dt.date | str | None = None) -> Policy:
    """The policy shipped inside the package: Baseline "widely available" on ``date`` (default today)."""
    from ._policy_cache import default_policy as cached  # today's: read once a day per machine

    return cached(date=date)


def read_default_policy(*, date: dt.date | str | None = None) -> Policy:
    """`default_policy`, read from its YAML (what `_policy_cache` keeps)."""
    text = resources.files("browsercheck").joinpath(_DEFAULT_RESOURCE).read_text("utf-8")
    return parse_policy(text, DEFAULT_SOURCE, date=date)


def parse_policy(text: str, filename: str = "<string>", *, date: dt.date | str | None = None) -> Policy:
    """Validate policy YAML given as text; ``filename`` names it in messages and is where
    ``browserslist: file`` looks for a ``.browserslistrc``."""
    return _Reader(filename, as_date(date)).read(text)


def as_date(value: dt.date | str | None) -> dt.date | None:
    """A date argument: a `datetime.date`, ``"YYYY-MM-DD"`` or ``None``; anything else is a ValueError naming it."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"invalid date {value!r:.40} (expected YYYY-MM-DD)")


def _type_name(node: yaml.Node) -> str:
    return _TYPE_NAMES.get(node.tag, f"a value tagged {node.tag!r}")


def _suggest(word: str, choices: Iterator[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Reader:
    def __init__(self, filename: str, date: dt.date | None = None) -> None:
        self.file = filename
        self.date = date
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, field: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(Problem(self.file, line, field, message))

    # -- document ---------------------------------------------------------------------------

    def read(self, text: str) -> Policy:
        if len(text) > MAX_POLICY_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
            message = f"the text is larger than {MAX_POLICY_BYTES:,} bytes, the limit for a policy"
            raise PolicyError([Problem(self.file, None, "", message)])
        loader = None
        try:
            loader = LimitedLoader(text)  # it reads the first characters already
            root = loader.get_single_node()
        except LimitError as e:
            line = e.problem_mark.line + 1 if e.problem_mark else None
            raise PolicyError([Problem(self.file, line, "", f"{e.problem}, the limit for a policy")]) from None
        except yaml.reader.ReaderError as e:
            # NUL, C1 controls, lone surrogates: PyYAML says where as a character position
            line = text.count("\n", 0, e.position) + 1
            message = f"invalid YAML: unacceptable character #x{e.character:04x} ({e.reason})"
            raise PolicyError([Problem(self.file, line, "", message)]) from None
        except RecursionError:  # the depth limit comes first; kept for a parser that recurses elsewhere
            raise PolicyError([Problem(self.file, None, "", "nested too deeply")]) from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else None
            raise PolicyError([Problem(self.file, line, "", f"invalid YAML: {e.problem}")]) from None
        except yaml.YAMLError as e:
            raise PolicyError([Problem(self.file, None, "", f"invalid YAML: {e}")]) from None
        finally:
            if loader is not None:
                loader.dispose()
        if root is None:
            raise PolicyError([Problem(self.file, 1, "", "the file is empty")])
        if not isinstance(root, yaml.MappingNode):
            raise PolicyError(
                [
                    Problem(
                        self.file,
                        root.start_mark.line + 1,
                        "",
                        f"expected a mapping at the top level, got {_type_name(root)}",
                    )
                ]
            )
        policy = self.policy(root)
        if policy is None or self.problems:  # policy() gives None only with problems recorded
            raise PolicyError(sorted(self.problems, key=lambda p: p.line or 0))
        return policy

    def policy(self, root: yaml.MappingNode) -> Policy | None:
        fields = dict(self.entries(root, "", _TOP_FIELDS))
        if "schema" in fields:
            node = fields["schema"]
            # the text, not int(): YAML 1.1 also reads 0x1, 0o1, 1_0 and 190:20:30 as numbers
            if not (node.tag == _TAG + "int" and isinstance(node.value, str) and node.value.strip() == str(SCHEMA)):
                shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else _type_name(node)
                self.problem(node, "schema", f"unsupported schema {shown}; this version reads schema {SCHEMA}")
        name = self.optional(fields, "name", self.string, os.path.basename(self.file))
        queries = self.optional(fields, "browserslist", self.browserslist, None)
        browsers_node = fields.get("browsers")
        browsers: dict[str, Rule] = {}
        if browsers_node is not None:
            browsers = self.rules(browsers_node, "browsers", self.browser_key)
        elif "browserslist" not in fields:
            self.problem(root, "browsers", "required field is missing (or give a browserslist query)")
        engines = self.rules(fields["engines"], "engines", self.engine_key) if "engines" in fields else {}
        os_rules = self.rules(fields["os"], "os", self.os_key) if "os" in fields else {}
        default_action: UnknownAction = "allow"
        unknown = self.optional(fields, "unknown", self.unknown_action, default_action)
        recommend = self.optional(fields, "recommend", self.recommend, DEFAULT_RECOMMEND)
        site = self.optional(fields, "site", self.site, Site())
        if recommend is not None and site is not None:
            self.check_download_pages(recommend, site, fields.get("recommend", root))
        if self.problems or name is None or unknown is None or recommend is None or site is None:
            return None
        query = None
        if queries is not None:
            line = fields["browserslist"].start_mark.line + 1
            query = Query(queries, line, name, MappingProxyType(browsers), pinned=self.date is not None)
        policy = Policy(
            name=name,
            source=self.file,
            browsers=MappingProxyType(browsers),
            engines=MappingProxyType(engines),
            os=MappingProxyType(os_rules),
            unknown=unknown,
            recommend=recommend,
            site=site,
            query=query,
        )
        return self.evaluated(policy, fields["browserslist"]) if query is not None else policy

    def evaluated(self, policy: Policy, node: yaml.Node) -> Policy | None:
        from ._browserdata import DataError
        from ._browserslist import SUPPORTED_FORMS, QueryError, Unsupported
        from ._evergreen import evaluate, today

        try:
            return evaluate(policy, self.date or today())
        except Unsupported as e:
            self.problem(node, "browserslist", f"{e}; browsercheck evaluates: {'; '.join(SUPPORTED_FORMS)}")
        except (QueryError, DataError) as e:
            self.problem(node, "browserslist", str(e))
        return None

    def browserslist(self, node: yaml.Node, path: str) -> tuple[str, ...] | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str" and node.value.strip():
            text = str(node.value).strip()
            return self.browserslist_file(node, None) if text == "file" else (text,)
        if isinstance(node, yaml.SequenceNode) and node.value:
            queries = [self.string(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
            return tuple(q for q in queries if q is not None) if None not in queries else None
        if isinstance(node, yaml.MappingNode):
            fields = dict(self.entries(node, path, ("file",)))
            if "file" in fields:
                file = self.string(fields["file"], f"{path}.file")
                return self.browserslist_file(fields["file"], file) if file is not None else None
        self.problem(node, path, f"expected {_BROWSERSLIST_SHAPE}, got {_type_name(node)}")
        return None

    def browserslist_file(self, node: yaml.Node, name: str | None) -> tuple[str, ...] | None:
        folder = "." if self.file.startswith("<") else os.path.dirname(self.file)
        try:
            return read_config(folder, name, MAX_POLICY_BYTES)
        except ConfigError as e:
            self.problem(node, "browserslist", str(e))
            return None

    def check_download_pages(self, recommend: tuple[str, ...], site: Site, node: yaml.Node) -> None:
        for key in recommend:
            if key not in site.links and key not in DOWNLOAD_PAGES:
                self.problem(node, "recommend", f"no download page is known for '{key}': add one under site.links")

    def entries(self, node: yaml.MappingNode, path: str, allowed: tuple[str, ...]) -> Iterator[tuple[str, yaml.Node]]:
        """The (key, value node) pairs of a mapping whose keys are fixed field names."""
        for key, value in self.pairs(node, path):
            if key in allowed:
                yield key, value
            else:
                self.problem(value, _join(path, key), f"unknown field '{key}'{_suggest(key, allowed)}")

    def pairs(self, node: yaml.MappingNode, path: str) -> Iterator[tuple[str, yaml.Node]]:
        """The (key, value node) pairs of a mapping; duplicate and non-string keys are problems."""
        first_line: dict[str, int] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (_TAG + "str", _TAG + "int"):
                self.problem(key_node, path, f"expected a name as key, got {_type_name(key_node)}")
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.problem(key_node, _join(path, key), f"duplicate key '{key}' (first on line {first_line[key]})")
                continue
            first_line[key] = line
            yield key, value

    def optional(
        self, fields: dict[str, yaml.Node], name: str, read: Callable[[yaml.Node, str], T | None], default: T
    ) -> T | None:
        return read(fields[name], name) if name in fields else default

    # -- values -----------------------------------------------------------------------------

    def string(self, node: yaml.Node, path: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str" and node.value.strip():
            return str(node.value).strip()
        self.problem(node, path, f"expected a non-empty string, got {_type_name(node)}")
        return None

    def unknown_action(self, node: yaml.Node, path: str) -> UnknownAction | None:
        for action in _UNKNOWN_ACTIONS:
            if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str" and node.value == action:
                return action
        shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else _type_name(node)
        self.problem(node, path, f"expected 'allow' or 'notify', got {shown}")
        return None

    def recommend(self, node: yaml.Node, path: str) -> tuple[str, ...] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, f"expected a list of browser keys, got {_type_name(node)}")
            return None
        keys: list[str] = []
        for index, item in enumerate(node.value):
            item_path = f"{path}[{index}]"
            name = self.string(item, item_path)
            if name is None:
                continue
            key = self.browser_key(name, item, item_path)
            if key is not None and key in keys:
                self.problem(item, item_path, f"'{name}' is listed twice")
            elif key is not None:
                keys.append(key)
        return tuple(keys)

    def site(self, node: yaml.Node, path: str) -> Site | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping of site settings, got {_type_name(node)}")
            return None
        fields = dict(self.entries(node, path, _SITE_FIELDS))
        name = self.optional(fields, "name", lambda n, _: self.string(n, f"{path}.name"), None)
        locale = self.optional(fields, "locale", lambda n, _: self.locale(n, f"{path}.locale"), None)
        messages = self.messages(fields["messages"], f"{path}.messages") if "messages" in fields else {}
        links = self.links(fields["links"], f"{path}.links") if "links" in fields else {}
        return Site(
            name=name,
            locale=locale,
            messages=MappingProxyType(messages or {}),
            links=MappingProxyType(links or {}),
        )

    def messages(self, node: yaml.Node, path: str) -> dict[str, Mapping[str, str]] | None:
        """``{locale: {message id: text}}``; every text keeps its message's placeholders."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping of locales to messages, got {_type_name(node)}")
            return None
        result: dict[str, Mapping[str, str]] = {}
        for locale, texts in self.pairs(node, path):
            locale_path = _join(path, locale)
            if not _LOCALE.fullmatch(locale):
                self.problem(texts, locale_path, f"invalid locale '{locale}' (expected a language tag such as 'sv')")
                continue
            if not isinstance(texts, yaml.MappingNode):
                self.problem(texts, locale_path, f"expected a mapping of message ids to texts, got {_type_name(texts)}")
                continue
            entries: dict[str, str] = {}
            for key, text_node in self.pairs(texts, locale_path):
                field = f"{locale_path}.{key}"
                if key not in MESSAGES:
                    self.problem(text_node, field, f"unknown message '{key}'{_suggest(key, tuple(MESSAGES))}")
                    continue
                text = self.string(text_node, field)
                if text is not None and self.keeps_placeholders(text, key, text_node, field):
                    entries[key] = text
            result[locale] = MappingProxyType(entries)
        return result

    def keeps_placeholders(self, text: str, key: str, node: yaml.Node, path: str) -> bool:
        try:
            found = placeholders(text)
            fancy = [f for f in string.Formatter().parse(text) if f[1] is not None and (f[2] or f[3])]
        except ValueError as e:
            self.problem(node, path, f"malformed placeholder in {text!r}: {e}")
            return False
        for _, name, spec, conversion in fancy:  # "{site!r}", "{site:>100000000}": code, not a name
            shown = "{" + (name or "") + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            self.problem(node, path, f"only plain placeholders such as {{site}} are allowed, got {shown}")
        if fancy:
            return False
        for name in sorted(n for n in found if not n.isidentifier()):  # "{site.__class__}", "{site[0]}"
            self.problem(node, path, f"only plain placeholders such as {{site}} are allowed, got {{{name}}}")
        if any(not n.isidentifier() for n in found):
            return False
        required = required_placeholders(key)
        for name in sorted(found - required):
            allowed = ", ".join("{" + n + "}" for n in sorted(required)) or "none"
            self.problem(node, path, f"unknown placeholder {{{name}}} (this message has: {allowed})")
        for name in sorted(required - found):
            self.problem(node, path, f"missing placeholder {{{name}}}")
        return found == required

    def links(self, node: yaml.Node, path: str) -> dict[str, str] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping of browser keys to URLs, got {_type_name(node)}")
            return None
        links: dict[str, str] = {}
        for name, value in self.pairs(node, path):
            field = _join(path, name)
            key = self.browser_key(name, value, field)
            url = self.string(value, field)
            if key is None or url is None:
                continue
            if not url.startswith(("https://", "http://")):
                self.problem(value, field, f"expected an http(s) URL, got '{url}'")
                continue
            links[key] = url

        return links

    def locale(self, node: yaml.Node, path: str) -> str | None:
        text = self.string(node, path)
        if text is not None and not _LOCALE.fullmatch(text):
            self.problem(node, path, f"invalid locale '{text}' (expected a language tag such as 'sv' or 'en-GB')")
            return None
        return text

    # -- rules ------------------------------------------------------------------------------

    def browser_key(self, name: str, node: yaml.Node, path: str) -> str | None:
        key = canonical_key(name)
        if key is None:
            self.problem(node, path, f"unknown browser '{name}'{_suggest(name, (*BROWSERS, *ALIASES))}")
        return key

    def engine_key(self, name: str, node: yaml.Node, path: str) -> str | None:
        if name in ENGINES:
            return name
        self.problem(node, path, f"unknown engine '{name}'{_suggest(name, tuple(sorted(ENGINES)))}")
        return None

    def os_key(self, name: str, node: yaml.Node, path: str) -> str | None:
        key = name.lower()
        if key in _OS_NAMES:
            return key
        self.problem(node, path, f"unknown operating system '{name}'{_suggest(key, _OS_NAMES)}")
        return None

    def rules(self, node: yaml.Node, path: str, key_of: Callable[[str, yaml.Node, str], str | None]) -> dict[str, Rule]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping of names to rules, got {_type_name(node)}")
            return {}
        rules: dict[str, Rule] = {}
        for name, value in self.pairs(node, path):
            field = _join(path, name)
            key = key_of(name, value, field)
            if key is None:
                continue
            if key in rules:
                self.problem(value, field, f"'{name}' is '{key}', already set on line {rules[key].line}")
                continue
            subject = key if path == "browsers" else f"{'engine' if path == 'engines' else 'os'} {key}"
            if rule := self.rule(value, field, subject):
                rules[key] = rule
        return rules

    def rule(self, node: yaml.Node, path: str, subject: str) -> Rule | None:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            fields = dict(self.entries(node, path, _RULE_FIELDS))
            supported = None
            if "supported" in fields:
                value = fields["supported"]
                if value.tag == _TAG + "bool" and value.value.lower() == "true":
                    pass  # every version meets the policy; the floor alone decides
                else:
                    supported = self.specifier(value, f"{path}.supported")
                    if supported is None:
                        return None
            floor = None
            if "unsupported_below" in fields:
                floor = self.version(fields["unsupported_below"], f"{path}.unsupported_below")
                if floor is None:
                    return None
            if not fields:
                self.problem(node, path, "expected 'supported' and/or 'unsupported_below'")
                return None
            return Rule(subject, supported, unsupported_below=floor, line=line)
        if isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "bool":
            if node.value.lower() in ("true", "yes", "on"):
                return Rule(subject, None, line=line)
            return Rule(subject, None, blocked=True, line=line)
        supported = self.specifier(node, path)
        return Rule(subject, supported, line=line) if supported is not None else None

    def specifier(self, node: yaml.Node, path: str) -> SpecifierSet | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_TAG + "str", _TAG + "int", _TAG + "float"):
            self.problem(node, path, f"expected {_RULE_SHAPE}, got {_type_name(node)}")
            return None
        # the scalar's source text, not its value: YAML would read 17.10 as the float 17.1
        text = str(node.value).strip()
        if not text:
            self.problem(node, path, "empty version specifier (write true for every version)")
            return None
        if _LONG_NUMBER.search(text):
            self.problem(node, path, f"invalid version specifier '{_cut(text)}' (a number over {MAX_DIGITS} digits)")
            return None
        if text[0].isdigit():
            text = ">=" + text  # a bare version is a minimum
        try:
            return SpecifierSet(text)
        except (InvalidSpecifier, ValueError):
            self.problem(node, path, f"invalid version specifier '{node.value}'")
            return None

    def version(self, node: yaml.Node, path: str) -> Version | None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "str", _TAG + "int", _TAG + "float"):
            text = str(node.value).strip()
            if _LONG_NUMBER.search(text):
                self.problem(node, path, f"invalid version '{_cut(text)}' (a number over {MAX_DIGITS} digits)")
                return None
            try:
                return Version(text)
            except (InvalidVersion, ValueError):
                self.problem(node, path, f"invalid version '{node.value}'")
                return None
        self.problem(node, path, f"expected a version such as '100', got {_type_name(node)}")
        return None


def _cut(text: str) -> str:
    return text if len(text) <= MAX_DIGITS else text[:MAX_DIGITS] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
