"""Zoo variants: a trained zoo model's weights and tokenizer under another config.json.

tiny-llama-rope-scaled is tiny-llama with Llama 3.1's RoPE scaling (rope_type llama3, factor 4
over its original 512 positions: a context of 2,048), so RoPE scaling has a subject whose
oracle the reference computes (scripts/zoo/reference.py, rope_inv_freq). llama3 rather than
yarn: the weights were not trained for either, and yarn's attention factor leaves a greedy
step of the oracle prompts within 0.5 nats of a tie (0.38), llama3 none (0.71 at worst). tiny-llama-rope-dynamic is tiny-llama under dynamic (NTK-aware) scaling, factor 4: its config
keeps max_position_embeddings 512, past which the base grows with the length of each forward
call (2,048 positions offered). Run after training (build.sh does);
writes models/zoo/<variant>/ from models/zoo/<base>/, deterministically.

Usage: variants.py
"""

import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "models", "zoo")

VARIANTS = {
    "tiny-llama-rope-scaled": {
        "base": "tiny-llama",
        "config": {
            "max_position_embeddings": 2048,
            "rope_scaling": {"rope_type": "llama3", "factor": 4.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 512},
        },
    },
    "tiny-llama-rope-dynamic": {
        "base": "tiny-llama",
        "config": {
            "rope_scaling": {"rope_type": "dynamic", "factor": 4.0},
        },
    },
}


def write_variant(slug, spec):
    base, out = os.path.join(ZOO_DIR, spec["base"]), os.path.join(ZOO_DIR, slug)
    os.makedirs(out, exist_ok=True)
    for name in sorted(os.listdir(base)):
        if name != "config.json" and os.path.isfile(os.path.join(base, name)):
            shutil.copyfile(os.path.join(base, name), os.path.join(out, name))
    with open(os.path.join(base, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    config.update(spec["config"])
    with open(os.path.join(out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    print("%s: %s with %s" % (slug, spec["base"], json.dumps(spec["config"], sort_keys=True)))


def main():
    for slug, spec in sorted(VARIANTS.items()):
        write_variant(slug, spec)


if __name__ == "__main__":
    main()
