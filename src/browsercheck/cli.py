"""The ``browsercheck`` command.

``main(argv)`` returns the exit code, so tests and scripts can call it without a subprocess. The
codes, the same for every command (the README has this table):

===  =====================================================================================
0    done: verdicts, a notice (or the word that a browser gets none), a report, valid policies
1    ``policy validate`` only: a policy file has problems (the answer is "no")
2    a usage error or bad input: an unknown option, a policy, log or log format that cannot
     be used (named in the message), a log with no line in the format, a table of counts
     that cannot be used, a Dask scheduler that cannot be reached, a URL that cannot be
     read, an extra that is not installed
3    the work could not be done: an audit worker failed or was killed, or a part of a Dask
     audit was lost with its workers; ``data update`` could not fetch or check the data
     (the data in use stays)
130  interrupted (Ctrl-C)
141  the reader of the output went away (``| head``), as for a program stopped by SIGPIPE
===  =====================================================================================
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from ._checker import Checker
from ._errors import AuditWorkerError, BrowsercheckError, PolicyError
from ._model import Status, Verdict
from ._visible import visible
from .notice import Notice

DEFAULT_REGISTRY = "https://registry.npmjs.org"

OK = 0
NO = 1
BAD_INPUT = 2
FAILED = 3
INTERRUPTED = 130
BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (see the table above)."""
    try:
        code = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except KeyboardInterrupt:  # workers are stopped on the way out (finally blocks)
        print("browsercheck: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE


def _silence_stdout() -> None:
    """Python's advice for a closed pipe: stdout to /dev/null, so that the flush at exit says nothing."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (tests capture it)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "policy" and args.policy_command == "show":
        return _show(args)
    if args.command == "policy" and args.policy_command == "suggest":
        return _suggest(args)
    if args.command == "policy":
        return _validate(args.files)
    if args.command == "data":
        return _data_update(args)
    if args.command == "notice":
        return _notice(args)
    if args.command == "audit":
        return _audit(args)
    parser.print_help(sys.stderr)
    return BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="browsercheck",
        description="Judge browsers by their User-Agent against a support policy.",
    )
    parser.add_argument("--version", action=_VersionAction, help="show the package's and its data's versions, and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="judge User-Agent strings",
        description="Judge User-Agent strings against a policy. '-' reads one User-Agent a line from standard input.",
    )
    check.add_argument("user_agents", nargs="+", metavar="USER_AGENT", help="a User-Agent, or - for stdin")
    check.add_argument("--policy", metavar="FILE", help="policy file (default: the shipped Baseline policy)")
    check.add_argument("--json", action="store_true", help="one JSON object a line, with the notice")
    check.add_argument("--lang", metavar="LOCALE", help="notice language (default: the policy's, else English)")
    check.add_argument("--site", metavar="NAME", help="the site's name in the notice (default: the policy's)")
    check.add_argument(
        "--header",
        "-H",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help='a request header sent along, e.g. Client Hints: -H \'Sec-CH-UA: "Brave";v="137"\' (repeatable)',
    )

    notice = commands.add_parser(
        "notice",
        help="preview the notice",
        description="Print the notice a visitor would see, for a sample browser of a status or a real User-Agent.",
    )
    which = notice.add_mutually_exclusive_group()
    which.add_argument("--status", choices=sorted(SAMPLES), default="outdated", help="a sample browser of this status")
    which.add_argument("--user-agent", "--ua", metavar="UA", help="a real User-Agent instead of a sample")
    notice.add_argument("--lang", metavar="LOCALE", help="notice language (default: the policy's, else English)")
    notice.add_argument("--site", metavar="NAME", help="the site's name (default: the policy's)")
    notice.add_argument("--format", choices=("text", "html", "json"), default="text")
    notice.add_argument("--policy", metavar="FILE", help="policy file (default: the shipped Baseline policy)")
    notice.add_argument("--dismiss-url", metavar="URL", help="render a dismiss button posting to this URL")

    audit = commands.add_parser(
        "audit",
        help="audit web-server access logs",
        description="Who visits with which browser, and what the policy does to them: counts every line, "
        "judges each distinct User-Agent once. Exit 0 done, 2 a bad option, policy or log (named), "
        "3 a worker process failed.",
    )
    audit.add_argument("logs", nargs="+", metavar="LOG", help="access logs (plain, .gz, .bz2, .xz), or - for stdin")
    audit.add_argument("--policy", metavar="FILE", help="policy file (default: the shipped Baseline policy)")
    audit.add_argument("--compare", metavar="FILE", help="a second policy: what would change under it")
    audit.add_argument("--format", choices=("text", "json", "csv", "markdown", "html"), default="text")
    audit.add_argument(
        "--log-format",
        default="combined",
        metavar="FORMAT",
        help="combined (default), an nginx log_format template, 'regex:' with named groups ua (addr, time), json, "
        "w3c (IIS), cloudfront, alb, haproxy, caddy or traefik",
    )
    audit.add_argument("--ua-field", metavar="NAME", help="the User-Agent field of JSON lines (dotted path)")
    audit.add_argument("--addr-field", metavar="NAME", help="the client address field of JSON lines (dotted path)")
    audit.add_argument("--time-field", metavar="NAME", help="the time field of JSON lines (dotted path)")
    audit.add_argument(
        "--top",
        type=int,
        default=10,
        metavar="N",
        help="rows of each table: browsers, status changes, User-Agents per status (default 10)",
    )
    audit.add_argument("--workers", type=int, metavar="N", help="processes that count (default: one per core)")
    audit.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")
    audit.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="count and judge on a Dask cluster: its scheduler (tcp://host:8786), or 'local' for one on this"
        " machine; LOGs may then be fsspec URLs (s3://bucket/logs/*.gz)",
    )
    audit.add_argument(
        "--counts",
        action="store_true",
        help="the LOGs are tables of counts per User-Agent (CSV, JSON lines, Parquet) with columns user_agent,"
        " requests and optionally visitors, as a SQL engine makes them",
    )

    policy = commands.add_parser("policy", help="work with policy files")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    validate = policy_commands.add_parser(
        "validate",
        help="report every problem in policy files",
        description="Report every problem in policy files, with line and field. Exit 0 all valid, 1 if any problem.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    _add_show_and_data(policy_commands, commands)
    _add_suggest(policy_commands)
    return parser


def _add_suggest(policy_commands: Any) -> None:
    suggest = policy_commands.add_parser(
        "suggest",
        help="the tightest policy that notifies at most a share of a log's people",
        description="Audit access logs and print the policy with the highest minimum version per browser of the "
        "base policy under which at most --notify-at-most of the people (visitors that are not bots) would be "
        "shown the notice (outdated or unsupported), with the share each rule notifies. Exit 2 for a share "
        "outside 0-100%, a log with no people, or a policy, log or format that cannot be used.",
    )
    suggest.add_argument("logs", nargs="+", metavar="LOG", help="access logs (plain, .gz, .bz2, .xz), or - for stdin")
    suggest.add_argument("--notify-at-most", required=True, metavar="SHARE", help="a percentage, such as 2%%")
    suggest.add_argument("--base", metavar="POLICY", help="the policy to start from (default: the shipped one)")
    suggest.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day to evaluate the base's query for")
    suggest.add_argument("--format", choices=("yaml", "json"), default="yaml")
    suggest.add_argument("--log-format", default="combined", metavar="FORMAT", help="as for audit")
    suggest.add_argument("--ua-field", metavar="NAME", help="as for audit")
    suggest.add_argument("--addr-field", metavar="NAME", help="as for audit")
    suggest.add_argument("--time-field", metavar="NAME", help="as for audit")
    suggest.add_argument("--workers", type=int, metavar="N", help="as for audit")


def _suggest(args: argparse.Namespace) -> int:
    from .audit._suggest import SuggestError, parse_share, suggest_logs

    try:
        target = parse_share(args.notify_at_most)
        suggestion = suggest_logs(
            args.logs,
            target,
            args.base,
            date=args.date,
            log_format=args.log_format,
            ua_field=args.ua_field,
            workers=args.workers,
            addr_field=args.addr_field,
            time_field=args.time_field,
        )
    except AuditWorkerError as e:
        print(f"browsercheck policy suggest: error: {e}", file=sys.stderr)
        return FAILED
    except (BrowsercheckError, ValueError, SuggestError) as e:
        print(f"browsercheck policy suggest: error: {e}", file=sys.stderr)
        return BAD_INPUT
    sys.stdout.write(suggestion.to_json() if args.format == "json" else suggestion.to_yaml())
    return OK


def _add_show_and_data(policy_commands: Any, commands: Any) -> None:
    show = policy_commands.add_parser(
        "show",
        help="print a policy's rules, its query evaluated for a day",
        description="Print the minimum version of each browser the policy judges, its browserslist query "
        "evaluated for --date (default: today, UTC). Exit 2 if the policy cannot be used.",
    )
    show.add_argument("policy", nargs="?", metavar="POLICY", help="policy file (default: the shipped Baseline policy)")
    show.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day to evaluate the query for")
    show.add_argument("--json", action="store_true", help='{"name", "date", "data", "minimums"} as JSON')

    data = commands.add_parser("data", help="the browser data queries are evaluated on")
    data_commands = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    update = data_commands.add_parser(
        "update",
        help="download the newest baseline-browser-mapping and caniuse-lite",
        description="Download the newest baseline-browser-mapping and caniuse-lite from the npm registry, check "
        "their integrity hashes, convert them and store them in the user's cache directory, where they take "
        "precedence over the data shipped with browsercheck. Exit 3 if that fails (the data in use stays).",
    )
    update.add_argument("--registry", default=DEFAULT_REGISTRY, metavar="URL", help=f"(default: {DEFAULT_REGISTRY})")


class _VersionAction(argparse.Action):
    """``--version``: browsercheck's version and the versions of the data its answers come from
    (looked up only when asked, so that every other command starts without reading metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        sys.stdout.write(version_text())
        parser.exit()


def version_text() -> str:
    """What ``--version`` prints: the package, then each source of data with what it supplies."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__
    from ._browserdata import browser_data

    lines = [f"browsercheck {__version__}"]
    for package, supplies in DATA_PACKAGES:
        try:
            lines.append(f"{package} {version(package)} ({supplies})")
        except PackageNotFoundError:
            lines.append(f"{package} not installed ({supplies})")
    data = browser_data()  # shipped with browsercheck, or newer from `browsercheck data update`
    for source in data.sources.values():
        lines.append(
            f"{source.package} {source.version} of {source.date.isoformat()} (browser releases, {data.origin})"
        )
    return "\n".join(lines) + "\n"


# The installed packages whose data decides browsercheck's answers.
DATA_PACKAGES = (
    ("ua-parser-builtins", "browser and OS rules"),
    ("crawlerdetect", "bot patterns"),
)


# What `browsercheck notice --status` shows: a browser of that status that none of the default
# recommendations is, so that the preview has the original notice's "switch to" advice.
SAMPLES = {
    "outdated": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Safari/605.1.15",
    "unsupported": "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
}


def _checker(policy: str | None) -> Checker | None:
    try:
        return Checker(policy)
    except PolicyError as e:
        print(e, file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    checker = _checker(args.policy)
    if checker is None:
        return BAD_INPUT
    headers = {}
    for header in args.header:
        name, colon, value = header.partition(":")
        if not colon or not name.strip():
            print(f"browsercheck check: error: --header needs 'Name: value', got {header!r}", file=sys.stderr)
            return BAD_INPUT
        headers[name.strip()] = value.strip()
    _say_language(args.lang, checker)
    out = sys.stdout
    for ua in _user_agents(args.user_agents, sys.stdin):
        verdict = checker.check(ua, headers=headers) if headers else checker.check(ua)
        notice = verdict.notice(args.lang, site=args.site)
        if args.json:
            row = {"user_agent": ua, **verdict.to_dict(), "notice": notice.to_dict() if notice else None}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            _write_readable(out, ua, verdict, notice)
    return OK


def _notice(args: argparse.Namespace) -> int:
    checker = _checker(args.policy)
    if checker is None:
        return BAD_INPUT
    _say_language(args.lang, checker)
    verdict = checker.check(args.user_agent if args.user_agent is not None else SAMPLES[args.status])
    notice = verdict.notice(args.lang, site=args.site, dismiss_url=args.dismiss_url)
    if notice is None:  # an answer, not an error: this browser is shown nothing
        message = _no_notice(verdict)
        if args.format == "json":
            print("null")
        print(message, file=sys.stdout if args.format == "text" else sys.stderr)
        return OK
    if args.format == "json":
        print(json.dumps(notice.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "html":
        sys.stdout.write(_preview_page(notice))
    else:
        print(notice.title + "\n\n" + notice.text)
    return OK


def _no_notice(verdict: Verdict) -> str:
    label = visible(verdict.client.label)
    if verdict.status is Status.BOT:
        return f"no notice: {label} is a bot (a crawler, link preview or HTTP client), and bots are never shown one"
    if verdict.status is Status.SUPPORTED:
        return f"no notice: {label} is supported by the policy ({verdict.policy.name}), so it is shown none"
    return f"no notice: {label} is not a browser the policy knows, and the policy shows unknown browsers none"


def _say_language(lang: str | None, checker: Checker) -> None:
    """On stderr, when ``--lang`` names a language without a catalog: which one the notice uses.
    (The library falls back the same way, silently: a visitor's header is not an error.)"""
    if lang is None:
        return
    from .notice import default_catalogs
    from .notice._messages import SOURCE_LOCALE
    from .notice._negotiate import negotiate

    locales = default_catalogs().locales
    if negotiate(lang, locales, default="") == "":
        site_locale = checker.policy.site.locale
        used = site_locale if site_locale in locales else SOURCE_LOCALE
        print(
            f"browsercheck: no notice catalog for {lang!r}: the notice is in {used!r} "
            f"(catalogs: {', '.join(sorted(locales))})",
            file=sys.stderr,
        )


def _preview_page(notice: Notice) -> str:
    title = html.escape(notice.title)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(notice.locale)}" dir="{notice.direction}">\n'
        f'<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n{notice.style}</head>\n<body>\n{notice.region}"
        # the page around the notice is the preview's own, in English whatever the notice's language
        '<main lang="en" dir="ltr">\n<h1>browsercheck</h1>\n'
        "<p>The notice above is what a visitor would see at the top of each page.</p>\n</main>\n</body>\n</html>\n"
    )


def _user_agents(arguments: Sequence[str], stdin: TextIO) -> Iterator[str]:
    for argument in arguments:
        if argument == "-":
            # one line in, one verdict out: a blank line is an empty User-Agent, not skipped
            for line in stdin:
                yield line.rstrip("\r\n")
        else:
            yield argument


def _write_readable(out: TextIO, ua: str, verdict: Verdict, notice: Notice | None) -> None:
    client = verdict.client
    out.write(f"{verdict.status.value}: {visible(client.label)}\n")  # both as sent: no terminal escapes
    out.write(f"  user agent: {visible(ua)}\n")
    if client.engine:
        out.write(f"  engine:     {client.engine} {client.engine_version or ''}".rstrip() + "\n")
    out.write(f"  device:     {client.device.value}\n")
    if client.frozen:
        out.write(f"  frozen:     {', '.join(sorted(client.frozen))} (the real value may be higher)\n")
    if client.from_hints:
        out.write(f"  from hints: {', '.join(sorted(client.from_hints))}\n")
    out.write(f"  policy:     {verdict.policy.name}" + (f" (rule: {verdict.rule})" if verdict.rule else "") + "\n")
    for reason in verdict.reasons:
        out.write(f"  - {reason}\n")
    if notice is not None:
        body = "\n".join("  | " + line if line else "  |" for line in notice.text.splitlines())
        out.write(f"  notice ({notice.locale}):\n  | {notice.title}\n  |\n{body}\n")


def _audit(args: argparse.Namespace) -> int:
    from .audit._audit import audit, progress_bar

    if args.top < 0:
        print(f"browsercheck audit: error: --top must be 0 or more, got {args.top}", file=sys.stderr)
        return BAD_INPUT
    show_progress = not args.no_progress and sys.stderr.isatty()
    try:
        report = audit(
            args.logs,
            args.policy,
            compare=args.compare,
            log_format=args.log_format,
            ua_field=args.ua_field,
            workers=args.workers,
            progress=progress_bar() if show_progress and not (args.dask or args.counts) else None,
            counts=args.counts,
            dask=args.dask,
            addr_field=args.addr_field,
            time_field=args.time_field,
            by_day=args.format == "html",  # its chart of people per status per day
        )
    except AuditWorkerError as e:  # a worker process failed or died: the numbers would be incomplete
        print(f"browsercheck audit: error: {e}", file=sys.stderr)
        return FAILED
    except (BrowsercheckError, ValueError) as e:  # a policy, log format or log that cannot be used
        print(f"browsercheck audit: error: {e}", file=sys.stderr)
        return BAD_INPUT
    finally:
        if show_progress:
            sys.stderr.write("\n")
    for note in report.notes:
        print(f"browsercheck audit: {note}", file=sys.stderr)
    if report.requests == 0 and args.counts:
        print("browsercheck audit: the tables count no request", file=sys.stderr)
        return BAD_INPUT
    if report.requests == 0:
        print(
            f"browsercheck audit: no line could be read as {args.log_format!r} ({report.lines:,} lines)",
            file=sys.stderr,
        )
        if report.malformed_examples and all(_looks_common(e) for e in report.malformed_examples):
            print("  these look like the 'common' log format, which has no User-Agent", file=sys.stderr)
        if args.log_format == "json" and not args.ua_field:  # a stream: its fields could not be looked at first
            print("  none had a User-Agent field of a usual name: name it with --ua-field", file=sys.stderr)
        for example in report.malformed_examples:
            print(f"  {visible(example)}", file=sys.stderr)
        return BAD_INPUT
    forms = {
        "text": report.to_text,
        "json": report.to_json,
        "csv": report.to_csv,
        "markdown": report.to_markdown,
        "html": report.to_html,
    }
    sys.stdout.write(forms[args.format](args.top))
    return OK


def _looks_common(line: str) -> bool:
    """A "common" line: address, identity, user, [time], "request", status, size; no User-Agent."""
    head, _, tail = line.rpartition('" ')
    return bool(head) and "[" in head and all(part.isdigit() or part == "-" for part in tail.split())


def _date(text: str) -> dt.date:
    from ._policy_loader import as_date

    try:
        day = as_date(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    assert day is not None
    return day


def _show(args: argparse.Namespace) -> int:
    from ._browserdata import DataError, browser_data
    from ._evergreen import minimums_of, today
    from ._policy_loader import load_policy

    try:
        with _staleness_said_here():
            policy = load_policy(args.policy, date=args.date)
        data = browser_data()
    except (PolicyError, DataError) as e:
        print(e, file=sys.stderr)
        return BAD_INPUT
    day = policy.date or args.date or today()
    minimums = minimums_of(policy)
    versions = dict(policy.data) or data.versions
    if args.json:
        shown = {"name": policy.name, "date": day.isoformat(), "data": versions, "minimums": minimums}
        print(json.dumps(shown, indent=2))
    else:
        print(policy.name)
        print(f"  evaluated for {day.isoformat()} on " + ", ".join(f"{k} {v}" for k, v in versions.items()))
        if policy.query is not None:
            print("  browserslist: " + ", ".join(policy.query.queries))
        for key, minimum in minimums.items():
            text = "never (unsupported)" if minimum is False else "every version" if minimum is True else minimum
            print(f"  {key:<24} {text}")
    if policy.query is not None and (warning := data.staleness(day)):
        print(f"warning: {warning}", file=sys.stderr)
    return OK


@contextlib.contextmanager
def _staleness_said_here() -> Iterator[None]:
    """Keep the loader's logged staleness warning quiet while a command prints its own."""

    def not_staleness(record: logging.LogRecord) -> bool:
        return "run `browsercheck data update`" not in record.getMessage()

    logger = logging.getLogger("browsercheck")
    logger.addFilter(not_staleness)
    try:
        yield
    finally:
        logger.removeFilter(not_staleness)


def _data_update(args: argparse.Namespace) -> int:
    from ._dataupdate import UpdateError, update

    try:
        message = update(args.registry)
    except UpdateError as e:
        print(f"browsercheck data update: error: {e}", file=sys.stderr)
        return FAILED
    print(message)
    return OK


def _validate(files: Sequence[str]) -> int:
    from ._policy_loader import load_policy

    failed = False
    for file in files:
        try:
            with _staleness_said_here():
                policy = load_policy(file)
        except PolicyError as e:
            failed = True
            print(e, file=sys.stdout)
        else:
            count = len(policy.browsers)
            print(f"{file}: ok ({policy.name!r}, {count} browser rule{'s' if count != 1 else ''})")
            if policy.query is not None and policy.date is not None:
                from ._browserdata import browser_data

                if warning := browser_data().staleness(policy.date):
                    print(f"{file}: warning: {warning}")
    return NO if failed else OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
