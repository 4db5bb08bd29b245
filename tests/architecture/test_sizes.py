"""Code a newcomer can read: no module of the export over about 400 lines, no function over about 60."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LARGEST_MODULE = 400
LONGEST_FUNCTION = 60
CHECKED = ["static_export", "cms", "benchmarks", "site_pages", "resources", "case_studies", "search"]


def python_files():
    for package in CHECKED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_of_the_export_is_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "static_export").rglob("*.py")
        if (lines := path.read_text(encoding="utf-8").count("\n")) > LARGEST_MODULE
    }
    assert too_long == {}


def test_no_function_is_over_60_lines():
    too_long = {}
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > LONGEST_FUNCTION:
                    too_long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert too_long == {}
