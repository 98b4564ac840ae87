"""Report figures as PNG bytes (matplotlib, Agg backend)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lmms_general.level.types import LevelResult  # noqa: E402
from lmms_general.reports.tables import MODALITY_LABELS  # noqa: E402


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def paradigm_bars(result: LevelResult) -> bytes:
    """Per modality: comprehension vs generation, mean score (Level-2 part) and win-weighted S_C / S_G."""
    labels = [MODALITY_LABELS[m.modality] for m in result.modalities]
    x = np.arange(len(labels))
    width = 0.2
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    series = [
        ("Comprehension mean", [m.L2_C for m in result.modalities], "#9ecae1"),
        ("S_C (wins only)", [m.S_C for m in result.modalities], "#3182bd"),
        ("Generation mean", [m.L2_G for m in result.modalities], "#fdae6b"),
        ("S_G (wins only)", [m.S_G for m in result.modalities], "#e6550d"),
    ]
    for i, (name, values, color) in enumerate(series):
        bars = ax.bar(x + (i - 1.5) * width, values, width, label=name, color=color)
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=1)
    ax.set_xticks(x, labels)
    ax.set_ylabel("score (0-100)")
    ax.set_title(f"{result.model}: comprehension vs generation per modality ({result.mode})")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylim(0, 100)  # fixed: an all-zero run must not autoscale to -1e-17
    ax.legend(fontsize=8, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def radar(results: Sequence[LevelResult], level: str = "level2") -> bytes:
    """Radar across the four modalities: Level-2/3/4 of one model, or one ``level`` for several models."""
    labels = [MODALITY_LABELS[m.modality] for m in results[0].modalities]
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False).tolist()
    fig, ax = plt.subplots(figsize=(4.8, 4.8), subplot_kw={"polar": True})
    if len(results) == 1:
        curves = [(f"Level-{k}", [getattr(m, f"level{k}") for m in results[0].modalities]) for k in (2, 3, 4)]
        title = f"{results[0].model}: Levels per modality"
    else:
        curves = [(r.model, [getattr(m, level) for m in r.modalities]) for r in results]
        title = f"Level-{level[-1]} per modality"
    for name, values in curves:
        closed = values + values[:1]
        ax.plot(angles + angles[:1], closed, linewidth=1.6, label=name)
        ax.fill(angles + angles[:1], closed, alpha=0.12)
    ax.set_xticks(angles, labels)
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100], ["25", "50", "75", "100"], fontsize=7)
    ax.set_title(title, fontsize=10, pad=18)
    ax.tick_params(axis="x", pad=8)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=min(3, len(curves)), frameon=False)
    return _png(fig)
