"""Each zoo family's chat template and special tokens, and the renderer transformers uses.

  llama   SmolLM-Instruct's ChatML (its default system message), <|im_start|> / <|im_end|>
  qwen2   Qwen2's ChatML (its default system message)
  gpt2    GPT-2 has no template; the zoo's is plain text ("user: ...\nassistant: ..."), so the
          chat claims run on every zoo family
  spm     TinyLlama-Chat's Zephyr form: <|user|> ... </s>; its markers are plain text, not tokens

Rendering is Python's Jinja2 in the environment transformers' apply_chat_template builds
(immutable sandbox, trim_blocks, lstrip_blocks, loopcontrols, tojson, raise_exception).
"""

import json

import jinja2
import jinja2.ext
import jinja2.sandbox

CHATML_SMOLLM = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
CHATML_QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
PLAIN = "{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}"
ZEPHYR = "{% for message in messages %}{{ '<|' + message['role'] + '|>\n' + message['content'] + eos_token + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"

CHAT_TEMPLATES = {"llama": CHATML_SMOLLM, "qwen2": CHATML_QWEN2, "gpt2": PLAIN, "spm": ZEPHYR}


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


_ENV = environment()


def render(family, messages, add_generation_prompt, bos_token, eos_token):
    template = _ENV.from_string(CHAT_TEMPLATES[family])
    return template.render(messages=messages, add_generation_prompt=add_generation_prompt, bos_token=bos_token, eos_token=eos_token)
