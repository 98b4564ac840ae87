"""Generate the bundled General-Bench-shaped sample tree (deterministic; seeded).

Usage: python tools/make_sample_data.py [--out DIR]   (default: lmms_general/sample_data)

Writes ``General-Bench-Openset/``, ``General-Bench-Closeset/`` (same skeleton, no outputs) and
``legacy-casing/`` (the stale documented casing) reproducing the quirks of the real dataset: mixed
folder casing, per-task zips and ``open.tar.gz``, four annotation-file conventions, header variants,
media path forms (relative, bare basename, author path, backslashes), output-key drift, samples
without ``id``, a folder without a registry row, ``prediction.json`` files that are not annotations.
All values are invented; media are tiny real files (PNG/JPEG, WAV, MP4, frame folders, NPY/PLY/NPZ).
Archives and media writers use fixed timestamps and settings so the output is byte-stable.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import io
import json
import shutil
import tarfile
import wave
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "lmms_general" / "sample_data"
TREES = ("General-Bench-Openset", "General-Bench-Closeset", "legacy-casing")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Files = dict[str, bytes]  # relative path -> content


# ----------------------------------------------------------------------------- media writers
def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def png(seed: int, size: int = 16) -> bytes:
    arr = _rng(seed).integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, format="PNG", compress_level=9)
    return buf.getvalue()


def jpg(seed: int, size: int = 16) -> bytes:
    base = _rng(seed).integers(0, 256, size=(2, 2, 3), dtype=np.uint8)
    arr = np.kron(base, np.ones((size // 2, size // 2, 1), dtype=np.uint8))  # smooth blocks: stable under JPEG
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, format="JPEG", quality=90, optimize=False, progressive=False)
    return buf.getvalue()


def wav(seed: int, seconds: float = 0.1, rate: int = 8000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    freq = 220.0 + 110.0 * (seed % 5)
    signal = 0.4 * np.sin(2 * np.pi * freq * t) + 0.05 * _rng(seed).standard_normal(t.size)
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(pcm.tobytes())
    return buf.getvalue()


def mp4(seed: int, frames: int = 4, size: int = 32, noise: float = 0.0) -> bytes:
    """A few-frame H.264 (or MPEG-4 part 2) clip written with PyAV; decoded frames are stable. ``noise`` > 0 adds
    seeded Gaussian noise of that standard deviation (a degraded copy of the same clip, for restoration tasks)."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
        stream = container.add_stream(codec, rate=4)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.thread_count = 1
        if codec == "libx264":
            stream.options = {"crf": "18", "preset": "ultrafast", "threads": "1"}
        base = _rng(seed).integers(0, 256, size=(2, 2, 3), dtype=np.uint8)
        for i in range(frames):
            arr = np.kron(np.roll(base, i, axis=1), np.ones((size // 2, size // 2, 1), dtype=np.uint8))
            if noise:
                jitter = noise * _rng(seed * 100 + i).standard_normal(arr.shape)
                arr = np.clip(arr + jitter, 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def npy(seed: int, points: int = 64) -> bytes:
    buf = io.BytesIO()
    np.save(buf, _rng(seed).standard_normal((points, 3)).astype("<f4"), allow_pickle=False)
    return buf.getvalue()


def ply(seed: int, points: int = 16) -> bytes:
    xyz = _rng(seed).standard_normal((points, 3))
    props = "".join(f"property float {axis}\n" for axis in "xyz")
    head = f"ply\nformat ascii 1.0\nelement vertex {points}\n{props}end_header\n"
    return (head + "".join(f"{x:.4f} {y:.4f} {z:.4f}\n" for x, y, z in xyz)).encode()


def ply_points(xyz: np.ndarray) -> bytes:
    """An ASCII PLY of the given ``(N, 3)`` points."""
    props = "".join(f"property float {axis}\n" for axis in "xyz")
    head = f"ply\nformat ascii 1.0\nelement vertex {len(xyz)}\n{props}end_header\n"
    return (head + "".join(f"{x:.4f} {y:.4f} {z:.4f}\n" for x, y, z in xyz)).encode()


def smooth_png(seed: int, size: int = 16, noise: float = 0.0) -> bytes:
    """A smooth gradient image (a restoration target), with seeded noise added when ``noise`` > 0 (its input)."""
    rng = _rng(seed)
    ramp = np.linspace(0, 1, size)
    base = rng.uniform(40, 200, size=3)
    arr = base + 50 * (ramp[None, :, None] + ramp[:, None, None]) / 2
    if noise:
        arr = arr + noise * _rng(seed + 1000).standard_normal(arr.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").save(buf, format="PNG", compress_level=9)
    return buf.getvalue()


def npz_disparity(seed: int, frames: int = 2, size: int = 8) -> bytes:
    arr = _rng(seed).random((frames, 1, size, size)).astype("<f4")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        npy_buf = io.BytesIO()
        np.save(npy_buf, arr, allow_pickle=False)
        info = zipfile.ZipInfo("disparity.npy", date_time=ZIP_DATE)
        info.external_attr = 0o644 << 16
        zf.writestr(info, npy_buf.getvalue())
    return buf.getvalue()


def rle(seed: int, h: int = 16, w: int = 16) -> dict[str, Any]:
    import pycocotools.mask as mask_utils

    mask = np.zeros((h, w), dtype=np.uint8, order="F")
    r = _rng(seed)
    y, x = int(r.integers(0, h // 2)), int(r.integers(0, w // 2))
    mask[y : y + h // 2, x : x + w // 2] = 1
    enc = mask_utils.encode(np.asfortranarray(mask))
    return {"size": [int(v) for v in enc["size"]], "counts": enc["counts"].decode("ascii")}


def zip_bytes(files: Files) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def targz_bytes(files: Files) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        dirs = sorted({str(Path(n).parents[i]) for n in files for i in range(len(Path(n).parents) - 1)})
        for name in dirs:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 0
            tf.addfile(info)
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
            tf.addfile(info, io.BytesIO(files[name]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def js(obj: Any) -> bytes:
    return (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------- task definitions
def header(task: str, type_: str, mod_in: list[str], mod_out: list[str], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"task": task, "type": type_, "modality": {"in": mod_in, "out": mod_out}}
    doc.update(extra)
    doc.setdefault("version", "1.0")
    doc.setdefault("set_type", "openset")
    return doc


def nlp_tasks() -> dict[str, Files]:
    t: dict[str, Files] = {}
    causal = [
        (
            "cr452",
            "What is the effect of: He said he saw a hellhound running on the street.?",
            ["I knew he told a lie.", "I believed what he said."],
            "A",
        ),
        (
            "cr453",
            "What is the cause of: The grass was wet in the morning.?",
            ["It rained overnight.", "The sun was hot."],
            "A",
        ),
        (
            "cr454",
            "What is the effect of: She dropped the glass.?",
            ["The glass shattered.", "The glass floated."],
            "A",
        ),
        ("cr455", "What is the cause of: The lights went out.?", ["The fuse blew.", "The door opened."], "A"),
    ]
    # full header, "data" deliberately not the last key
    doc = {
        "task": "Causal Reasoning",
        "type": "MultipleChoiceQA",
        "data": [{"id": i, "input": {"question": q, "options": o}, "output": {"answer": a}} for i, q, o, a in causal],
        "modality": {"in": ["text"], "out": ["text"]},
        "version": "1.0",
        "set_type": "openset",
        "domain": "General",
        "general_capability": "Reasoning Ability",
    }
    t["nlp/Causal-Reasoning"] = {
        "annotation.json": js(doc),
        "prediction.json": js([{"id": "cr452", "prediction": "A"}, {"id": "cr453", "prediction": "B"}]),
    }
    t["nlp/Temporal-Reasoning"] = {
        "annotation.json": js(
            {
                **header("Temporal Reasoning", "OpenQA", ["text"], ["text"]),
                "data": [
                    {
                        "id": "tr251",
                        "input": {"question": "A: How can I help you? B: Come back after <MASK> when we open."},
                        "output": {"answer": ["4:00 PM", "four PM", "16:00"]},
                    },
                    {
                        "id": "tr252",
                        "input": {"question": "The meeting moved from Monday to <MASK>, one day later."},
                        "output": {"answer": ["Tuesday"]},
                    },
                    {
                        "id": "tr253",
                        "input": {"question": "Breakfast is served before <MASK> each day."},
                        "output": {"answer": "10 AM"},
                    },
                ],
            }
        )
    }
    nli_prompt = (
        "<<<raw_text>>>. What is the relationship between the premise and hypothesis? Choose from: "
        "entailment, contradiction, or neutral. Provide only the category name as output."
    )
    nli = [
        ("0291", "Premise: A man stands by a door. Hypothesis: A man is waiting for someone", "neutral"),
        ("0292", "Premise: Two dogs run on grass. Hypothesis: Animals are outside", "entailment"),
        ("0293", "Premise: The cup is empty. Hypothesis: The cup is full of tea", "contradiction"),
    ]
    t["nlp/Natural-Language-Inference"] = {
        "annotation.json": js(
            {
                **header(
                    "natural_language_inference", "classification", ["text"], ["text"], data_source="snli_dataset"
                ),
                "data": [
                    {"id": i, "input": {"raw_text": r, "prompt": nli_prompt}, "output": {"category": c}}
                    for i, r, c in nli
                ],
            }
        )
    }
    # look-alike labels (BEFORE / IBEFORE, INCLUDES / IS_INCLUDED); the prompt lists none: the label set comes from
    # the references, as a temporal-relation benchmark (TimeBank-Dense style) publishes its relation list
    ter_prompt = (
        "<<<raw_text>>> What is the temporal relation between the event marked [E1] and the event marked [E2]? "
        "Provide only the relation label as output."
    )
    ter = [
        ("ter_0101", "The army [E1]crossed[/E1] the border at dawn and the invasion [E2]began[/E2] an hour later.",
         "BEFORE"),
        ("ter_0102", "The alarm [E1]rang[/E1] and the guards immediately [E2]rushed[/E2] in.", "IBEFORE"),
        ("ter_0103", "During the [E1]conference[/E1], the minister [E2]announced[/E2] the new budget.", "INCLUDES"),
        ("ter_0104", "The minister [E1]announced[/E1] the budget during the week-long [E2]summit[/E2].",
         "IS_INCLUDED"),
    ]
    t["nlp/Temporal-Event-Reasoning"] = {
        "annotation.json": js(
            {
                **header("temporal_event_reasoning", "classification", ["text"], ["text"], data_source="timebank"),
                "data": [
                    {"id": i, "input": {"raw_text": r, "prompt": ter_prompt}, "output": {"label": c}}
                    for i, r, c in ter
                ],
            }
        )
    }
    t["nlp/Multi-Turn-Daily-Dialogue-Generation"] = {
        "annotation.json": js(
            {
                **header("Multi-Turn_Daily_Dialogue_Generationid", "Dialogue", ["text"], ["text"]),
                "data": [
                    {
                        "id": "mtddg028",
                        "dialog": ["Good afternoon. I brought the extra blanket you requested.", "Oh, thank you."],
                        "output": {"response": "Certainly, sir."},
                    },
                    {
                        "id": "mtddg029",
                        "dialog": ["Is this seat taken?", "No, please sit down."],
                        "output": {"response": "Thanks, it is crowded today."},
                    },
                    {
                        "id": "mtddg030",
                        "dialog": ["What time does the train leave?", "At nine sharp."],
                        "output": {"response": "Then we should hurry."},
                    },
                ],
            }
        )
    }
    t["nlp/Mathematical-Word-Problem-Solving"] = {
        "annotation.json": js(
            {
                **header("Mathematical Word Problem Solving", "Mathematical Word Problem Solving", ["text"], ["text"]),
                "data": [
                    {
                        "id": "m1",
                        "problem": {
                            "text": "Tom has 40 apples and buys 2 more. How many now?",
                            "constraints": ["integer"],
                        },
                        "output": {"solution": {"final_answer": "42"}},
                    },
                    {
                        "id": "m2",
                        "problem": {"text": "A box holds 6 eggs. How many eggs in 3 boxes?", "constraints": []},
                        "output": {"solution": {"final_answer": "18"}},
                    },
                    {
                        "id": "m3",
                        "problem": {"text": "Half of 14 is?", "constraints": ["integer"]},
                        "output": {"solution": {"final_answer": "7"}},
                    },
                ],
            }
        )
    }
    t["nlp/Time-Series"] = {
        "annotation.json": js(
            {
                **header("Time Series", "Time Series", ["text"], ["text"]),
                "data": [
                    {"id": "ts_07", "input": {"data": [1.0, 2.0, 3.0, 4.0]}, "output": {"target": 5.0}},
                    {"id": "ts_08", "input": {"data": [2.5, 2.5, 2.5]}, "output": {"target": 2.5}},
                    {"id": "ts_09", "input": {"data": [10.0, 8.0, 6.0]}, "output": {"target": 4.0}},
                ],
            }
        )
    }
    t["nlp/Abstractive-Summarization"] = {
        "annotation.json": js(
            {
                **header("Abstractive Summarization", "Summarization", ["text"], ["text"]),
                "data": [
                    {
                        "id": "as1",
                        "document_list": ["The city opened a new park on Sunday.", "Hundreds of families attended."],
                        "output": {"summary": "A new city park opened to crowds."},
                    },
                    {
                        "id": "as2",
                        "document_list": ["Heavy rain flooded two streets.", "No one was hurt."],
                        "output": {"summary": "Rain flooded streets without injuries."},
                    },
                    {
                        "id": "as3",
                        "document_list": ["The team won the final 2-1."],
                        "output": {"summary": "The team won the final."},
                    },
                ],
            }
        )
    }
    t["nlp/Dialogue-Relation-Extraction"] = {
        "annotation.json": js(
            {
                **header(
                    "dialogue relation extraction", "relation extraction", ["text"], ["text"], data_source="dialogre"
                ),
                "data": [
                    {
                        "id": "dre1",
                        "input": {
                            "raw_text": "Speaker 2: Hi Mon! Speaker 3: Hey.",
                            "prompt": "<<<raw_text>>> List relations.",
                        },
                        "output": {
                            "text": "(Speaker 2 (PER) => per:alternate_names => Mon (PER) "
                            "(Speaker 3 (PER) => per:friends => Mon (PER)"
                        },
                    },
                ],
            }
        )
    }
    return t


def image_tasks() -> dict[str, Files]:
    t: dict[str, Files] = {}
    c = "image/comprehension"
    birds = [
        ("bd_0165", "Anna_Hummingbird_0087.jpg", {"bird": [[2, 3, 8, 6]]}),
        ("bd_0166", "Acadian_Flycatcher_0070.jpg", {"bird": [[1, 1, 10, 12]]}),
        ("bd_0167", "Blue_Jay_0011.jpg", {"bird": [[4, 4, 6, 6], [0, 0, 3, 3]]}),
    ]
    t[f"{c}/BirdDetection"] = {
        "bird_detection.json": js(
            {
                **header(
                    "Bird Detection",
                    "image comprehension",
                    ["image", "text"],
                    ["boxes"],
                    skill="Object Detection",
                    domain="General",
                    others={"bbox_format": "(x_min, y_min, width, height)"},
                ),
                "data": [
                    {
                        "input": {"image_file": f, "prompt": "Detect the bird in the given image"},
                        "output": {"text": b},
                        "id": i,
                    }
                    for i, f, b in birds
                ],
            }
        ),
        **{f"images/{f}": jpg(10 + n) for n, (_, f, _) in enumerate(birds)},
    }
    cars = [("CarBrands0001", "GMC"), ("CarBrands0002", "Toyota"), ("CarBrands0003", "Ford")]
    head = header(
        "car brands recognition",
        "comprehension",
        ["image", "text"],
        ["text"],
        skill="Object Recognition",
        domain=["Automobile"],
        general_capability=["Content Recognition"],
    )
    del head["set_type"]  # set_type missing in some real image files
    t[f"{c}/car_brands_recognition"] = {
        "json/annotation.json": js(
            {
                **head,
                "data": [
                    {
                        "input": {
                            "image_file": f"images/{i}.png",
                            "prompt": "recognize the brand of the car in the image",
                        },
                        "output": {"prediction": b},
                        "id": i,
                    }
                    for i, b in cars
                ],
            }
        ),
        **{f"images/{i}.png": png(20 + n) for n, (i, _) in enumerate(cars)},
    }
    author = "./data/comprehension/fall-human-detection/images/"
    falls = [
        ("0003", "people-8824.jpg", {"Fall": [1.5, 2.5, 9.0, 6.0]}),
        ("0004", "people-8825.jpg", {"Fall": [0.0, 0.0, 5.0, 5.0]}),
    ]
    fall_head = header(
        "fall-human-detection",
        "comprehension",
        ["image", "text"],
        ["text"],
        skill="Safety Detection",
        domain="Healthcare",
        version="2.0",
        data_source="roboflow",
    )
    t[f"{c}/fall-human-detection"] = {
        "json/annotation.json": js(
            {
                **fall_head,
                "version": "1.0",
                "data": [
                    {
                        "input": {"image_file": author + "people-8824.jpg", "prompt": "old prompt"},
                        "output": {"bbox": [{"Fall": [0, 0, 1, 1]}]},
                        "id": "0001",
                    }
                ],
            }
        ),
        "json/annotation_v2.json": js(
            {
                **fall_head,
                "data": [
                    {
                        "input": {
                            "image_file": author + f,
                            "prompt": "users' specifically-defined prompts for different models",
                        },
                        "output": {"bbox": [b]},
                        "id": i,
                    }
                    for i, f, b in falls
                ],
            }
        ),
        **{f"images/{f}": jpg(30 + n) for n, (_, f, _) in enumerate(falls)},
    }
    art = [
        ("art_image_vqa_0164", "17098-1arles10.jpg", "who stand in the middle of a dirt field", ["person", "man"]),
        ("art_image_vqa_0165", "17099-2paris11.jpg", "what animal is in the painting", ["horse"]),
        ("art_image_vqa_0166", "17100-3rome12.jpg", "what color is the sky", ["blue", "light blue"]),
    ]
    t[f"{c}/ArtImageVisualQuestionAnswering"] = {
        "art_image_visual_question_answering.json": js(
            {
                **header(
                    "Art Image Visual Question Answering",
                    "image comprehension",
                    ["image", "text"],
                    ["text"],
                    data_source="AQUA",
                    skill="Image Visual Question Answering",
                    domain="Art",
                    general_capability="Content Recognition, Reasoning Ability",
                ),
                "data": [
                    {"id": i, "input": {"image_file": f, "prompt": p}, "output": {"text": a}} for i, f, p, a in art
                ],
            }
        ),
        **{f"images/{f}": jpg(40 + n) for n, (_, f, _, _) in enumerate(art)},
    }
    chem = [
        ("ckv0027", "6272_image.png", "Solution B"),
        ("ckv0028", "6273_image.png", "Solution A"),
        ("ckv0029", "6274_image.png", "neither; their concentrations are the same"),
    ]
    t[f"{c}/chemistry_vqa"] = {
        "json/annotation.json": js(
            {
                **header(
                    "chemistry vqa",
                    "image comprehension",
                    ["image", "text"],
                    ["text"],
                    domain=["Chemistry"],
                    capability=["Reasoning Ability"],
                    skill="Image Visual Question Answering",
                ),
                "data": [
                    {
                        "id": i,
                        "input": {
                            "image_file": f,
                            "question": "Which solution has a higher concentration of green "
                            "particles? The candidate choices are ['Solution B', 'Solution A', "
                            "'neither; their concentrations are the same'].",
                            "prompt": "Please answer the question based on the image, selecting one from the "
                            "given choices.",
                        },
                        "output": {"text": a},
                    }
                    for i, f, a in chem
                ],
            }
        ),
        **{f"images/{f}": png(50 + n) for n, (_, f, _) in enumerate(chem)},
    }
    g = "image/generation"
    t[f"{g}/Text-to-Image-Insect-Generation"] = {
        "annotation.json": js(
            {
                **header("Text-to-Image Insect Generation", "generation", ["text"], ["image"]),
                "data": [
                    {"id": f"ins{n}", "input": {"prompt": p}, "output": {"image_file": f"images/ins{n}.png"}}
                    for n, p in enumerate(
                        ["a ladybug on a green leaf", "a blue dragonfly over water", "a honeybee on a flower"]
                    )
                ],
            }
        ),
        **{f"images/ins{n}.png": png(60 + n) for n in range(3)},
    }
    t[f"{g}/Text-based-Image-Editing"] = {
        "annotation.json": js(
            {
                **header("Text-based Image Editing", "generation", ["image", "text"], ["image"]),
                "data": [
                    {"id": f"edit{n}", "input": {"image_file": f"src{n}.png", "prompt": p}}
                    for n, p in enumerate(["make the sky red", "add snow to the ground", "turn the car blue"])
                ],
            }
        ),
        **{f"images/src{n}.png": png(70 + n) for n in range(3)},
    }
    # weight-free generation (PSNR): the demo scores it offline
    t[f"{g}/Image-Deraining"] = {
        "annotation.json": js(
            {
                **header("Image Deraining", "generation", ["image", "text"], ["image"]),
                "data": [
                    {"id": f"derain{n}", "input": {"image_file": f"rain{n}.png", "prompt": "remove the rain"},
                     "output": {"image_file": f"clean{n}.png"}}
                    for n in range(3)
                ],
            }
        ),
        **{f"images/rain{n}.png": smooth_png(80 + n, noise=25.0) for n in range(3)},
        **{f"images/clean{n}.png": smooth_png(80 + n) for n in range(3)},
    }
    return t


def video_tasks() -> dict[str, Files]:
    t: dict[str, Files] = {}
    c = "video/comprehension"
    agri = [
        ("agri_001", "v1", "What is the farmer doing?", "harvesting wheat"),
        ("agri_002", "v2", "What crop is shown?", "corn"),
        ("agri_003", "v1", "What vehicle is in the field?", "a tractor"),
    ]
    t[f"{c}/AgricultureVideoQuestionAnswering"] = {
        "annotation.json": js(
            {
                **header("AgricultureVideoQuestionAnswering", "video comprehension", ["video", "text"], ["text"]),
                "data": [
                    {
                        "id": i,
                        "input": {"video_file_list": [f"{v}/0001.jpg", f"{v}/0002.jpg"], "prompt": p},
                        "output": {"text": a},
                    }
                    for i, v, p, a in agri
                ],
            }
        ),
        **{f"videos/{v}/000{k}.jpg": jpg(80 + 10 * n + k, 16) for n, v in enumerate(("v1", "v2")) for k in (1, 2)},
    }
    shows = [
        ("tv_001", "clip1.mp4", "Friends"),
        ("tv_002", "clip2.mp4", "Seinfeld"),
        ("tv_003", "clip1.mp4", "Friends"),
    ]
    t[f"{c}/TVShowRecognition"] = {
        "annotation.json": js(
            {
                **header("TVShowRecognition", "video comprehension", ["video", "text"], ["text"]),
                "data": [
                    {
                        "id": i,
                        "input": {"video_file": f, "prompt": "Which TV show is this clip from?"},
                        "output": {"text": a},
                    }
                    for i, f, a in shows
                ],
            }
        ),
        "videos/clip1.mp4": mp4(1),
        "videos/clip2.mp4": mp4(2),
    }

    def vos_zip(prefix: str, seed: int, prompt: str | None) -> bytes:
        files: Files = {}
        data = []
        for n, vid in enumerate(("v1", "v2")):
            for k in range(2):
                files[f"JPEGImages/{vid}/{k:05d}.jpg"] = jpg(seed + 10 * n + k)
            inp: dict[str, Any] = {"video_folder": f"JPEGImages/{vid}"}
            if prompt:
                inp["prompt"] = prompt
            data.append(
                {
                    "id": f"{prefix}_{n + 1:03d}",
                    "input": inp,
                    "output": {str(k): {"mask": rle(seed + 10 * n + k)} for k in range(2)},
                }
            )
        files["annotation.json"] = js({**header(prefix, "video comprehension", ["video"], ["mask"]), "data": data})
        return zip_bytes(files)

    t[c] = {
        "AnimalVOS.zip": vos_zip("AnimalVOS", 100, None),
        "AutomobileVideoObjectSegmentation.zip": vos_zip("AutomobileVideoObjectSegmentation", 120, None),
    }
    t[f"{c}/BallTrack"] = {
        "BallTrack.json": js(
            {
                **header("Ball Tracking", "BallTrack", ["video", "text"], ["boxes"]),
                "data": [
                    {
                        "id": "t1",
                        "input": {"video_folder": "frames/t1", "prompt": "Track the ball"},
                        "output": {"answer": [[4, 4, 4, 4], [5, 4, 4, 4]]},
                    }
                ],
            }
        ),
        "frames/t1/0001.jpg": jpg(140),
        "frames/t1/0002.jpg": jpg(141),
    }
    t[f"{c}/StaticActionDet"] = {
        "annotation.json": js(
            {
                **header("StaticActionDet", "video comprehension", ["video", "text"], ["boxes"]),
                "data": [
                    {
                        "original_video_id": "v_0001",
                        "video_path": "x.mp4",
                        "frame_count": 4,
                        "caption": "the man in red jumps",
                        "tube_start_frame": 2,
                        "tube_end_frame": 3,
                        "trajectory": [[1, 1, 8, 8], [2, 1, 8, 8]],
                    }
                ],
            }
        ),
        "videos/x.mp4": mp4(3),
    }
    t[f"{c}/HumanVG"] = {
        "annotation.json": js(
            {
                **header("HumanVG", "video comprehension", ["video", "text"], ["boxes"]),
                "data": [
                    {
                        "original_video_id": "y_0001",
                        "video_path": "y.mp4",
                        "frame_count": 4,
                        "caption": "the child holding a ball",
                        "tube_start_frame": 0,
                        "tube_end_frame": 1,
                        "trajectory": {"0": {"bbox": [1, 2, 6, 6]}, "1": {"bbox": [2, 2, 6, 6]}},
                    }
                ],
            }
        ),
        "videos/y.mp4": mp4(4),
    }
    t[f"{c}/StaticVDE"] = {
        "annotation.json": js(
            {
                **header("StaticVDE", "video comprehension", ["video"], ["depth"]),
                "data": [{"id": "vde_001", "input": "c.mp4", "output": "c.npz"}],
            }
        ),
        "video/c.mp4": mp4(5),
        "depth/c.npz": npz_disparity(5),
    }
    g = "video/generation"
    t[f"{g}/AthleticsT2V"] = {
        "annotation.json": js(
            {
                **header("Athletics T2V", "generation", ["text"], ["video"]),
                "data": [
                    {"id": f"a{n}", "input": {"prompt": p}}
                    for n, p in enumerate(
                        [
                            "a sprinter crossing the finish line",
                            "a high jumper clearing the bar",
                            "a relay baton handoff",
                        ],
                        1,
                    )
                ],
            }
        ),
        # FVD tasks compare against a folder of real videos next to the annotation
        "videos/real_01.mp4": mp4(8),
        "videos/real_02.mp4": mp4(9),
        "videos/real_03.mp4": mp4(10),
    }
    t[f"{g}/PlantI2V"] = {
        "annotation.json": js(
            {
                **header("Plant I2V", "generation", ["image", "text"], ["video"]),
                "data": [
                    {"id": f"p{n}", "input": {"prompt": p, "image": f"images/000{n}.jpg"}}
                    for n, p in enumerate(["leaves sway in the wind", "a flower opens slowly"], 1)
                ],
            }
        ),
        "images/0001.jpg": jpg(150),
        "images/0002.jpg": jpg(151),
    }
    # weight-free generation (PSNR over frames): the demo scores it offline
    t[f"{g}/Video-Denoising"] = {
        "annotation.json": js(
            {
                **header("Video Denoising", "generation", ["video", "text"], ["video"]),
                "data": [
                    {"id": f"vdn{n}", "input": {"video_file": f"noisy{n}.mp4", "prompt": "remove the noise"},
                     "output": {"video_file": f"clean{n}.mp4"}}
                    for n in range(3)
                ],
            }
        ),
        **{f"videos/noisy{n}.mp4": mp4(170 + n, noise=20.0) for n in range(3)},
        **{f"videos/clean{n}.mp4": mp4(170 + n) for n in range(3)},
    }
    return t


def audio_tasks() -> dict[str, Files]:
    t: dict[str, Files] = {}
    c = "audio/comprehension"
    acc = [
        ("acc_0001", "spk1\\s1.wav", "british"),
        ("acc_0002", "spk1\\s2.wav", "american"),
        ("acc_0003", "spk2\\s1.wav", "indian"),
    ]
    t[f"{c}/AccentClassification"] = {
        "accent_classification.json": js(
            {
                **header("Accent Classification", "audio comprehension", ["audio", "text"], ["text"]),
                "data": [
                    {
                        "id": i,
                        "input": {"audio_file": f, "prompt": "What is the accent of the speaker?"},
                        "output": {"text": a},
                    }
                    for i, f, a in acc
                ],
            }
        ),
        **{"audios/" + f.replace("\\", "/"): wav(200 + n) for n, (_, f, _) in enumerate(acc)},
    }
    t[f"{c}/BirdSoundDetection"] = {
        "annotation.json": js(
            {
                **header("Bird Sound Detection", "audio comprehension", ["audio", "text"], ["text"]),
                "data": [
                    {
                        "id": f"bsd_{n}",
                        "input": {"audio_file": f"b{n}.wav", "prompt": "Is there a bird singing? 1 = Yes, 0 = No"},
                        "output": {"text": v},
                    }
                    for n, v in enumerate([1, 0, 1])
                ],
            }
        ),
        **{f"audios/b{n}.wav": wav(210 + n) for n in range(3)},
    }
    t[f"{c}/NoteQualitiesAnalysis"] = {
        "annotation.json": js(
            {
                **header("Note Qualities Analysis", "audio comprehension", ["audio", "text"], ["text"]),
                "data": [
                    {
                        "id": f"nqa_{n}",
                        "input": {"audio_file": f"n{n}.wav", "prompt": "Which qualities does the note have?"},
                        "output": {"text": v},
                    }
                    for n, v in enumerate([["bright", "percussive"], ["dark"], ["distortion", "long_release"]])
                ],
            }
        ),
        **{f"audios/n{n}.wav": wav(220 + n) for n in range(3)},
    }
    t[f"{c}/IntentClassification"] = {
        "annotation.json": js(
            {
                **header("Intent Classification", "audio comprehension", ["audio", "text"], ["text"]),
                "intent_label": {
                    "action": {"a": "activate", "b": "deactivate"},
                    "object": {"o": "lights", "p": "music"},
                    "location": {"l": "kitchen", "m": "none"},
                },
                "data": [
                    {
                        "id": f"int_{n}",
                        "input": {"audio_file": f"i{n}.wav", "prompt": "What is the intent?"},
                        "output": {"text": v},
                    }
                    for n, v in enumerate(["a o l", "b p m", "a p l"])
                ],
            }
        ),
        **{f"audios/i{n}.wav": wav(230 + n) for n in range(3)},
    }
    t[c] = {
        "prediction.json": js(
            [{"model": "some-model", "task": "AccentClassification", "metric": "ACC", "score": "0.5"}]
        )
    }
    g = "audio/generation"
    t[f"{g}/VideoToAudio"] = {
        "annotation.json": js(
            {
                **header("Video To Audio", "generation", ["video", "text"], ["audio"]),
                "data": [
                    {
                        "id": f"v2a_{n}",
                        "input": {"video_file": f"r{n}.mp4", "prompt": "generate the matching sound"},
                        "output": {"audio_file": f"r{n}.wav"},
                    }
                    for n in (1, 2)
                ],
            }
        ),
        "audios/r1.wav": wav(240),
        "audios/r2.wav": wav(241),
        "videos/r1.mp4": mp4(6),
        "videos/r2.mp4": mp4(7),
    }
    t[f"{g}/TextToSpeech"] = {
        "annotation.json": js(
            {
                **header("Text To Speech", "generation", ["text"], ["audio"]),
                "data": [
                    {"id": f"tts_{n}", "input": {"prompt": p}, "output": {"audio_file": f"ref{n}.wav"}}
                    for n, p in enumerate(
                        ["Good morning, everyone.", "The train leaves at nine.", "Thank you for listening."]
                    )
                ],
            }
        ),
        **{f"audios/ref{n}.wav": wav(250 + n) for n in range(3)},
    }
    # weight-free generation (MCD against the reference speech): the demo scores it offline
    emotions = ["happily", "sadly", "angrily", "calmly"]
    t[f"{g}/EmotionalSpeechSynthesis"] = {
        "annotation.json": js(
            {
                **header("EmotionalSpeechSynthesis", "generation", ["text"], ["audio"]),
                "data": [
                    {"id": f"emo_{n}", "input": {"prompt": f"Say 'see you tomorrow' {e}."},
                     "output": {"audio_file": f"emo{n}.wav"}}
                    for n, e in enumerate(emotions)
                ],
            }
        ),
        **{f"audios/emo{n}.wav": wav(260 + n, seconds=0.2) for n in range(4)},
    }
    return t


def three_d_tasks(closeset: bool) -> dict[str, Files]:
    t: dict[str, Files] = {}
    archive = "close.tar.gz" if closeset else "open.tar.gz"
    cls = [("pc_001", "chair", "npy"), ("pc_002", "table", "npy"), ("pc_003", "sofa", "ply")]
    cls_files: Files = {
        "annotation.json": js(
            {
                **header("3D Furniture Classification", "3d comprehension", ["pointcloud", "text"], ["text"]),
                "data": [
                    {
                        "id": i,
                        "input": {"pointcloud_file": f"{i}.{ext}", "prompt": "What furniture is this?"},
                        "output": {"text": a},
                    }
                    for i, a, ext in cls
                ],
            }
        ),
        **{f"pointclouds/{i}.{ext}": (npy if ext == "npy" else ply)(300 + n) for n, (i, _, ext) in enumerate(cls)},
    }
    t["3D/comprehension/3d_classification"] = {archive: cls_files}  # packed later (after output stripping)
    veh = [("veh_001", "car"), ("veh_002", "bus"), ("veh_003", "bicycle")]
    t["3D/comprehension/3d_vehicle_classification"] = {
        "annotation.json": js(
            {
                **header("3D Vehicle Classification", "3d comprehension", ["pointcloud", "text"], ["text"]),
                "data": [
                    {
                        "id": i,
                        "input": {"pointcloud_file": f"{i}.npy", "prompt": "Which vehicle is this?"},
                        "output": {"text": a},
                    }
                    for i, a in veh
                ],
            }
        ),
        **{f"pointclouds/{i}.npy": npy(320 + n) for n, (i, _) in enumerate(veh)},
    }
    i23 = {
        "annotation.json": js(
            {
                **header("Living and Arts Image to 3D Mesh Generation", "generation", ["image"], ["mesh"]),
                "data": [
                    {
                        "id": f"i23_{n}",
                        "input": {"image_file": f"obj{n}.png", "prompt": "a 3D model of the object"},
                        "output": {"pointcloud_file": f"obj{n}.ply"},
                    }
                    for n in range(2)
                ],
            }
        ),
        **{f"images/obj{n}.png": png(340 + n) for n in range(2)},
        **{f"pointclouds/obj{n}.ply": ply(350 + n) for n in range(2)},
    }
    t["3D/generation/image_2_3d_mesh"] = {archive: i23}
    t["3D/generation/text_2_3d_mesh_gen"] = {
        "annotation.json": js(
            {
                **header("Text to 3D Living and Arts Mesh Generation", "generation", ["text"], ["mesh"]),
                "data": [
                    {"id": f"t23_{n}", "input": {"prompt": p}, "output": {"pointcloud_file": f"t23_{n}.ply"}}
                    for n, p in enumerate(["a wooden chair", "a ceramic vase", "a reading lamp"])
                ],
            }
        ),
        # reference shapes (the documented layout keeps them in pointclouds/): the ground-truth oracle copies them
        **{f"pointclouds/t23_{n}.ply": ply(360 + n) for n in range(3)},
    }
    # weight-free generation (Chamfer distance): complete a partial scan; the demo scores it offline
    full = {n: _rng(370 + n).standard_normal((24, 3)) for n in range(3)}
    t["3D/generation/3D-Point-Cloud-Completion"] = {
        "annotation.json": js(
            {
                **header("3D Point Cloud Completion", "generation", ["pointcloud", "text"], ["pointcloud"]),
                "data": [
                    {"id": f"pcc_{n}", "input": {"pointcloud_file": f"partial{n}.ply",
                                                  "prompt": "complete the point cloud"},
                     "output": {"pointcloud_file": f"full{n}.ply"}}
                    for n in range(3)
                ],
            }
        ),
        **{f"pointclouds/partial{n}.ply": ply_points(xyz[xyz[:, 2] > 0]) for n, xyz in full.items()},
        **{f"pointclouds/full{n}.ply": ply_points(xyz) for n, xyz in full.items()},
    }
    return t


# ----------------------------------------------------------------------------- assembly
def _strip_outputs(content: bytes) -> bytes:
    """Closeset version of an annotation file: outputs removed, ``set_type`` "closeset"."""
    doc = json.loads(content)
    doc = copy.deepcopy(doc)
    doc["set_type"] = "closeset"
    for sample in doc.get("data", []):
        sample.pop("output", None)
        for key in ("trajectory", "tube_start_frame", "tube_end_frame"):
            sample.pop(key, None)
    return js(doc)


def _is_annotation(name: str) -> bool:
    return name.endswith(".json") and Path(name).name != "prediction.json"


def openset_or_closeset(closeset: bool) -> Files:
    tasks: dict[str, Files] = {
        **nlp_tasks(),
        **image_tasks(),
        **video_tasks(),
        **audio_tasks(),
        **three_d_tasks(closeset),
    }
    out: Files = {
        "README.md": (
            b"# General-Bench sample tree\n\nGenerated by tools/make_sample_data.py; all values are invented.\n"
            + (b"Closeset: inputs only, no outputs.\n" if closeset else b"Openset: inputs and ground truth.\n")
        ),
        ".gitattributes": b"# the real repository tracks *.json, *.zip and *.tar.gz with Git LFS (not here)\n",
    }
    transform: Callable[[bytes], bytes] = _strip_outputs if closeset else (lambda b: b)
    for folder, files in tasks.items():
        for name, content in files.items():
            if closeset and Path(name).name == "prediction.json":
                continue
            if isinstance(content, dict):  # a task archive: files to pack
                inner = {n: transform(c) if _is_annotation(n) else c for n, c in content.items()}
                out[f"{folder}/{name}"] = targz_bytes(inner)
            elif name.endswith(".zip") and closeset:
                with zipfile.ZipFile(io.BytesIO(content)) as zf:
                    inner = {i.filename: zf.read(i) for i in zf.infolist()}
                out[f"{folder}/{name}"] = zip_bytes(
                    {n: transform(c) if _is_annotation(n) else c for n, c in inner.items()}
                )
            else:
                out[f"{folder}/{name}"] = transform(content) if _is_annotation(name) else content
    return out


def legacy_casing() -> Files:
    """The documented (stale) casing: NLP/, Image/, 3d/ with Kebab-Case task folders."""
    causal = json.loads(nlp_tasks()["nlp/Causal-Reasoning"]["annotation.json"])
    bird = image_tasks()["image/comprehension/BirdDetection"]
    bird_doc = json.loads(bird["bird_detection.json"])
    return {
        "NLP/Causal-Reasoning/annotation.json": js(causal),
        "Image/comprehension/Bird-Detection/annotation.json": js(bird_doc),
        **{f"Image/comprehension/Bird-Detection/{k}": v for k, v in bird.items() if k.startswith("images/")},
        "3d/comprehension/3D-Furniture-Classification/annotation.json": js(
            {
                **header("3D Furniture Classification", "3d comprehension", ["pointcloud", "text"], ["text"]),
                "data": [
                    {
                        "id": "pc_101",
                        "input": {"pointcloud_file": "pointclouds/pc_101.npy", "prompt": "What furniture is this?"},
                        "output": {"text": "bed"},
                    }
                ],
            }
        ),
        "3d/comprehension/3D-Furniture-Classification/pointclouds/pc_101.npy": npy(400),
    }


def build() -> dict[str, Files]:
    """Every tree as ``{tree name: {relative path: bytes}}``."""
    return {
        "General-Bench-Openset": openset_or_closeset(closeset=False),
        "General-Bench-Closeset": openset_or_closeset(closeset=True),
        "legacy-casing": legacy_casing(),
    }


def write(out: Path) -> int:
    """(Re)write the trees under ``out``; returns the number of bytes written."""
    total = 0
    for tree, files in build().items():
        target = out / tree
        if target.exists():
            shutil.rmtree(target)
        for rel, content in sorted(files.items()):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            total += len(content)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    args = parser.parse_args()
    total = write(args.out)
    print(f"wrote {', '.join(TREES)} under {args.out} ({total} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
