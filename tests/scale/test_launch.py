"""Shard plans, retries, resume, merging shard outputs, the Slurm array script, and a local Ray cluster (slow)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lmms_general.launch import merge as merge_module
from lmms_general.launch.jobs import LaunchSpec, ShardJob, make_jobs, run_with_retries
from lmms_general.launch.plan import SAMPLE_COST, Plan, TaskCost, balance, expand_selection, make_plan
from lmms_general.launch.slurm import SlurmOptions, render_array, write_slurm
from lmms_general.registry import load_registry
from tests.conftest import REPO


def _cost(task: str, cost: float, samples: int = 1) -> TaskCost:
    return TaskCost(task, task, "nlp", "comprehension", samples, cost)


def test_balance_is_lpt_and_covers_every_task_once() -> None:
    costs = [_cost(f"t{i}", c) for i, c in enumerate([7, 5, 4, 3, 3, 2, 1])]
    shards = balance(costs, 3)
    assert [s.cost for s in shards] == [9.0, 8.0, 8.0]  # optimum: total 25 over 3 shards needs a 9
    assert [s.task_names for s in shards] == [["t0", "t5"], ["t1", "t4"], ["t2", "t3", "t6"]]
    assert sorted(t for s in shards for t in s.task_names) == sorted(c.task for c in costs)
    assert balance(list(reversed(costs)), 3)[0].task_names == shards[0].task_names  # order-independent
    assert len(balance(costs[:2], 5)) == 2  # no empty shards
    with pytest.raises(ValueError, match="at least 1"):
        balance(costs, 0)


def test_expand_selection_groups_and_tasks() -> None:
    registry = load_registry()
    assert len(expand_selection(["general_bench"])) == 699
    assert len(expand_selection(["general_bench_nlp"])) == 115
    image = expand_selection(["general_bench_image"])
    assert {s.modality for s in image} == {"image"} and len(image) == len(registry.select("image"))
    assert {s.paradigm for s in expand_selection(["general_bench_video_gen"])} == {"generation"}
    one = registry.select("audio")[0]
    assert [s.key for s in expand_selection([one.task, one.task, "general_bench_audio_comp"])][0] == one.key
    with pytest.raises(ValueError, match="neither a General-Bench task nor group"):
        expand_selection(["mmmu_val"])


def test_plan_on_sample_tree_weights_media_kinds(sample_root: Path, tmp_path: Path) -> None:
    plan = make_plan(["general_bench"], 3)
    tasks = [t for s in plan.shards for t in s.tasks]
    assert len(tasks) == len({t.task for t in tasks}) and len(tasks) + len(plan.skipped) == 699
    for task in tasks:
        assert task.cost == task.samples * SAMPLE_COST[(task.modality, task.paradigm)]
    costs = [s.cost for s in plan.shards]
    assert max(costs) - min(costs) <= max(t.cost for t in tasks)  # LPT bound
    plan.write(tmp_path / "plan.json")
    again = Plan.read(tmp_path / "plan.json")
    assert [s.task_names for s in again.shards] == [s.task_names for s in plan.shards]
    assert again.root == str(sample_root.resolve())


def test_plan_cli(sample_root: Path, tmp_path: Path, capsys) -> None:
    from lmms_general.cli import main

    assert main(["plan", "--shards", "2", "--tasks", "general_bench_nlp", "--out", str(tmp_path / "p.json")]) == 0
    data = json.loads((tmp_path / "p.json").read_text())
    assert [s["name"] for s in data["shards"]] == ["shard_000", "shard_001"]
    assert main(["plan", "--tasks", "general_bench_nlp"]) == 2  # --shards is required
    assert main(["plan", "--shards", "0"]) == 2
    assert main(["plan", "--shards", "2", "--tasks", "general_bench_nlp_causl_reasoning"]) == 2
    assert "did you mean: general_bench_nlp_causal_reasoning" in capsys.readouterr().err


def _jobs(tmp_path: Path, n: int = 2) -> list[ShardJob]:
    names = [spec.task for spec in load_registry().select("nlp")[:n]]
    plan = Plan(balance([_cost(name, 1.0) for name in names], n), ["general_bench_nlp"], None)
    return make_jobs(plan, LaunchSpec("janus", "pretrained=x"), tmp_path)


def _write_shard_results(job: ShardJob, stamp: str = "20260101_000000") -> Path:
    folder = job.out_dir / "model"
    folder.mkdir(parents=True, exist_ok=True)
    results = {t: {"alias": t, "score,none": 1.0, "failed,none": 0} for t in job.shard.task_names}
    path = folder / f"{stamp}_results.json"
    path.write_text(json.dumps({
        "results": results, "group_subtasks": {t: [] for t in job.shard.task_names},
        "configs": {t: {"task": t} for t in job.shard.task_names},
        "n-samples": {t: {"original": 1, "effective": 1} for t in job.shard.task_names},
        "model_name": "m", "config": {"model": "janus"},
    }))
    for task in job.shard.task_names:
        (folder / f"{stamp}_samples_{task}.jsonl").write_text(json.dumps({"doc_id": 0, "score": {"id": task}}) + "\n")
    return path


def test_retries_a_failed_shard_then_succeeds(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path)
    calls: list[list[str]] = []

    def submit(batch: list[ShardJob]) -> list[str | None]:
        calls.append([j.shard.name for j in batch])
        out: list[str | None] = []
        for job in batch:
            if job.shard.index == 1 and job.attempts == 0:
                out.append("exit 1")  # first attempt of shard 1 fails
            else:
                _write_shard_results(job)
                out.append(None)
        return out

    assert run_with_retries(jobs, submit, retries=2) == []
    assert calls == [["shard_000", "shard_001"], ["shard_001"]]
    assert jobs[1].errors == ["exit 1"] and jobs[1].attempts == 2


def test_gives_up_after_retries_and_exit_0_without_results_is_a_failure(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, 1)
    failed = run_with_retries(jobs, lambda batch: [None] * len(batch), retries=1)
    assert failed == jobs and jobs[0].attempts == 2
    assert "no results for all tasks" in jobs[0].errors[-1]


def test_resume_skips_shards_with_results(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path)
    _write_shard_results(jobs[0])
    seen: list[str] = []

    def submit(batch: list[ShardJob]) -> list[str | None]:
        seen.extend(j.shard.name for j in batch)
        return [None for j in batch if _write_shard_results(j)]

    assert run_with_retries(jobs, submit, retries=0) == []
    assert seen == ["shard_001"]
    seen.clear()
    assert run_with_retries(jobs, submit, retries=0, force=True) == [] and seen == ["shard_000", "shard_001"]


def test_merge_builds_one_run_with_group_tree(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, 3)
    for index, job in enumerate(jobs):
        _write_shard_results(job, f"2026010{index + 1}_000000")
    plan = Plan([j.shard for j in jobs], ["general_bench_nlp"], None)
    path = merge_module.merge_shards(plan, [j.out_dir for j in jobs], tmp_path / "merged")
    assert path.parent == tmp_path / "merged" / "m" and path.name == "20260103_000001_results.json"
    data = json.loads(path.read_text())
    leaves = sorted(t for j in jobs for t in j.shard.task_names)
    assert sorted(data["group_subtasks"]["general_bench_nlp"]) == leaves
    assert data["results"]["general_bench_nlp"] == {"alias": "General-Bench NLP"}
    assert sorted(t for t in data["results"] if t != "general_bench_nlp") == leaves
    assert sorted(data["n-samples"]) == leaves
    assert sorted(p.name for p in path.parent.glob("*_samples_*")) == [
        f"20260103_000001_samples_{t}.jsonl" for t in leaves
    ]
    assert [s["shard"] for s in data["lmms_general_shards"]] == ["shard_000", "shard_001", "shard_002"]
    # a task in two shards is refused
    _write_shard_results(ShardJob(jobs[0].shard, [], jobs[1].out_dir, tmp_path / "x.log"), "20260109_000000")
    with pytest.raises(ValueError, match="in both"):
        merge_module.merge_shards(plan, [j.out_dir for j in jobs], tmp_path / "merged2")


def test_merge_names_the_folder_after_the_model_without_model_name(tmp_path: Path) -> None:
    """lmms-eval leaves model_name empty for models without `pretrained` (the oracle): use --model, not the shard."""
    jobs = _jobs(tmp_path)
    for job in jobs:
        path = _write_shard_results(job)
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "model_name": ""}))
    plan = Plan([j.shard for j in jobs], ["general_bench_nlp"], None)
    path = merge_module.merge_shards(plan, [j.out_dir for j in jobs], tmp_path / "merged")
    assert path.parent == tmp_path / "merged" / "janus"


def test_merge_refuses_an_unfinished_shard(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path)
    _write_shard_results(jobs[0])
    plan = Plan([j.shard for j in jobs], ["general_bench_nlp"], None)
    with pytest.raises(FileNotFoundError, match="shard_001"):
        merge_module.merge_shards(plan, [j.out_dir for j in jobs], tmp_path / "merged")


def test_group_tree_for_nested_groups() -> None:
    registry = load_registry()
    comp = registry.select("image", "comprehension")[0].task
    gen = registry.select("image", "generation")[0].task
    nlp = registry.select("nlp")[0].task
    tree = merge_module._group_tree(["general_bench"], {comp, gen, nlp})
    assert tree["general_bench"] == ["general_bench_image", "general_bench_nlp"]
    assert tree["general_bench_image"] == ["general_bench_image_comp", "general_bench_image_gen"]
    assert tree["general_bench_image_comp"] == [comp] and tree["general_bench_nlp"] == [nlp]


def test_slurm_array_script(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, 3)
    options = SlurmOptions(job_name="gb", gpus_per_shard=2, cpus_per_shard=16, partition="gpu", time="24:00:00",
                           max_parallel=2, retries=1, sbatch_args=("--account=proj",))
    merge_cmd = ["python", "-m", "lmms_general.cli", "launch", "--merge-only", "--output", str(tmp_path)]
    submit = write_slurm(jobs, options, {"GENERAL_BENCH_ROOT": "/data/gb root"}, tmp_path / "slurm", merge_cmd)
    script = (tmp_path / "slurm" / "shards.sbatch").read_text()
    for line in ("#SBATCH --array=0-2%2", "#SBATCH --gres=gpu:2", "#SBATCH --cpus-per-task=16",
                 "#SBATCH --partition=gpu", "#SBATCH --time=24:00:00", "#SBATCH --account=proj",
                 f"#SBATCH --output={tmp_path / 'logs'}/%x_%a.out", "export GENERAL_BENCH_ROOT='/data/gb root'",
                 "for attempt in $(seq 1 2); do"):
        assert line in script.splitlines() or line in script, line
    for index, job in enumerate(jobs):
        assert f"  {index})" in script and f"--output_path {job.out_dir}" in script
        assert f"--tasks {','.join(job.shard.task_names)}" in script
    assert "shard_complete" in script and "results exist; skipped" in script
    merge = (tmp_path / "slurm" / "merge.sbatch").read_text()
    assert "--gres" not in merge and "launch --merge-only" in merge
    text = submit.read_text()
    assert "sbatch --parsable shards.sbatch" in text and "--dependency=afterany:$ARRAY merge.sbatch" in text
    syntax = subprocess.run(["bash", "-n", str(tmp_path / "slurm" / "shards.sbatch")], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    assert render_array(jobs[:1], options, {}, tmp_path).count("#SBATCH --array=0-0%2") == 1


def test_slurm_resume_check_runs(tmp_path: Path) -> None:
    """The script's ``done_already`` one-liner really finds a finished shard."""
    jobs = _jobs(tmp_path, 1)
    script = render_array(jobs, SlurmOptions(), {}, tmp_path)
    check = next(line.strip() for line in script.splitlines() if "shard_complete" in line)
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    run = lambda: subprocess.run(  # noqa: E731
        ["bash", "-c", f"OUT={jobs[0].out_dir}; TASKS={jobs[0].shard.task_names[0]}; {check}"], env=env
    ).returncode
    assert run() == 1
    _write_shard_results(jobs[0])
    assert run() == 0


