"""The ``browsercheck`` command.

``main(argv)`` returns the exit code, so tests and scripts can call it without a subprocess:
0 done, 1 a policy (or input file) could not be used, 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from ._checker import Checker
from ._errors import PolicyError
from ._model import Verdict


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "policy":
        return _validate(args.files)
    parser.print_help(sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="browsercheck",
        description="Judge browsers by their User-Agent against a support policy.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="judge User-Agent strings",
        description="Judge User-Agent strings against a policy. '-' reads one User-Agent a line from standard input.",
    )
    check.add_argument("user_agents", nargs="+", metavar="USER_AGENT", help="a User-Agent, or - for stdin")
    check.add_argument("--policy", metavar="FILE", help="policy file (default: the shipped Baseline policy)")
    check.add_argument("--json", action="store_true", help="one JSON object a line")

    policy = commands.add_parser("policy", help="work with policy files")
    policy_commands = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    validate = policy_commands.add_parser(
        "validate",
        help="report every problem in policy files",
        description="Report every problem in policy files, with line and field. Exit 1 if any.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    return parser


def _check(args: argparse.Namespace) -> int:
    try:
        checker = Checker(args.policy)
    except PolicyError as e:
        print(e, file=sys.stderr)
        return 1
    out = sys.stdout
    for ua in _user_agents(args.user_agents, sys.stdin):
        verdict = checker.check(ua)
        if args.json:
            out.write(json.dumps({"user_agent": ua, **verdict.to_dict()}, ensure_ascii=False) + "\n")
        else:
            _write_readable(out, ua, verdict)
    return 0


def _user_agents(arguments: Sequence[str], stdin: TextIO) -> Iterator[str]:
    for argument in arguments:
        if argument == "-":
            # one line in, one verdict out: a blank line is an empty User-Agent, not skipped
            for line in stdin:
                yield line.rstrip("\r\n")
        else:
            yield argument


def _write_readable(out: TextIO, ua: str, verdict: Verdict) -> None:
    client = verdict.client
    out.write(f"{verdict.status.value}: {client.label}\n")
    out.write(f"  user agent: {ua}\n")
    if client.engine:
        out.write(f"  engine:     {client.engine} {client.engine_version or ''}".rstrip() + "\n")
    out.write(f"  device:     {client.device.value}\n")
    if client.frozen:
        out.write(f"  frozen:     {', '.join(sorted(client.frozen))} (the real value may be higher)\n")
    out.write(f"  policy:     {verdict.policy.name}" + (f" (rule: {verdict.rule})" if verdict.rule else "") + "\n")
    for reason in verdict.reasons:
        out.write(f"  - {reason}\n")


def _validate(files: Sequence[str]) -> int:
    from ._policy_loader import load_policy

    failed = False
    for file in files:
        try:
            policy = load_policy(file)
        except PolicyError as e:
            failed = True
            print(e, file=sys.stdout)
        else:
            count = len(policy.browsers)
            print(f"{file}: ok ({policy.name!r}, {count} browser rule{'s' if count != 1 else ''})")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
