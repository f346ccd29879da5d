"""Layer-by-layer traces of the PyTorch reference: the activations at each named point of each
layer, for every position of a prompt followed by the oracle's first greedy tokens.

For each model and prompt asked: run scripts/zoo/reference.py (fp32, cpu, full sequence, no
cache) on the prompt's ids and the first TRACE_TOKENS tokens of oracle/<slug>/<prompt>.json,
record the points below through forward hooks (the reference's code is not changed), and write

  <out>/<slug>/<prompt>.trace.f32   every point's values, float32 little-endian, one after the
                                    other in the index's order, each [positions][width]
  <out>/<slug>/<prompt>.trace.json  the index: positions, tokens, and per point its name, width,
                                    offset (in floats) and the file's sha256

Points (the engine's tracer, engine/generate/trace.ts, records the same names):
  embedding; per layer L: blk.L.attn_norm, blk.L.q, blk.L.k, blk.L.v (projections, before
  RoPE), blk.L.attn_output (after its projection), blk.L.attn_residual, blk.L.ffn_norm,
  blk.L.mlp_output, blk.L.residual; then output_norm and logits.

Usage: gen_trace.py --model <slug|dir> [--model ...] [--prompt <name> ...] [--out DIR]
(default: every prompt, the repository's oracle/)
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import hashlib
import json
import struct
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo"))
import reference  # noqa: E402
import subjects  # noqa: E402

TRACE_TOKENS = 4
LAYER_POINTS = ["attn_norm", "q", "k", "v", "attn_output", "attn_residual", "ffn_norm", "mlp_output", "residual"]


def point_modules(model):
    """(name, module, 'out' | 'in' | ('split', i)) for every trace point of the reference's modules."""
    points = []
    if isinstance(model, reference.GPT2LMHeadModel):
        t = model.transformer
        points.append(("embedding", t.h[0].ln_1, "in"))
        for l, b in enumerate(t.h):
            points += [("blk.%d.attn_norm" % l, b.ln_1, "out")]
            points += [("blk.%d.%s" % (l, n), b.attn.c_attn, ("split", i)) for i, n in enumerate("qkv")]
            points += [("blk.%d.attn_output" % l, b.attn, "out"), ("blk.%d.attn_residual" % l, b.ln_2, "in"),
                       ("blk.%d.ffn_norm" % l, b.ln_2, "out"), ("blk.%d.mlp_output" % l, b.mlp, "out"), ("blk.%d.residual" % l, b, "out")]
        points.append(("output_norm", t.ln_f, "out"))
        return points
    m = model.model
    points.append(("embedding", m.embed_tokens, "out"))
    for l, layer in enumerate(m.layers):
        a = layer.self_attn
        points += [("blk.%d.attn_norm" % l, layer.input_layernorm, "out"),
                   ("blk.%d.q" % l, a.q_proj, "out"), ("blk.%d.k" % l, a.k_proj, "out"), ("blk.%d.v" % l, a.v_proj, "out"),
                   ("blk.%d.attn_output" % l, a, "out"), ("blk.%d.attn_residual" % l, layer.post_attention_layernorm, "in"),
                   ("blk.%d.ffn_norm" % l, layer.post_attention_layernorm, "out"), ("blk.%d.mlp_output" % l, layer.mlp, "out"),
                   ("blk.%d.residual" % l, layer, "out")]
    points.append(("output_norm", m.norm, "out"))
    return points


@torch.no_grad()
def trace(model, ids):
    """{point: [T, width] fp32} of one forward pass over ids."""
    recorded, handles = {}, []
    for name, module, where in point_modules(model):
        def hook(_m, inputs, output=None, name=name, where=where):
            value = inputs[0] if where == "in" else output
            if isinstance(where, tuple):
                value = value.chunk(3, dim=-1)[where[1]]
            recorded[name] = value[0].detach().float().clone()
        if where == "in":
            handles.append(module.register_forward_pre_hook(lambda m, i, hook=hook: hook(m, i)))
        else:
            handles.append(module.register_forward_hook(lambda m, i, o, hook=hook: hook(m, i, o)))
    try:
        logits = model(torch.tensor([ids], dtype=torch.int64))
    finally:
        for h in handles:
            h.remove()
    recorded["logits"] = logits[0].float()
    return recorded


def order(layers):
    return ["embedding"] + ["blk.%d.%s" % (l, p) for l in range(layers) for p in LAYER_POINTS] + ["output_norm", "logits"]


def write_trace(out_dir, prompt_name, slug, ids, tensors, layers):
    data, index, offset = [], [], 0
    for name in order(layers):
        t = tensors[name]
        flat = t.reshape(-1).tolist()
        data.append(struct.pack("<%df" % len(flat), *flat))
        index.append({"name": name, "width": int(t.shape[-1]), "offset": offset})
        offset += len(flat)
    blob = b"".join(data)
    os.makedirs(out_dir, exist_ok=True)
    for path, content in ((os.path.join(out_dir, prompt_name + ".trace.f32"), blob),):
        tmp = "%s.tmp-%d" % (path, os.getpid())
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    subjects.write_json(os.path.join(out_dir, prompt_name + ".trace.json"), {
        "model_slug": slug,
        "prompt_file": "oracle/prompts/%s.txt" % prompt_name,
        "runtime": "torch-reference",
        "torch_version": torch.__version__,
        "positions": len(ids),
        "tokens": ids,
        "file": prompt_name + ".trace.f32",
        "encoding": "float32 little-endian; each point [positions][width] at its offset (in floats)",
        "sha256": hashlib.sha256(blob).hexdigest(),
        "points": index,
    })


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", action="append", default=[], help="zoo slug or local HF directory (repeatable); default: every zoo model")
    ap.add_argument("--prompt", action="append", default=[], help="prompt name (repeatable); default: every prompt")
    ap.add_argument("--out", default=os.path.join(subjects.ROOT, "oracle"), help="root folder of the oracle files")
    args = ap.parse_args()
    torch.set_num_threads(1)
    prompts = {name: text for name, text in read_prompts(args.out)}
    wanted = args.prompt or sorted(prompts)
    for arg in args.model or subjects.ZOO_SLUGS:
        model_dir, _ = subjects.resolve(arg)
        slug = subjects.name_of(arg)
        enc = subjects.load_encoder(model_dir)
        loaded = subjects.LoadedModel(model_dir, "torch-reference", "cpu", "float32")
        layers = len(loaded.model.transformer.h) if isinstance(loaded.model, reference.GPT2LMHeadModel) else len(loaded.model.model.layers)
        for prompt_name in wanted:
            if prompt_name not in prompts:
                raise SystemExit("unknown prompt %r: %s/prompts has %s" % (prompt_name, args.out, ", ".join(sorted(prompts))))
            with open(os.path.join(args.out, slug, prompt_name + ".json"), encoding="utf-8") as f:
                oracle = json.load(f)
            ids = enc.encode_prompt(prompts[prompt_name]) + oracle["tokens"][:TRACE_TOKENS]
            write_trace(os.path.join(args.out, slug), prompt_name, slug, ids, trace(loaded.model, ids), layers)
            print("%s %s: %d positions, %d points" % (slug, prompt_name, len(ids), len(order(layers))))


def read_prompts(root):
    folder = os.path.join(root, "prompts")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt"):
            with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
                yield name[:-4], f.read()


if __name__ == "__main__":
    main()
