"""The shape of `pipeline/` a newcomer can rely on: no import cycles, no private reaches, short modules.

Read from the source (the AST of every module, imports inside functions included), so it
holds for code paths no other test runs. Each failure names the modules and lines to fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"
MAX_LINES = 450
# The floors, top down: a module may import its own floor and those below, never one above.
# pipeline.scheduler runs stage jobs (publish, metrics) on a timer: above the stages, below the CLI.
# The studio runs stages too: its job queue (pipeline.jobs) above the scheduler, its pages above both.
FLOORS = (
    ("cli", ("pipeline.cli", "pipeline.__main__")),
    ("web", ("pipeline.web",)),
    ("jobs", ("pipeline.jobs",)),
    ("scheduler", ("pipeline.scheduler",)),
    ("stages", ("pipeline.stages",)),
)  # every other module (models, config, store, media, captions, asr, platforms, metrics, clips) is below


@dataclass(frozen=True)
class Import:
    """`importer` line `line` imports `name` (None: the module itself) from module `target`."""

    importer: str
    line: int
    target: str
    name: str | None


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Module name -> file, for every module of `package` (a folder under a sys.path root)."""
    return {module_name(p, package.parent): p for p in sorted(package.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module a `from .x import y` names."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[Import]:
    """Every import of a `pipeline` module in one file, at any depth (functions, TYPE_CHECKING, ...)."""
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    top = name.split(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == top:
                    yield Import(name, node.lineno, alias.name, None)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, is_package, node.level, node.module)
            if target.split(".")[0] != top:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:   # `from pipeline.platforms import youtube`: the submodule itself
                    yield Import(name, node.lineno, sub, None)
                else:
                    yield Import(name, node.lineno, target, alias.name)


def all_imports(known: dict[str, Path]) -> list[Import]:
    return [imp for name, path in known.items() for imp in imports(name, path, known)]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (deep packages must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    if len(comp) > 1 or node in graph[node]:
                        out.append(sorted(comp))
    return out


def import_cycles(known: dict[str, Path]) -> list[str]:
    """One message per cycle: its modules and the lines that tie them together."""
    edges: dict[str, set[str]] = {m: set() for m in known}
    lines: dict[tuple[str, str], set[int]] = {}
    for imp in all_imports(known):
        if imp.target in known and imp.target != imp.importer:
            edges[imp.importer].add(imp.target)
            lines.setdefault((imp.importer, imp.target), set()).add(imp.line)
    messages = []
    for comp in _strongly_connected(edges):
        inside = set(comp)
        ties = [f"{a}:{n} -> {b}" for a in comp for b in sorted(edges[a] & inside) for n in sorted(lines[(a, b)])]
        messages.append(f"import cycle among {', '.join(comp)}:\n    " + "\n    ".join(ties))
    return messages


def private_reaches(known: dict[str, Path]) -> list[str]:
    """`from pipeline.x import _y` (or `import pipeline.x._y`) in a module other than pipeline.x."""
    out = []
    for imp in all_imports(known):
        private = imp.name if imp.name is not None else imp.target.rsplit(".", 1)[-1]
        if private.startswith("_") and not private.startswith("__") and imp.target != imp.importer:
            out.append(f"{imp.importer}:{imp.line} imports private {private} from {imp.target}")
    return out


def attribute_reaches(known: dict[str, Path]) -> list[str]:
    """`mod._helper` where `mod` is another pipeline module, and `obj._x` where `_x` is private to
    another module (a Reader's `_seen`...).

    Private names a module defines itself (`def _x`, `self._x = ...`) may be used on any of its
    objects; `self`/`cls` are always fine, and so are names on modules outside pipeline
    (`argparse._SubParsersAction` is the standard library's business).
    """
    out = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        aliases: dict[str, str] = {}
        for imp in imports(name, path, known):
            if imp.name is None:
                aliases[imp.target.rsplit(".", 1)[-1]] = imp.target
        outside: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                local = isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("pipeline"))
                for alias in node.names:
                    if alias.asname and alias.name.rsplit(".", 1)[-1] in aliases:
                        aliases[alias.asname] = aliases[alias.name.rsplit(".", 1)[-1]]
                    if not local and not alias.name.startswith("pipeline"):
                        outside.add((alias.asname or alias.name).split(".")[0])
        own = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        own |= {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign | ast.AnnAssign)
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Attribute)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                continue
            base = node.value.id
            if base in aliases:
                out.append(f"{name}:{node.lineno} reaches {aliases[base]}.{node.attr}")
            elif base not in ("self", "cls", *outside) and node.attr not in own:
                out.append(f"{name}:{node.lineno} reaches {base}.{node.attr}, private to another module")
    return sorted(set(out), key=out.index)


def floor(module: str) -> int:
    """0 for the library floor, then stages, scheduler, cli."""
    for rank, (_name, prefixes) in enumerate(reversed(FLOORS), 1):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return 0


def upward_imports(known: dict[str, Path]) -> list[str]:
    names = ["library", *(name for name, _ in reversed(FLOORS))]
    out = []
    for imp in all_imports(known):
        if floor(imp.target) > floor(imp.importer):
            out.append(f"{imp.importer}:{imp.line} ({names[floor(imp.importer)]}) imports {imp.target} "
                       f"({names[floor(imp.target)]}, a floor above)")
    return out


def third_party_imports(known: dict[str, Path], package: str) -> list[str]:
    """Modules importing a third-party package (at any depth)."""
    out = []
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == package for a in node.names) or (
                    isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == package):
                out.append(f"{name}:{node.lineno}")
    return out


