"""janus adapter on a tiny random JanusForConditionalGeneration: understanding + text-to-image files."""

from __future__ import annotations

import re

from PIL import Image

from model_adapters.janus import Janus
from model_adapters.media_output import is_failure, parse_response


def test_janus_understands_and_generates(tiny_janus, fake_task, tmp_path) -> None:
    model = Janus(pretrained=str(tiny_janus), output_dir=str(tmp_path), batch_size=2, max_new_tokens=4)
    fake_task.add("a red cat", sample_id="g1", generation_kind="text_to_image")
    fake_task.add("a blue dog", sample_id="g2", generation_kind="text_to_image")
    fake_task.add("What is it?", [Image.new("RGB", (20, 20), "red")], sample_id="qa")
    fake_task.add("make it blue", [Image.new("RGB", (20, 20))], sample_id="edit", generation_kind="image_edit")
    out = fake_task.run(model)
    for i in (0, 1):
        path = parse_response(out[i])["images"][0]
        assert re.search(rf"/g{i + 1}_[0-9a-f]{{16}}_0\.png$", path) and Image.open(path).size == (8, 8)
    assert isinstance(out[2], str) and not is_failure(out[2])
    assert is_failure(out[3]) and "janus cannot do image_edit" in out[3]
