"""The oracle's encoder for a model directory: byte-level BPE (bpe.py) or SentencePiece-style
BPE with byte fallback (spm.py), recognised from its tokenizer.json. Both have encode(text),
encode_prompt(text) (with the BOS the tokenizer's post-processor adds, if any) and decode(ids).
"""

import json
import os

import bpe
import spm


def load(model_dir):
    path = os.path.join(model_dir, "tokenizer.json")
    with open(path, encoding="utf-8") as f:
        tj = json.load(f)
    if tj.get("model", {}).get("byte_fallback"):
        return spm.Encoder.from_file(path)
    return bpe.Encoder.from_file(path)
