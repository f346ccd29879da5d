"""Where the oracle scripts find a model: zoo slugs, the seed roster, any local directory, and how they load it.

A slug is a zoo model (models/zoo/<slug>) or a roster entry (models/roster.json) whose
checkpoint a user has placed in its local_dir. Any other argument that is a directory is a
local Hugging Face checkpoint (config.json, tokenizer.json, SafeTensors) of a supported
family; its records go under the directory's base name. Two runtimes load it:
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
import configs  # noqa: E402
import encoders  # noqa: E402
import reference  # noqa: E402
import safetensors_io  # noqa: E402
import variants  # noqa: E402

ZOO_DIR = os.path.join(ROOT, "models", "zoo")
ROSTER_FILE = os.path.join(ROOT, "models", "roster.json")
ZOO_SLUGS = sorted([*configs.FAMILY, *variants.VARIANTS])


def roster():
    with open(ROSTER_FILE, encoding="utf-8") as f:
        return {m["slug"]: m for m in json.load(f)["models"]}


SUPPORTED_ARCHITECTURES = tuple(reference.ARCHITECTURES)


def is_local_dir(arg):
    return arg not in ZOO_SLUGS and os.path.isdir(arg)


def name_of(arg):
    """The name a model's records go under: the slug, or a local directory's base name."""
    return os.path.basename(os.path.normpath(arg)) if is_local_dir(arg) else arg


def resolve_local(path):
    """(directory, id) of a local checkpoint, after checking it is one the reference can run."""
    model_dir = os.path.abspath(path)
    config_file = os.path.join(model_dir, "config.json")
    for needed in ("config.json", "tokenizer.json"):
        if not os.path.exists(os.path.join(model_dir, needed)):
            raise SystemExit("%s: no %s; a Hugging Face checkpoint directory has config.json, tokenizer.json and SafeTensors" % (model_dir, needed))
    if not safetensors_io.weight_files(model_dir):
        raise SystemExit("%s: no .safetensors weights" % model_dir)
    with open(config_file, encoding="utf-8") as f:
        cfg = json.load(f)
    arch = (cfg.get("architectures") or [None])[0]
    if arch not in SUPPORTED_ARCHITECTURES:
        raise SystemExit("%s: architecture %r (model_type %r) is not a supported family; the reference implements %s"
                         % (config_file, arch, cfg.get("model_type"), ", ".join(SUPPORTED_ARCHITECTURES)))
    return model_dir, cfg.get("_name_or_path") or "local/" + name_of(path)


def resolve(slug):
    """(model directory, Hugging Face style id) of a slug or a local directory; an error names what is missing."""
    if slug in ZOO_SLUGS:
        return os.path.join(ZOO_DIR, slug), "refute-zoo/" + slug
    if is_local_dir(slug):
        return resolve_local(slug)
    entries = roster()
    if slug not in entries:
        raise SystemExit("unknown model %r: not a directory; zoo slugs are %s, roster slugs are %s"
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


def files_sha256(model_dir):
    """sha256 of every file the reference reads: config.json, tokenizer.json and the weights."""
    names = ["config.json", "tokenizer.json"] + list(safetensors_io.weight_files(model_dir))
    return {name: sha256_file(os.path.join(model_dir, name)) for name in names}


def provenance(slug, model_dir):
    """Extra record fields for a checkpoint outside the zoo: where it was and its files' hashes."""
    return {} if slug in ZOO_SLUGS else {"model_dir": model_dir, "files_sha256": files_sha256(model_dir)}


def load_encoder(model_dir):
    try:
        return encoders.load(model_dir)
    except ValueError as e:
        raise SystemExit("unsupported tokenizer: %s (the oracle's encoder implements the byte-level BPE of the gpt2, llama and qwen2 families and the SentencePiece-style BPE of spm.py)" % e)


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


def half_matmul_on_cpu():
    try:
        torch.ones(2, 2, dtype=torch.float16) @ torch.ones(2, 2, dtype=torch.float16)
        return True
    except RuntimeError:
        return False


def round_to_half(model):
    """Weights rounded to float16 in place; every leaf module's output rounded on the way out."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())

    def hook(_module, _inputs, output):
        return output.half().float() if torch.is_tensor(output) and output.is_floating_point() else output

    for m in model.modules():
        if not list(m.children()):
            m.register_forward_hook(hook)


class LoadedModel:
    """logits(ids, prompt_len) -> [T, V] fp32 for one sequence, full recompute, no cache.
    prompt_len: where generation began, for dynamic RoPE, whose rotations depend on the calls
    (reference.call_lengths); None: all of ids is one call."""

    def __init__(self, model_dir, runtime, device, precision):
        self.model_dir, self.runtime, self.device = model_dir, runtime, device
        self.dtype = getattr(torch, precision)
        # float16 on a CPU whose torch has no float16 matmul (1.13): float32 arithmetic with the
        # weights and every module's output rounded to float16, as a float16 GEMM with float32
        # accumulation leaves them
        self.emulation = None
        if self.dtype == torch.float16 and device == "cpu" and not half_matmul_on_cpu():
            self.emulation = "float32 arithmetic; weights and every module's output rounded to float16 (torch %s has no float16 matmul on the CPU)" % torch.__version__
            self.dtype = torch.float32
        if runtime == "transformers":
            from transformers import AutoModelForCausalLM
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=self.dtype).to(device).eval()
        else:
            with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
                cfg = json.load(f)
            tensors = {k: v.to(self.dtype) for k, v in safetensors_io.load_dir(model_dir).items()}
            model = reference.build_model(cfg).to(self.dtype)
            self.model = reference.load_state(model, tensors).to(device).eval()
        if self.emulation:
            round_to_half(self.model)

    @torch.no_grad()
    def logits(self, ids, prompt_len=None):
        x = torch.tensor([ids], dtype=torch.int64, device=self.device)
        if self.runtime == "transformers":
            out = self.hf_logits(x, prompt_len)
        else:
            out = self.model(x, prompt_len)
        return out[0].float().cpu()

    def hf_logits(self, x, prompt_len):
        """Without a cache, but for dynamic RoPE past the prompt: the prompt as one call and
        every later token as its own over the cache, as generate() runs them."""
        with open(os.path.join(self.model_dir, "config.json"), encoding="utf-8") as f:
            dynamic = reference.rope_scaling_of(json.load(f))[1] == "dynamic"
        if not dynamic or prompt_len is None or prompt_len >= x.shape[1]:
            return self.model(input_ids=x, use_cache=False).logits
        out = self.model(input_ids=x[:, :prompt_len], use_cache=True)
        parts, past = [out.logits], out.past_key_values
        for t in range(prompt_len, x.shape[1]):
            out = self.model(input_ids=x[:, t:t + 1], past_key_values=past, use_cache=True)
            parts.append(out.logits)
            past = out.past_key_values
        return torch.cat(parts, dim=1)


def check_hf_tokenizer(model_dir, text, ids):
    """With transformers installed, Hugging Face's own tokenizer must give the same ids."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(model_dir)
    hf_ids = tok(text)["input_ids"]  # with the special tokens its post-processor adds, as encode_prompt
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
    """Atomically: a reader (or an interrupted run) sees the old file or the new one, never part of one."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(to_json(obj) + "\n")
    os.replace(tmp, path)
