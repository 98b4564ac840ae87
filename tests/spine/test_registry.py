"""The task table: 699 rows, official counts, spellings and keys."""

from __future__ import annotations

import collections
import csv
import re
import subprocess
import sys

from lmms_general.metrics.aliases import canonical_metric_id, higher_is_better, metric_aliases
from lmms_general.registry import SHEETS, load_registry
from tests.conftest import REPO


def test_699_rows_with_official_sheet_counts() -> None:
    registry = load_registry()
    counts = collections.Counter(spec.sheet for spec in registry.values())
    assert len(registry) == 699
    assert counts == {
        "NLP": 115, "Image-Comprehension": 271, "Image-Generation": 45, "Video-Comprehension": 126,
        "Video-Generation": 46, "Audio-Comprehension": 24, "Audio-Generation": 20, "3D-Comprehension": 30,
        "3D-Generation": 22,
    }


def test_rows_match_reference_verbatim_and_in_order() -> None:
    registry = load_registry()
    for sheet in SHEETS:
        table = REPO / "lmms_general" / "resources" / "reference" / f"sota_result__{sheet}.csv"
        with table.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        specs = registry.sheet(sheet)
        assert [s.task_name for s in specs] == [r["Task Name"] for r in rows]  # stray spaces kept
        assert [s.metric_raw for s in specs] == [r["Metrics"] for r in rows]
        assert [s.sota for s in specs] == [float(r["SoTA Performance"]) for r in rows]


def test_keys_are_unique_lmms_eval_names() -> None:
    tasks = [spec.task for spec in load_registry().values()]
    assert len(set(tasks)) == 699
    assert all(re.fullmatch(r"general_bench_[a-z0-9_]+", t) for t in tasks)


def test_display_names_are_cleaned_and_notes_kept() -> None:
    registry = load_registry()
    spec = registry["image_gen_image_editing_with_multi_image_prompt"]
    assert spec.note == "数据目前有问题" and spec.display_name == "Image Editing with Multi-image Prompt"
    assert registry["image_comp_atm_booths_suspicious_behavior_recognition"].display_name == (
        "ATM Booths Suspicious Behavior Recognition"
    )
    assert registry["audio_gen_speechtranslation_zh_to_en"].display_name == "SpeechTranslation (zh-to-en)"


def test_every_spelling_has_a_canonical_id_and_direction() -> None:
    from lmms_general.metrics.aliases import ROW_METRIC_IDS

    assert len(metric_aliases()) == 70
    for spec in load_registry().values():
        assert ROW_METRIC_IDS.get(spec.key, canonical_metric_id(spec.metric_raw)) == spec.metric_id
        assert higher_is_better(spec.metric_id) == spec.higher_is_better
    assert canonical_metric_id("blue_1") == "bleu_1"  # case/punctuation-insensitive fallback
    assert not higher_is_better("chamfer_distance") and higher_is_better("psnr")


def test_committed_table_matches_builder() -> None:
    result = subprocess.run([sys.executable, "tools/build_registry.py", "--check"], cwd=REPO, capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
