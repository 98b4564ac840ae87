"""Every registry row resolves to a registered metric; the `metrics` command covers all 699 rows."""

from __future__ import annotations

import json

from lmms_general.commands import metrics as metrics_command
from lmms_general.metrics import MetricNotImplementedError, get_metric
from lmms_general.registry import load_registry

#: ids implemented by the generation / model-based metrics work, in other family modules
GENERATION_OWNED = frozenset({
    "frame_accuracy", "success_rate", "success_rate_single_object", "success_rate_multi_object",
    "emotion_accuracy", "chamfer_distance", "temporal_flickering", "fid", "fvd", "psnr", "ms_ssim", "clip_score",
    "clip_image_score", "clip_style", "dino_score", "musiq", "aesthetic_score", "optical_flow_score",
    "i2v_composite", "wer", "mcd", "fad", "clap_score", "style_clap", "pitch_class_consistency", "mos",
    "gpt_score", "user_preference_rate",
})
#: non-generative ids known to be missing: none left
KNOWN_MISSING: frozenset[str] = frozenset()


def _missing() -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    for spec in load_registry().values():
        try:
            get_metric(spec.metric_id, spec.task)
        except MetricNotImplementedError:
            missing.setdefault(spec.metric_id, []).append(spec.key)
    return missing


def test_non_generative_rows_resolve() -> None:
    missing = _missing()
    ours = {m: keys for m, keys in missing.items() if m not in GENERATION_OWNED | KNOWN_MISSING}
    assert not ours, f"rows without a metric: {json.dumps(ours, indent=1)}"


def test_all_699_rows_resolve() -> None:
    missing = _missing()
    total = sum(len(v) for v in missing.values())
    assert total == 0, f"{699 - total}/699 rows resolve; missing: " + ", ".join(
        f"{m} ({len(k)})" for m, k in sorted(missing.items()))


def test_metrics_command_json(tmp_path, capsys) -> None:
    out = tmp_path / "metrics.json"
    parser = __import__("argparse").ArgumentParser()
    metrics_command.add_arguments(parser)
    assert metrics_command.run(parser.parse_args(["--json", str(out)])) == 0
    rows = json.loads(out.read_text())["metrics"]
    keys = [k for row in rows for k in row["tasks"]]
    assert len(keys) == len(set(keys)) == len(load_registry()) == 699
    for row in rows:
        assert set(row) == {"id", "aliases", "tasks", "implementation", "default_model", "proxy", "proxy_rows",
                            "implemented"}
        assert row["implemented"] == (row["id"] not in _missing())
    by_id = {row["id"]: row for row in rows}
    assert by_id["bleu_1"]["aliases"] == ["BLEU-1", "BLUE_1"] and by_id["bleu_1"]["implemented"]
    assert "tasks" in capsys.readouterr().out


def test_metrics_command_check_rows(tmp_path, capsys) -> None:
    out = tmp_path / "rows.json"
    parser = __import__("argparse").ArgumentParser()
    metrics_command.add_arguments(parser)
    code = metrics_command.run(parser.parse_args(["--check-rows", "--rows", "miou", "dice", "--json", str(out)]))
    rows = json.loads(out.read_text())["rows"]
    assert len(rows) == 42 and code == (0 if all(r["ok"] for r in rows) else 1)
    assert all(r["values"]["perfect"] == 100.0 and r["values"]["empty"] < r["sota"] for r in rows)
    assert "42 rows:" in capsys.readouterr().out
