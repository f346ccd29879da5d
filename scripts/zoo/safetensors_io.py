"""SafeTensors read and write by hand (the safetensors package is not installed).

Format: 8-byte little-endian header length N, N bytes of JSON header, then the tensor bytes.
The header maps each name to {"dtype","shape","data_offsets":[begin,end]} (offsets relative to
the end of the header) and carries "__metadata__": {"format": "pt"}. Like the Rust writer,
tensors are ordered by dtype size (largest first) then name, laid out contiguously in that
order, the JSON is compact, and the header is padded with spaces to a multiple of 8 bytes.
bf16 goes through a view as int16 so numpy can hold the bytes.

Also writes and reads sharded checkpoints (model-0000i-of-0000n.safetensors plus
model.safetensors.index.json) as transformers' save_pretrained does.
"""

import json
import os
import struct
import sys

import numpy as np
import torch

DTYPES = {  # torch dtype -> (safetensors name, numpy dtype of the raw view, bytes)
    torch.float32: ("F32", np.float32, 4),
    torch.float16: ("F16", np.float16, 2),
    torch.bfloat16: ("BF16", np.int16, 2),
    torch.int64: ("I64", np.int64, 8),
    torch.int32: ("I32", np.int32, 4),
}
BY_NAME = {name: (dt, np_dt, size) for dt, (name, np_dt, size) in DTYPES.items()}


def tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    if sys.byteorder != "little":
        raise RuntimeError("safetensors is little-endian; this writer only runs on little-endian hosts")
    return t.numpy().tobytes()


def save_file(tensors, path):
    """tensors: {name: torch.Tensor} written in the order the Rust writer uses."""
    names = sorted(tensors, key=lambda n: (-DTYPES[tensors[n].dtype][2], n))
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in names:
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def load_file(path):
    """{name: torch.Tensor} with every header field bounds-checked against the file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: too short for a safetensors header" % path)
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise ValueError("%s: header length %d exceeds file size %d" % (path, n, len(raw)))
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in BY_NAME:
            raise ValueError("%s: tensor %s has unsupported dtype %s" % (path, name, info["dtype"]))
        dt, np_dt, size = BY_NAME[info["dtype"]]
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        if not (0 <= begin <= end <= len(body)) or end - begin != count * size:
            raise ValueError("%s: tensor %s offsets %s do not fit shape %s (%s)"
                             % (path, name, info["data_offsets"], info["shape"], info["dtype"]))
        arr = np.frombuffer(body, dtype=np.dtype(np_dt).newbyteorder("<"), count=count, offset=begin)
        t = torch.from_numpy(arr.astype(np_dt)).reshape(info["shape"])
        out[name] = t.view(torch.bfloat16) if dt == torch.bfloat16 else t
    return out


def shard_file_name(i, n):
    return "model-%05d-of-%05d.safetensors" % (i + 1, n)


def save_sharded(tensors, out_dir, n_shards):
    """Splits tensors, in state_dict order, into n_shards files of about equal bytes."""
    names = list(tensors)
    sizes = [tensors[n].numel() * tensors[n].element_size() for n in names]
    total = sum(sizes)
    shards, current, acc = [], [], 0
    for name, size in zip(names, sizes):
        if current and acc + size / 2 > total * (len(shards) + 1) / n_shards and len(shards) < n_shards - 1:
            shards.append(current)
            current = []
        current.append(name)
        acc += size
    shards.append(current)
    weight_map = {}
    for i, shard in enumerate(shards):
        fname = shard_file_name(i, len(shards))
        save_file({n: tensors[n] for n in shard}, os.path.join(out_dir, fname))
        weight_map.update({n: fname for n in shard})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(index, f, indent=2, sort_keys=True)
        f.write("\n")
    return [shard_file_name(i, len(shards)) for i in range(len(shards))]


def weight_files(model_dir):
    """The safetensors files of a checkpoint directory (sharded or single)."""
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            return sorted(set(json.load(f)["weight_map"].values()))
    return ["model.safetensors"]


def load_dir(model_dir):
    tensors = {}
    for name in weight_files(model_dir):
        tensors.update(load_file(os.path.join(model_dir, name)))
    return tensors
