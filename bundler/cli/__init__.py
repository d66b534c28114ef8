"""bundle: carry remote-core firmware inside a host ELF image.

usage:
  bundle HOST REMOTE... -o OUT [options]     post-link: inject REMOTE images into HOST
  bundle object REMOTE -o OBJ --target T     pre-link: objcopy -I binary, done right
  bundle verify ELF [--remote FILE]...       prove the host will find its images
  bundle inspect ELF                         segments, embedded images, resource table
  bundle extract ELF --name STEM -o FILE     an embedded image back, byte for byte
  bundle hex ELF -o FILE [--format F]        Intel HEX, S-records, binary or UF2
  bundle map ELF -o FILE.svg|FILE.html       a picture of the address space (docs/map.md)
  bundle kit                                 print the directory of the C kit (linker/)

Run 'bundle COMMAND --help' for a command's options ('bundle --help' alone
shows the post-link options below this list).

exit status: 0 ok, 1 verification failed, 2 usage, 3 bad input,
4 does not fit or overlaps, 5 output error, 70 internal error (a bug: please
report it with the output of --debug).
"""

from __future__ import annotations

import sys

from bundler import __version__
from bundler.cli import fastargs
from bundler.cli.fastargs import Arg
from bundler.errors import EXIT_USAGE, BundleError, cli_text
from bundler.fileio import Interrupted

EXIT_INTERNAL = 70

# command name -> module in bundler.cli that has add_arguments(parser) and run(args) -> int
COMMANDS = {
    "object": "object_cmd",
    "verify": "verify_cmd",
    "inspect": "inspect_cmd",
    "extract": "extract_cmd",
    "hex": "hex_cmd",
    "kit": "kit_cmd",
    "map": "map_cmd",
}
DEFAULT = "bundle_cmd"


# what every command takes, as bundler.cli.fastargs tables (argparse gets them too)
COMMON = (
    Arg("--debug", action="store_true", help="show a traceback on errors"),
    Arg("-v", "--verbose", action="store_true", help="say what was done"),
)


def _parse(module_name: str, prog: str, argv: list[str]):
    """The command's module and its arguments: a command with an ARGUMENTS table is read by
    the exact-spelling parser where it can, any other command line by argparse."""
    module = __import__(f"bundler.cli.{module_name}", fromlist=["run"])
    table = getattr(module, "ARGUMENTS", None)
    if table is not None:
        args = fastargs.parse(argv, COMMON + table)
        if args is not None:
            return module, args
    return module, _parser(module, prog).parse_args(argv)


def _parser(module, prog: str):
    from bundler.cli.argparsing import make_parser
    return make_parser(module, prog, COMMON)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        if not argv or argv[0] in ("-h", "--help"):
            print(__doc__.strip())
            print()
            _parser(__import__(f"bundler.cli.{DEFAULT}", fromlist=["run"]), "bundle").print_help()
            return 0 if argv else EXIT_USAGE
        if argv[0] == "--version":
            print(f"bundle (rproc-bundle) {__version__}")
            return 0
        if argv[0] in COMMANDS:
            module, args = _parse(COMMANDS[argv[0]], f"bundle {argv[0]}", argv[1:])
        else:
            module, args = _parse(DEFAULT, "bundle", argv)
        code = module.run(args)
        sys.stdout.flush()          # a closed pipe shows here, inside the handlers below
        return code
    except BundleError as exc:
        if debug:
            import traceback
            traceback.print_exc()
        print(f"bundle: error: {exc.cli_text()}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader of our output went away (bundle inspect | head): stop quietly,
        # as a program killed by SIGPIPE would, without a second error at exit
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + 13
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = getattr(exc, "signum", 2)
        print("bundle: interrupted; no output was written", file=sys.stderr)
        return 128 + signum
    except SystemExit:
        raise
    except BaseException as exc:  # a bug: say so, in one line unless --debug
        if debug:
            import traceback
            traceback.print_exc()
        print(f"bundle: internal error: {type(exc).__name__}: {exc} "
              "(run again with --debug and report it)", file=sys.stderr)
        return EXIT_INTERNAL


def warn(message: str) -> None:
    print(f"bundle: warning: {cli_text(message)}", file=sys.stderr)


def info(args, message: str) -> None:
    if getattr(args, "verbose", False):
        print(message, file=sys.stderr)
