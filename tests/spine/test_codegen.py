"""Generated task YAMLs: in sync with the registry, loadable by lmms-eval, metadata complete."""

from __future__ import annotations

import yaml

from lmms_general import codegen
from lmms_general.registry import load_registry
from tests.conftest import REPO


def test_committed_yamls_match_generator() -> None:
    assert codegen.diff(REPO / "task_yamls") == []


def test_one_yaml_per_task_and_all_groups() -> None:
    files = codegen.render()
    assert sum(1 for name in files if name.endswith(".yaml") and not name.startswith("_groups/")) == 699
    groups = {name.split("/")[1][:-5] for name in files if name.startswith("_groups/")}
    expected = {"general_bench", "general_bench_nlp"} | {
        f"general_bench_{m}{p}" for m in ("image", "video", "audio", "3d") for p in ("", "_comp", "_gen")
    }
    assert groups == expected


def test_group_members_cover_registry_exactly_once() -> None:
    files = codegen.render()
    leaves: list[str] = []
    for name, text in files.items():
        if name.startswith("_groups/") and name.endswith(("_comp.yaml", "_gen.yaml", "_nlp.yaml")):
            leaves += yaml.safe_load(text)["task"]
    assert sorted(leaves) == sorted(spec.task for spec in load_registry().values())


def test_yaml_loads_in_lmms_eval_with_metadata() -> None:
    from lmms_eval.utils import load_yaml_config

    spec = load_registry()["nlp_time_series"]
    config = load_yaml_config(str(REPO / "task_yamls" / "nlp" / f"{spec.key}.yaml"), mode="full")
    assert config["task"] == spec.task
    assert config["metadata"]["general_bench"]["metric_id"] == "rmse"
    assert config["metric_list"][0]["higher_is_better"] is False  # lower-is-better rows override the template
    assert callable(config["process_docs"]) and config["process_docs"].__name__ == "process_docs_nlp_time_series"
    assert config["dataset_kwargs"]["data_files"]["test"].endswith(codegen.STUB_NAME)
