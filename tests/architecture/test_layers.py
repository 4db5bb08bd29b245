"""Inside static_export, dependencies point one way (DEVELOPERS.md): the archive layer, which knows only
files ← the build, which renders through Django ← incremental planning ← the one pipeline entry point ←
thin commands, tasks and admin views, which reach the export only through the pipeline."""

from .test_imports import import_graph

FRONT = "commands, tasks and admin views"
LAYERS = ["archive", "options", "build", "incremental", "pipeline", FRONT]
BUILD = {
    "api_json",
    "assets",
    "bulk",
    "exporter",
    "frozen_api",
    "html",
    "inventory",
    "preserve",
    "quality",
    "search_index",
    "site_files",
    "views",
}
# What the front may use: the pipeline, the options it takes, the files-only archive tools, itself.
FRONT_MAY_IMPORT = {"archive", "options", "pipeline", FRONT}


def layer(module):
    parts = module.split(".")
    if parts[0] != "static_export" or len(parts) == 1:
        return None
    if parts[1] in ("archive", "options", "incremental", "pipeline"):
        return parts[1]
    return "build" if parts[1] in BUILD else FRONT


def wrong_way_imports(graph):
    found = []
    for module, imported in sorted(graph.items()):
        if (own := layer(module)) is None:
            continue
        for target in sorted(imported):
            if (theirs := layer(target)) is None:
                continue
            allowed = FRONT_MAY_IMPORT if own == FRONT else set(LAYERS[: LAYERS.index(own) + 1])
            if theirs not in allowed:
                found.append(f"{module} ({own}) imports {target} ({theirs})")
    return found


def test_each_layer_of_the_export_imports_only_the_layers_beneath_it():
    assert wrong_way_imports(import_graph()) == []


def test_the_rule_catches_a_command_reaching_past_the_pipeline_and_a_stage_reaching_up():
    graph = {
        "static_export.tasks": {"static_export.exporter"},
        "static_export.views": {"static_export.pipeline"},
        "static_export.archive.files": {"static_export.options"},
        "static_export.pipeline": {"static_export.incremental", "static_export.archive.files"},
    }
    assert wrong_way_imports(graph) == [
        "static_export.archive.files (archive) imports static_export.options (options)",
        "static_export.tasks (commands, tasks and admin views) imports static_export.exporter (build)",
        "static_export.views (build) imports static_export.pipeline (pipeline)",
    ]
