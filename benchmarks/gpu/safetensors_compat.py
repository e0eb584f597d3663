"""safetensors for the PyTorch scripts here: the reference package (safetensors.numpy) when it is installed, else a
small reader and writer of the same format written from its specification (8-byte little-endian header length, a
JSON header, the packed little-endian data), laid out as the reference writer lays it out: "__metadata__" first,
tensors ordered by dtype alignment (widest first) then by name, packed, the header padded with spaces to a multiple of
8 bytes. Debian ships PyTorch but not safetensors, so a CPU machine without PyPI gets the fallback.

  read(path) -> (dict name -> numpy array, metadata dict)
  write(path, dict name -> numpy array, metadata=None)
  load_torch(path) -> dict name -> torch tensor;  save_torch(dict, path, metadata=None);  metadata(path) -> dict
  IMPLEMENTATION: which of the two is in use."""
import json, struct

import numpy as np

try:
    from safetensors import safe_open as _safe_open
    from safetensors.numpy import save_file as _save_file
    IMPLEMENTATION = "safetensors (reference package)"
except ImportError:
    _safe_open = _save_file = None
    IMPLEMENTATION = "safetensors_compat.py (format specification; the safetensors package is not installed)"

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


def _header(data):
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n].decode("utf-8")), 8 + n


def read(path):
    if _safe_open is not None:
        with _safe_open(str(path), framework="np") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})
    data = open(path, "rb").read()
    header, start = _header(data)
    meta = header.pop("__metadata__", None) or {}
    arrays = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arrays[name] = np.frombuffer(data[start + begin:start + end], dtype=dtype).reshape(info["shape"]).astype(dtype.newbyteorder("="))
    return arrays, meta


def write(path, arrays, metadata=None):
    # np.ascontiguousarray would turn a scalar (shape []) into shape [1]
    arrays = {k: np.require(np.asarray(v), requirements="C") for k, v in arrays.items()}
    if _save_file is not None:
        _save_file(arrays, str(path), metadata=metadata)
        return
    order = sorted(arrays, key=lambda k: (-arrays[k].dtype.itemsize, k.encode("utf-8")))
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name in order:
        a = arrays[name]
        size = a.size * a.dtype.itemsize
        header[name] = {"dtype": _NAMES[a.dtype.newbyteorder("=")], "shape": list(a.shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for name in order:
            f.write(arrays[name].astype(arrays[name].dtype.newbyteorder("<"), copy=False).tobytes())


def metadata(path):
    data = open(path, "rb").read(8)
    n = struct.unpack("<Q", data)[0]
    with open(path, "rb") as f:
        f.seek(8)
        return json.loads(f.read(n).decode("utf-8")).get("__metadata__") or {}


def load_torch(path):
    import torch
    return {k: torch.from_numpy(np.array(v)) for k, v in read(path)[0].items()}


def save_torch(tensors, path, metadata=None):
    write(path, {k: v.detach().cpu().contiguous().numpy() for k, v in tensors.items()}, metadata)