def long_modules(known: dict[str, Path]) -> list[str]:
    out = []
    for name, path in known.items():
        n = len(path.read_text().splitlines())
        if n > MAX_LINES:
            out.append(f"{name} ({path.name}) has {n} lines (at most {MAX_LINES})")
    return out


def test_no_import_cycle_inside_pipeline() -> None:
    cycles = import_cycles(modules())
    assert not cycles, "\n".join(cycles)


def test_no_private_name_imported_from_another_module() -> None:
    known = modules()
    reaches = private_reaches(known) + attribute_reaches(known)
    assert not reaches, "make these public or move them where they belong:\n" + "\n".join(reaches)


def test_no_floor_imports_a_floor_above() -> None:
    upward = upward_imports(modules())
    assert not upward, "\n".join(upward)


def test_ffmpeg_python_stays_in_media_ffmpeg() -> None:
    """ffmpeg-python is unmaintained: every use stays in one module, so it can be swapped there alone."""
    users = third_party_imports(modules(), "ffmpeg")
    assert users and all(u.startswith("pipeline.media.ffmpeg:") for u in users), users


def test_modules_stay_short() -> None:
    long = long_modules(modules())
    assert not long, "\n".join(long)


def test_the_checks_see_what_they_must(tmp_path: Path) -> None:
    """On a toy package: a cycle through an import inside a function, a relative private import,
    a private attribute reached through a module alias, and a long module are each reported."""
    pkg = tmp_path / "toy"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from toy.sub import b\n\ndef _secret():\n    return b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import _secret\n    import ffmpeg.nodes\n    return _secret\n")
    (pkg / "c.py").write_text("from toy import a as alias\n\nx = alias._secret\ny = x._hidden\n" + "\n" * MAX_LINES)
    known = modules(pkg)
    assert sorted(known) == ["toy", "toy.a", "toy.c", "toy.sub", "toy.sub.b"]
    [cycle] = import_cycles(known)
    assert "toy.a, toy.sub.b" in cycle and "toy.sub.b:2 -> toy.a" in cycle and "toy.a:1 -> toy.sub.b" in cycle
    assert private_reaches(known) == ["toy.sub.b:2 imports private _secret from toy.a"]
    assert attribute_reaches(known) == ["toy.c:3 reaches toy.a._secret",
                                        "toy.c:4 reaches x._hidden, private to another module"]
    assert long_modules(known) == [f"toy.c (c.py) has {MAX_LINES + 4} lines (at most {MAX_LINES})"]
    assert third_party_imports(known, "ffmpeg") == ["toy.sub.b:3"]
    assert [floor(m) for m in ("pipeline.clips.select", "pipeline.stages", "pipeline.stages.trailer",
                               "pipeline.stagesx", "pipeline.scheduler", "pipeline.jobs.kinds", "pipeline.web.app",
                               "pipeline.cli.clips")] == [0, 1, 1, 0, 2, 3, 4, 5]