def test_launch_cli_writes_slurm_files(sample_root: Path, tmp_path: Path) -> None:
    from lmms_general.cli import main

    out = tmp_path / "launch"
    argv = ["launch", "--backend", "slurm", "--shards", "2", "--tasks", "general_bench_nlp", "--output", str(out),
            "--model", "janus", "--model_args", "pretrained=/m", "--", "--use_cache", str(tmp_path / "cache")]
    assert main(argv) == 0
    script = (out / "slurm" / "shards.sbatch").read_text()
    assert script.count("--use_cache") == 2 and "#SBATCH --array=0-1" in script
    assert yaml.safe_load((out / "plan.json").read_text())["selection"] == ["general_bench_nlp"]
    # a different plan in the same folder is refused: one error line, exit 2
    assert main([*argv[:4], "3", *argv[5:]]) == 2


class _FakeRay:
    """Stands in for the ``ray`` module: a cluster with the given resources, and a record of shutdowns."""

    def __init__(self, resources: dict, connect_error: bool = False) -> None:
        self.resources, self.connect_error, self.shutdowns = resources, connect_error, 0

    def is_initialized(self) -> bool:
        return False

    def init(self, **kwargs) -> None:
        if self.connect_error and kwargs.get("address"):
            raise ConnectionError("Could not find any running Ray instance.")

    def cluster_resources(self) -> dict:
        return self.resources

    def shutdown(self) -> None:
        self.shutdowns += 1

    def remote(self, **kwargs):  # noqa: ANN201 - decorator factory
        return lambda fn: fn


