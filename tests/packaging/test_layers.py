"""bundler/'s one import direction (docs/design.md, "Layers"): every import in
every module of the package, read with ast (module level and inside functions),
goes to the same layer or a lower one, never to a higher one; every module
belongs to a layer; and no module of the package is longer than 800 lines."""

from __future__ import annotations

import ast

import pytest

from tests.support.paths import ROOT

PACKAGE = ROOT / "bundler"

# Lowest first. A unit is a top-level module (``errors``) or a subpackage
# (``postlink``: every module under bundler/postlink/). The same table is in
# docs/design.md; change both together.
LAYERS = (
    ("shared", {"errors", "records", "fileio", "checksum", "align", "stems", "findings", "kit_path"}),
    ("elf", {"elf"}),
    ("formats", {"fit", "remoteproc"}),
    ("products", {"postlink", "prelink", "flash", "signing"}),
    ("verification", {"adapters", "checks", "loaders", "inspection", "memmap"}),
    ("api", {"api"}),
    ("cli", {"cli", "__init__", "__main__"}),
)
LEVEL = {unit: level for level, (_, units) in enumerate(LAYERS) for unit in units}
MAX_LINES = 800


def unit_of(module: str) -> str:
    """``bundler.postlink.placement`` -> ``postlink``; ``bundler`` (the package itself) -> ``__init__``."""
    parts = module.split(".")
    assert parts[0] == "bundler", module
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def is_module(dotted: str) -> bool:
    """Whether ``bundler.x.y`` names a module or package of the source tree."""
    rel = PACKAGE.parent.joinpath(*dotted.split("."))
    return rel.with_suffix(".py").is_file() or (rel / "__init__.py").is_file()


def imported_modules(source: str, module: str, is_package: bool):
    """(line, dotted module) for every import of bundler's own modules in ``source``.

    ``from bundler.x import y`` counts as ``bundler.x.y`` when that is a module,
    else as ``bundler.x``; relative imports are resolved against ``module``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "bundler":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor.pop()
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "bundler":
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                yield node.lineno, target if is_module(target) else base


def violations(source: str, module: str, is_package: bool = False):
    """The imports in ``source`` (the text of ``module``) that go to a higher layer, as messages."""
    own = LEVEL[unit_of(module)]
    for line, target in imported_modules(source, module, is_package):
        level = LEVEL.get(unit_of(target))
        if level is None:
            yield f"{module}:{line}: imports {target}, which is in no layer"
        elif level > own:
            yield (f"{module}:{line}: imports {target} (layer {LAYERS[level][0]}) from layer "
                   f"{LAYERS[own][0]}: move the shared piece down, or the caller up")


def package_files():
    return sorted(p for p in PACKAGE.rglob("*.py") if "kit" not in p.relative_to(PACKAGE).parts[:1])


def test_every_module_is_in_a_layer():
    orphans = sorted({module_name(p) for p in package_files() if unit_of(module_name(p)) not in LEVEL})
    assert not orphans, f"modules in no layer (add them to LAYERS here and in docs/design.md): {orphans}"


def test_no_import_goes_up_a_layer():
    found = []
    for path in package_files():
        module = module_name(path)
        found += violations(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module, source, expected", [
    # a lazy import inside a function counts as much as one at the top
    ("bundler.remoteproc.rsc_table", "def f():\n    from bundler.postlink import images\n",
     "bundler.remoteproc.rsc_table:2: imports bundler.postlink.images (layer products) from layer formats"),
    ("bundler.errors", "import bundler.api\n", "bundler.errors:1: imports bundler.api (layer api) from layer shared"),
    ("bundler.elf.reader", "from bundler.fit.model import parse_fit\n",
     "bundler.elf.reader:1: imports bundler.fit.model (layer formats) from layer elf"),
    ("bundler.postlink.images", "from ..checks import report\n",
     "bundler.postlink.images:1: imports bundler.checks.report (layer verification) from layer products"),
    ("bundler.checks.fit", "from bundler import api\n",
     "bundler.checks.fit:1: imports bundler.api (layer api) from layer verification"),
])
def test_an_upward_import_is_reported(module, source, expected):
    found = list(violations(source, module))
    assert len(found) == 1 and found[0].startswith(expected), found


@pytest.mark.parametrize("module, source", [
    ("bundler.cli.verify_cmd", "from bundler import api, __version__\nfrom bundler.errors import UsageError\n"),
    ("bundler.checks.fit", "from bundler.loaders import verify_firmware\nfrom bundler.postlink import images\n"),
    ("bundler.postlink.bundling", "from . import placement\nimport json\n"),
])
def test_a_downward_or_sideways_import_passes(module, source):
    assert list(violations(source, module)) == []


def test_no_module_is_longer_than_800_lines():
    long = {str(p.relative_to(ROOT)): n for p in package_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these (at most {MAX_LINES} lines a file): {long}"
