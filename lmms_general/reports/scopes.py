"""The leaderboard's four scopes computed from one model's judged tasks.

* **Scope-A** (Full-spectrum Hero): the whole table, Levels 2-5. *Full* uses all 699 rows (a task not run
  counts 0). *Quick*: the official Quick board (v-small: 11.07% fewer tasks, 95.22% less data) has a task
  list that is not in our reference material, so we define Quick explicitly as the same formulas over the
  rows this model ran (each modality/paradigm group divided by its evaluated tasks, not by all of them).
* **Scope-B** (Modality-specific Unified Hero): one board per modality (image, video, audio, 3D), Levels
  2-4 of that modality. The official three combined-modality boards are not named in the reference
  material and are not computed.
* **Scope-C** (Comprehension/Generation Hero): 2 paradigms x 4 modalities = 8 boards, capped at Level-3:
  Level-2 is the mean normalised score of the board's tasks, Level-3 the win-weighted mean (S_C or S_G).
* **Scope-D** (Skill-specific Hero): each Scope-C board split by skill cluster, capped at Level-3; the
  cluster is the annotation header's ``skill`` (logged in every sample's item, ``SampleItem.skill``). Only tasks
  that ran with a sample log naming a skill appear, and each cluster board is divided by its evaluated tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lmms_general.level.scoring import LevelScorer, reached_level
from lmms_general.level.types import LevelResult, TaskOutcome
from lmms_general.registry import LEVEL_MODALITIES, Registry, load_registry
from lmms_general.reports.tables import MODALITY_LABELS


@dataclass(frozen=True)
class Board:
    """One leaderboard board: its scope, name, task counts, Levels and the reached (capped) level."""

    scope: str
    board: str
    evaluated: int
    tasks: int
    level2: float
    level3: float
    level4: float | None
    level5: float | None
    level: int
    cap: int | None = None


def _capped(level2: float, level3: float, cap: int) -> int:
    return min(cap, reached_level(level2, level3, 0.0, 0.0))


def _paradigm_board(scope: str, name: str, group: Sequence[TaskOutcome], total: int) -> Board:
    evaluated = [o for o in group if o.raw is not None]
    level2 = sum(o.score or 0.0 for o in group) / total if total else 0.0
    level3 = sum((o.score or 0.0) for o in group if o.win) / total if total else 0.0
    return Board(scope, name, len(evaluated), total, level2, level3, None, None, _capped(level2, level3, 3), cap=3)


def scope_boards(
    result: LevelResult, skills: Mapping[str, str] | None = None, registry: Registry | None = None
) -> list[Board]:
    """Every board of Scopes A-D for one model (see the module docstring for what each one is)."""
    registry = registry or load_registry()
    skills = skills or {}
    ran = [o for o in result.outcomes if o.raw is not None]
    boards = [
        Board("A", "Full (all 699 tasks)", len(ran), len(result.outcomes), result.level2, result.level3,
              result.level4, result.level5, result.level)
    ]
    if ran:
        scorer = LevelScorer([registry[o.key] for o in ran], result.mode)  # type: ignore[list-item]
        quick = scorer.score({o.key: o.raw for o in ran}, result.model)
        boards.append(Board("A", "Quick (tasks scored; our definition)", len(ran), len(ran), quick.level2,
                            quick.level3, quick.level4, quick.level5, quick.level))
    for m in result.modalities:
        boards.append(Board("B", MODALITY_LABELS[m.modality], sum(o.modality == m.modality for o in ran), m.tasks,
                            m.level2, m.level3, m.level4, None,
                            min(4, reached_level(m.level2, m.level3, m.level4, 0.0))))
    groups: dict[tuple[str, str], list[TaskOutcome]] = {}
    for o in result.outcomes:
        groups.setdefault((o.modality, o.paradigm), []).append(o)
    for modality in LEVEL_MODALITIES:
        for paradigm in ("comprehension", "generation"):
            group = groups.get((modality, paradigm), [])
            boards.append(_paradigm_board("C", f"{MODALITY_LABELS[modality]} {paradigm}", group, len(group)))
    clusters: dict[tuple[str, str, str], list[TaskOutcome]] = {}
    for o in ran:
        if skills.get(o.key) and o.modality in LEVEL_MODALITIES:
            clusters.setdefault((o.modality, o.paradigm, skills[o.key]), []).append(o)
    for (modality, paradigm, skill), group in sorted(clusters.items()):
        boards.append(
            _paradigm_board("D", f"{skill} ({MODALITY_LABELS[modality]} {paradigm})", group, len(group))
        )
    if not clusters:
        boards.append(Board("D", "none: no sample log names a skill cluster", 0, 0, 0.0, 0.0, None, None, 1, cap=3))
    return boards


SCOPE_HEADER = ["Scope", "Board", "Tasks scored", "Level-2", "Level-3", "Level-4", "Level-5", "Reached"]


def scope_rows(boards: Sequence[Board]) -> list[list[str]]:
    from lmms_general.reports.tables import fmt as number

    def fmt(value: float | None) -> str:
        return "–" if value is None else number(value)

    return [
        [b.scope, b.board, f"{b.evaluated}/{b.tasks}", fmt(b.level2), fmt(b.level3), fmt(b.level4), fmt(b.level5),
         f"Level-{b.level}" + (f" (cap {b.cap})" if b.cap else "")]
        for b in boards
    ]


SCOPE_NOTES = [
    "Scope-A Full: all 699 rows, a task not run counts 0; overall Level-k is the mean over the four modalities "
    "(image, video, audio, 3D) and a modality's Level-2 averages its two paradigms, so a run of one modality and "
    "one paradigm is capped at 1/8 of its mean score (image comprehension only: Level-2 <= 100 / 2 / 4 = 12.5).",
    "Scope-A Quick: the official Quick task list is not in our reference material; here Quick is defined as the "
    "same formulas over the tasks this model has a score for (each group divided by its scored tasks).",
    "Scope-B: one board per modality (Levels 2-4); the official three combined-modality boards are not named in "
    "the reference material and are not computed.",
    "Scope-C: one board per modality and paradigm, capped at Level-3 (Level-2 = mean score, Level-3 = wins only).",
    "Scope-D: Scope-C boards split by the annotation's skill cluster (from the sample logs; tasks without a "
    "logged skill are not shown), capped at Level-3, each divided by its evaluated tasks.",
]