def test_ray_shards_that_can_never_start_are_an_error_not_a_hang(monkeypatch, caplog) -> None:
    from lmms_general.launch import ray_backend
    from lmms_general.launch.ray_backend import RayOptions, RaySubmitter

    fake = _FakeRay({"CPU": 2.0})
    monkeypatch.setattr(ray_backend, "_ray", lambda: fake)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    with pytest.raises(ValueError, match="--gpus-per-shard 1 but the Ray cluster has 0 GPUs.*--gpus-per-shard 0"):
        RaySubmitter(RayOptions(gpus_per_shard=1))
    assert fake.shutdowns == 1  # the local cluster we started is stopped again
    with pytest.raises(ValueError, match="--cpus-per-shard 4 but the Ray cluster has 2 CPUs"):
        RaySubmitter(RayOptions(gpus_per_shard=0, cpus_per_shard=4))
    assert RaySubmitter(RayOptions(gpus_per_shard=0, cpus_per_shard=2)).options.cpus_per_shard == 2
    RaySubmitter(RayOptions(address="ray://head:10001", gpus_per_shard=1))  # existing cluster: may autoscale
    assert "0 GPUs" in caplog.text
    with pytest.raises(ConnectionError, match="no Ray cluster at --address auto.*ray start --head"):
        monkeypatch.setattr(ray_backend, "_ray", lambda: _FakeRay({}, connect_error=True))
        RaySubmitter(RayOptions(address="auto"))


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_ray_local_cluster_merged_equals_single_process(tiny_janus: Path, janus_single_run: Path,
                                                        tmp_path: Path) -> None:
    """``launch --backend ray`` on a local 2-CPU Ray cluster: merged run == one lmms-eval process, level too."""
    pytest.importorskip("ray")
    from tests.scale._runs import leaf_scores, run_env, sample_responses
    from tests.scale.conftest import JANUS_NLP_LIMIT, janus_model_args

    model_args = janus_model_args(tiny_janus)
    single = janus_single_run
    cmd = [sys.executable, "-m", "lmms_general.cli", "launch", "--backend", "ray", "--num-cpus", "2",
           "--gpus-per-shard", "0", "--shards", "2", "--tasks", "general_bench_nlp", "--output", str(tmp_path / "ray"),
           "--model", "janus", "--model_args", model_args, "--limit", str(JANUS_NLP_LIMIT)]
    proc = subprocess.run(cmd, cwd=tmp_path, env=run_env(tmp_path), capture_output=True, text=True, timeout=2000)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    shard_files = sorted((tmp_path / "ray" / "shards").rglob("*_results.json"))
    assert len(shard_files) == 2
    (merged,) = sorted((tmp_path / "ray" / "merged").rglob("*_results.json"))
    one, many = json.loads(single.read_text()), json.loads(merged.read_text())
    assert leaf_scores(many) == leaf_scores(one) and len(leaf_scores(one)) == 8
    assert sample_responses(merged) == sample_responses(single)
    assert sorted(many["group_subtasks"]["general_bench_nlp"]) == sorted(one["group_subtasks"]["general_bench_nlp"])
    levels = []
    for folder in (single.parent, merged.parent):
        out = tmp_path / f"level_{len(levels)}.json"
        subprocess.run([sys.executable, "-m", "lmms_general.cli", "level", str(folder), "--json", str(out)],
                       env=run_env(tmp_path), check=True, capture_output=True)
        report = json.loads(out.read_text())
        report.pop("provenance", None)  # run identity: dates and file paths differ by construction
        report["warnings"] = [w.split(" ", 1)[-1] if "_results.json" in w else w for w in report.get("warnings", [])]
        levels.append(report)
    assert levels[0] == levels[1]
    # resume: a second launch skips both finished shards and only merges
    again = subprocess.run(cmd, cwd=tmp_path, env=run_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stderr.count("skipped (--force re-runs it)") == 2
    assert sorted((tmp_path / "ray" / "shards").rglob("*_results.json")) == shard_files
