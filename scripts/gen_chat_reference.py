#!/usr/bin/env python3
"""The chat templates' reference renders: each template rendered by Python's Jinja2 in the
environment transformers' apply_chat_template builds (an immutable sandbox with trim_blocks and
lstrip_blocks, the loopcontrols extension, a tojson filter and raise_exception), on a fixed set
of conversations, with and without the generation prompt. refute's renderer (@huggingface/jinja)
must give the same text (test/tokenizer/chat-template.test.ts).

Templates: the zoo's (tokenizer_config.json chat_template) and some of llama.cpp's
models/templates/ (extracted from node-llama-cpp's source bundle into
models/cache/llama-vocab/<release>/templates by the tests). Writes oracle/chat/<name>.json.

Run: /usr/bin/python3 scripts/gen_chat_reference.py --templates models/cache/llama-vocab/<release>/templates
"""

import argparse
import hashlib
import json
import os
import sys

import jinja2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo"))
from chat_templates import environment  # noqa: E402  (transformers' apply_chat_template environment, shared with the zoo's chat corpus)

BUNDLE_TEMPLATES = ["Qwen-Qwen2.5-7B-Instruct", "google-gemma-2-2b-it", "deepseek-ai-DeepSeek-R1-Distill-Llama-8B", "Qwen-Qwen3-0.6B", "HuggingFaceTB-SmolLM3-3B"]
ZOO = ["tiny-qwen2", "tiny-llama", "tiny-gpt2", "tiny-llama-spm"]

CONVERSATIONS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "system", "content": "You answer in one word."}, {"role": "user", "content": "Capital of France?"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"}, {"role": "user", "content": "  Tell me a joke.  "}],
    [{"role": "user", "content": "line one\nline two\n\ttabbed"}, {"role": "assistant", "content": "Noted."}],
]


def cases(env, source, bos, eos):
    template = env.from_string(source)
    out = []
    for messages in CONVERSATIONS:
        for add_generation_prompt in (True, False):
            case = {"messages": messages, "add_generation_prompt": add_generation_prompt, "bos_token": bos, "eos_token": eos}
            try:
                case["rendered"] = template.render(messages=messages, add_generation_prompt=add_generation_prompt, bos_token=bos, eos_token=eos)
            except jinja2.exceptions.TemplateError as e:
                case["error"] = str(e)
            out.append(case)
    return out


def write(name, source_file, source, bos, eos, env):
    record = {
        "template": name,
        "template_file": source_file,
        "template_sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
        "renderer": "jinja2 %s in transformers' apply_chat_template environment (sandboxed, trim_blocks, lstrip_blocks, loopcontrols, tojson, raise_exception)" % jinja2.__version__,
        "cases": cases(env, source, bos, eos),
    }
    path = os.path.join("oracle", "chat", name + ".json")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        json.dump(record, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
    print("wrote", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--templates", required=True, help="the directory of llama.cpp's extracted models/templates")
    args = ap.parse_args()
    env = environment()
    os.makedirs(os.path.join("oracle", "chat"), exist_ok=True)
    for slug in ZOO:
        config_file = os.path.join("models", "zoo", slug, "tokenizer_config.json")
        with open(config_file, encoding="utf-8") as f:
            config = json.load(f)
        write(slug, config_file, config["chat_template"], config.get("bos_token") or "", config.get("eos_token") or "", env)
    for name in BUNDLE_TEMPLATES:
        with open(os.path.join(args.templates, name + ".jinja"), encoding="utf-8") as f:
            source = f.read()
        write(name, "llama.cpp models/templates/%s.jinja" % name, source, "<s>", "</s>", env)


if __name__ == "__main__":
    main()
