"""The project's architecture, checked: no import cycle between modules, and no import upwards.

Run from the repository root (``make lint`` does): ``python scripts/check_imports.py [--root DIR]``.
Exit 0 when clean, 1 with a report otherwise.

Every ``import`` counts, wherever it is written: at the top of a module, inside a function (a
function-local import must not hide a cycle) or under ``if TYPE_CHECKING:`` (a dependency all the
same). Imports of other packages (django, allauth...) are ignored; so are ``tests/``,
``migrations/`` and ``conftest.py``.
"""

import ast
import sys
from pathlib import Path

PACKAGES = ("ceplus", "accounts", "structures", "beneficiaries")

# The project's architecture (README.md copies it). Each module belongs to the part whose prefix
# matches it longest, on dotted-name boundaries; it may import its own layer and the layers below.
PARTS = [
    # prefix, layer, what it holds
    ("ceplus", 0, "the kernel: settings, the email outbox, legal documents, shared helpers"),
    ("accounts", 1, "identity: accounts, addresses, consents, the record of changes"),
    ("beneficiaries", 2, "families: beneficiaries, their rules, their history"),
    ("structures", 3, "structures, managers, invitations, the member life cycle"),
    ("accounts.signup", 4, "the signup wizard"),
    ("accounts.member_area", 4, "the espace adhérent"),
    ("accounts.privacy", 4, "personal data: export, erasure, purge"),
    ("accounts.admin", 4, "the accounts' admin"),
    ("accounts.admin_actions", 4, "admin actions about accounts"),
    ("accounts.management", 4, "commands"),
    ("beneficiaries.views", 4, "Mes bénéficiaires"),
    ("beneficiaries.forms", 4, "the beneficiary form"),
    ("beneficiaries.urls", 4, ""),
    ("beneficiaries.admin", 4, "the beneficiaries' admin"),
    ("beneficiaries.campaign_views", 4, "Mettre à jour mes bénéficiaires"),
    ("beneficiaries.campaign_admin", 4, "the yearly updates in the admin"),
    ("beneficiaries.entitled_admin", 4, "the admin's page of who is entitled on a date"),
    ("beneficiaries.templatetags", 4, ""),
    ("structures.admin", 4, "the managers' workplace in the admin"),
    ("structures.imports", 4, "the import of a structure's members"),
    ("structures.templatetags", 4, ""),
    ("structures.management", 4, "commands"),
    ("ceplus.management.commands.demo", 5, "demo data"),
    ("ceplus.management.commands.seed_bench", 5, "benchmark data"),
    ("ceplus.urls", 5, "the URL configuration"),
]

IGNORED_DIRECTORIES = {"tests", "migrations"}
IGNORED_FILES = {"conftest.py"}

# One import between two of our modules: (importing module, imported module, file, line).
Import = tuple[str, str, str, int]


def collect_modules(root: Path) -> dict[str, Path]:
    """Our modules by dotted name (a package is its ``__init__.py``), tests and migrations left out."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if path.name in IGNORED_FILES or IGNORED_DIRECTORIES & set(relative.parts[:-1]):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` itself if it is one of our modules, else its longest prefix that is one."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _targets(node: ast.Import | ast.ImportFrom, module: str, path: Path, modules: dict[str, Path]):
    """The modules of ours that one import statement imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield _known(alias.name, modules)
        return
    if node.level:
        # Relative: from the module's own package, up one package per extra dot.
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if alias.name != "*" and submodule in modules else _known(base, modules)


def collect_imports(root: Path, modules: dict[str, Path]) -> tuple[list[Import], list[str]]:
    """Every import between our modules, and the files that could not be read."""
    imports: list[Import] = []
    errors: list[str] = []
    for module, path in sorted(modules.items()):
        relative = str(path.relative_to(root))
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        except (SyntaxError, UnicodeDecodeError) as error:
            errors.append(f"{relative}: cannot be parsed ({error})")
            continue
        # ast.walk goes into functions, classes and ``if`` blocks: every import counts.
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, module, path, modules):
                    if target is not None and target != module:
                        imports.append((module, target, relative, node.lineno))
    return sorted(set(imports), key=lambda i: (i[2], i[3], i[1])), errors


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (the cycles), iteratively."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowlink[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return sorted(components)


def shortest_cycle(start: str, graph: dict[str, set[str]], within: set[str]) -> list[str]:
    """The shortest path start -> ... -> start inside one component (breadth first)."""
    previous: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for successor in sorted(graph[node] & within):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if successor not in previous:
                previous[successor] = node
                queue.append(successor)
    return [start]


def cycle_problems(imports: list[Import]) -> list[str]:
    """One paragraph per import cycle: its modules, one shortest loop, and every import closing it."""
    graph: dict[str, set[str]] = {}
    for source, target, _, _ in imports:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    problems = []
    for component in strongly_connected(graph):
        members = set(component)
        loop = shortest_cycle(component[0], graph, members)
        lines = [
            f"Import cycle between {len(component)} modules: {', '.join(component)}",
            f"  for example {' -> '.join(loop)}",
            "  the imports inside it:",
        ]
        for source, target, file, line in imports:
            if source in members and target in members:
                lines.append(f"    {file}:{line}: {source} imports {target}")
        problems.append("\n".join(lines))
    return problems


def part_of(module: str) -> tuple[str, int, str] | None:
    """The part whose prefix matches ``module`` longest, on dotted-name boundaries."""
    matches = [part for part in PARTS if module == part[0] or module.startswith(part[0] + ".")]
    return max(matches, key=lambda part: len(part[0])) if matches else None


def _label(part: tuple[str, int, str]) -> str:
    prefix, layer, description = part
    return f"layer {layer}, {description.split(':')[0] or prefix}"


def layer_problems(imports: list[Import]) -> list[str]:
    """Every import from a module to a module of a higher layer (or of no part at all)."""
    problems = []
    for source, target, file, line in imports:
        source_part, target_part = part_of(source), part_of(target)
        if source_part is None or target_part is None:
            orphan = source if source_part is None else target
            problems.append(f"{file}:{line}: {orphan} belongs to no part of PARTS")
        elif target_part[1] > source_part[1]:
            problems.append(
                f"{file}:{line}: {source} ({_label(source_part)}) imports {target} (layer {target_part[1]})"
            )
    return problems


def check(root: Path) -> tuple[list[str], list[str], list[str], int, int]:
    """(unreadable files, cycles, layer violations, number of modules, number of imports)."""
    modules = collect_modules(root)
    imports, errors = collect_imports(root, modules)
    return errors, cycle_problems(imports), layer_problems(imports), len(modules), len(imports)


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    arguments = list(argv)
    if arguments[:1] == ["--root"] and len(arguments) == 2:
        root = Path(arguments[1])
    elif arguments:
        print("usage: python scripts/check_imports.py [--root DIR]", file=sys.stderr)
        return 2
    errors, cycles, layers, module_count, import_count = check(root)
    summary = f"{module_count} modules, {import_count} imports between them"
    if not (errors or cycles or layers):
        print(f"check_imports: {summary}: no cycle, no import to a higher layer.")
        return 0
    for title, problems in (
        ("Unreadable files", errors),
        ("Import cycles", cycles),
        ("Imports to a higher layer (the layers are PARTS in scripts/check_imports.py)", layers),
    ):
        if problems:
            print(f"{title} ({len(problems)}):")
            print("\n".join(problems if title == "Import cycles" else [f"  {p}" for p in problems]))
            print()
    print(f"check_imports: {summary}: {len(cycles)} cycle(s), {len(layers)} import(s) to a higher layer.")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
