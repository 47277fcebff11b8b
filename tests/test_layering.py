"""The structure holds: the core runs without Qt, the layers point one way, no module cycles.

The layers are the import-linter contracts in pyproject.toml (``lint-imports`` runs them in
``scripts/test`` too); a cycle between two modules, even through an import made only for type
checking, is found with grimp, the graph import-linter is built on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of ``prefixes`` that a fresh Python has after ``code``."""
    report = (
        "import sys\n"
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code + report], capture_output=True, text=True, check=True
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_core_and_cli_import_no_qt():
    code = (
        "import sys, pkgutil, importlib, vrmdesk\n"
        "for top in pkgutil.iter_modules(vrmdesk.__path__, 'vrmdesk.'):\n"
        "    if top.name == 'vrmdesk.ui':\n"
        "        continue\n"
        "    package = importlib.import_module(top.name)\n"
        "    for mod in pkgutil.walk_packages(getattr(package, '__path__', []), top.name + '.'):\n"
        "        importlib.import_module(mod.name)\n"
        "import vrmdesk.cli\n"
    )
    assert loaded_after(code, ("PySide6", "shiboken6", "vrmdesk.ui.")) == []


def test_the_vendor_side_loads_no_database_library():
    # a vendor runs `vrmdesk share verify/open/keygen/reply` with a bundle and a key, no vault
    code = "import vrmdesk.cli, vrmshare.verify, vrmshare.reply\nvrmdesk.cli.build_parser()\n"
    assert loaded_after(code, ("sqlalchemy", "sqlcipher3")) == []


def imported_by_the_program(*argv: str, cwd: Path) -> list[str]:
    """Every module a fresh ``vrmdesk ARGV…`` imports (from ``-X importtime``); it must succeed."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vrmdesk", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return [line.rsplit("|", 1)[1].strip() for line in lines[1:]]  # the first is the header


DATABASE = ("sqlalchemy", "sqlcipher3", "alembic")
HEAVY = (*DATABASE, "PySide6", "shiboken6")


def heavy(modules: list[str]) -> list[str]:
    return [name for name in modules if name.split(".")[0] in HEAVY]


def test_help_and_the_vendor_commands_load_neither_the_database_nor_qt(tmp_path: Path) -> None:
    # what a vendor runs, through the real entry point: no vault, so no database library, no Qt
    from share_helpers import make_bundle

    bundle = make_bundle(tmp_path / "small.vrmshare").path
    runs = {
        "--help": ["--help"],
        "share --help": ["share", "--help"],
        "info --help": ["info", "--help"],  # a vault command imports the store when it runs
        "import mail --help": ["import", "mail", "--help"],
        "share verify": ["share", "verify", str(bundle)],
        "share verify --json": ["share", "verify", "--json", str(bundle)],
        "share open": ["share", "open", str(bundle), "--out", "opened"],
        "share keygen": ["share", "keygen", "--out", "vendor.jwk"],
        "share reply": [
            "share", "reply", "--signing-key", "vendor.jwk", "--in-reply-to", str(bundle),
            "--out", "reply.vrmshare", "--message", "Send it in",
        ],
    }  # fmt: skip
    loaded = {name: imported_by_the_program(*argv, cwd=tmp_path) for name, argv in runs.items()}
    assert "vrmshare.verify" in loaded["share verify"]  # the measure sees the command's work
    assert (tmp_path / "reply.vrmshare").is_file()
    assert {name: heavy(modules) for name, modules in loaded.items()} == {name: [] for name in runs}


def test_the_unlock_dialog_comes_before_the_database_library(vault_dir: Path, vault) -> None:  # type: ignore[no-untyped-def]
    # the dialog shows at once; SQLAlchemy loads on a worker while the person types
    start = (
        "import os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from pathlib import Path\n"
        "from vrmdesk.ui.app.application import _open_remembered, make_app\n"
        "from vrmdesk.ui.vault.unlock import UnlockDialog\n"
        "app = make_app()\n"
        f"assert _open_remembered(Path({str(vault_dir)!r})) is None\n"
        f"dialog = UnlockDialog(Path({str(vault_dir)!r}))\n"
    )
    assert loaded_after(start, DATABASE) == []
    shown = start + "dialog.show()\napp.processEvents()\nassert dialog.runner.wait()\n"
    assert "sqlalchemy" in loaded_after(shown, DATABASE)


def test_the_layer_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") >= 3


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph("vrmdesk")
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.x")
    graph.add_import(importer="a.z", imported="a.x")
    assert cycles(graph) == [["a.x", "a.y"]]
