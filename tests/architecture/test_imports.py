"""The project's modules import each other in one direction: no import cycle, not even one dodged by
importing inside a function, and the archive layer (static_export/archive/) imports nothing that
needs Django's models or database."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["benchmarks", "case_studies", "cms", "resources", "search", "site_pages", "static_export"]


def project_modules():
    """{module name: path} of every module of the project (migrations and tests aside)."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imports(name, path, modules):
    """The project modules ``name`` imports, anywhere in it (a function-level import counts)."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return trail[trail.index(imported) :] + [imported]
            if imported not in state and (cycle := visit(imported, trail + [imported])):
                return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def import_graph():
    modules = project_modules()
    return {name: imports(name, path, modules) for name, path in modules.items()}


def test_no_module_imports_itself_back_through_others():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_archive_layer_imports_only_itself_and_no_django_models():
    graph = import_graph()
    for name, imported in graph.items():
        if name.startswith("static_export.archive"):
            outside = sorted(module for module in imported if not module.startswith("static_export.archive"))
            assert outside == [], f"{name} imports {outside}"
    for path in (ROOT / "static_export" / "archive").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needs_the_database in ("django.db", "django.apps", "wagtail", "django.template"):
            assert f"import {needs_the_database}" not in text and f"from {needs_the_database}" not in text, (
                f"{path.name} imports {needs_the_database}"
            )


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
