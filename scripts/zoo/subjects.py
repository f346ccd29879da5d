"""Where the oracle scripts find a model: zoo slugs and the seed roster, and how they load it.

A slug is a zoo model (models/zoo/<slug>) or a roster entry (models/roster.json) whose
checkpoint a user has placed in its local_dir. Two runtimes load it:
  torch-reference  scripts/zoo/reference.py + the hand-written SafeTensors reader
  transformers     AutoModelForCausalLM, when transformers can be imported
Both tokenize with scripts/zoo/bpe.py; with transformers, Hugging Face's tokenizer must agree.
"""

import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bpe  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402

ZOO_DIR = os.path.join(ROOT, "models", "zoo")
ROSTER_FILE = os.path.join(ROOT, "models", "roster.json")
ZOO_SLUGS = sorted(bpe.ZOO_FAMILY)


def roster():
    with open(ROSTER_FILE, encoding="utf-8") as f:
        return {m["slug"]: m for m in json.load(f)["models"]}


def resolve(slug):
    """(model directory, Hugging Face style id) of a slug; an error names what is missing."""
    if slug in ZOO_SLUGS:
        return os.path.join(ZOO_DIR, slug), "refute-zoo/" + slug
    entries = roster()
    if slug not in entries:
        raise SystemExit("unknown model %r: zoo slugs are %s, roster slugs are %s"
                         % (slug, ", ".join(ZOO_SLUGS), ", ".join(sorted(entries))))
    local = os.path.join(ROOT, entries[slug]["local_dir"])
    if not os.path.exists(os.path.join(local, "config.json")):
        raise SystemExit("model %s (%s) is not present in %s" % (slug, entries[slug]["hf_id"], local))
    return local, entries[slug]["hf_id"]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def weights_sha256(model_dir):
    return {name: sha256_file(os.path.join(model_dir, name)) for name in safetensors_io.weight_files(model_dir)}


def load_encoder(model_dir):
    return bpe.Encoder.from_file(os.path.join(model_dir, "tokenizer.json"))


def transformers_version():
    try:
        import transformers
        return transformers.__version__
    except ImportError:
        return None


def pick_runtime(requested):
    if requested == "auto":
        return "transformers" if transformers_version() else "torch-reference"
    if requested == "transformers" and not transformers_version():
        raise SystemExit("--runtime transformers: transformers cannot be imported")
    return requested


class LoadedModel:
    """logits(ids) -> [T, V] fp32 for one sequence, full recompute, no cache."""

    def __init__(self, model_dir, runtime, device, precision):
        self.runtime, self.device = runtime, device
        self.dtype = getattr(torch, precision)
        if runtime == "transformers":
            from transformers import AutoModelForCausalLM
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=self.dtype).to(device).eval()
        else:
            with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            tensors = {k: v.to(self.dtype) for k, v in safetensors_io.load_dir(model_dir).items()}
            model = reference.build_model(cfg).to(self.dtype)
            self.model = reference.load_state(model, tensors).to(device).eval()

    @torch.no_grad()
    def logits(self, ids):
        x = torch.tensor([ids], dtype=torch.int64, device=self.device)
        if self.runtime == "transformers":
            out = self.model(input_ids=x, use_cache=False).logits
        else:
            out = self.model(x)
        return out[0].float().cpu()


def check_hf_tokenizer(model_dir, text, ids):
    """With transformers installed, Hugging Face's own tokenizer must give the same ids."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model_dir)
    hf_ids = tok(text, add_special_tokens=False)["input_ids"]
    if hf_ids != ids:
        raise SystemExit("tokenizer disagreement on %r: bpe.py %s, transformers %s" % (text, ids, hf_ids))


def is_scalar(v):
    return v is None or isinstance(v, (bool, int, float, str))


def to_json(obj, indent=0):
    """JSON with 2-space indents where lists of scalars and flat objects stay on one line.
    Deterministic (insertion order, Python's float repr), so regeneration is byte-identical."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(obj, dict):
        if obj and all(is_scalar(v) for v in obj.values()) and len(obj) <= 3:
            return "{" + ", ".join("%s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False)) for k, v in obj.items()) + "}"
        if not obj:
            return "{}"
        items = ["%s%s: %s" % (inner, json.dumps(k, ensure_ascii=False), to_json(v, indent + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(is_scalar(v) for v in obj):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in obj) + "]"
        return "[\n" + ",\n".join(inner + to_json(v, indent + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(to_json(obj) + "\n")
