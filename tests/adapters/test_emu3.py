"""emu3 adapter on a tiny random Emu3ForConditionalGeneration: understanding + constrained text-to-image."""

from __future__ import annotations

from PIL import Image

from model_adapters.emu3 import Emu3
from model_adapters.media_output import is_failure, parse_response


def test_emu3_understands_and_generates(tiny_emu3, fake_task, tmp_path) -> None:
    model = Emu3(
        pretrained=str(tiny_emu3), image_area=256, output_dir=str(tmp_path), batch_size=2, max_new_tokens=4, top_k=8
    )
    fake_task.add("a red cat", sample_id="g1", generation_kind="text_to_image")
    fake_task.add("a dog", sample_id="g2", generation_kind="text_to_image")
    fake_task.add("What is it?", [Image.new("RGB", (16, 16), "red")], sample_id="qa")
    out = fake_task.run(model)
    for i in (0, 1):
        assert not is_failure(out[i]), out[i]
        assert Image.open(parse_response(out[i])["images"][0]).size[0] > 0
    assert not is_failure(out[2]), out[2]
