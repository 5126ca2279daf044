"""Test-only: a second numeric path for the model tests (issue 21).

On PYTHONPATH with NEMO_TEST_KERNELS=reference, every Python process of a test run (the
engine daemon included) builds ONNX Runtime sessions with basic graph optimisation only
and LiteRT interpreters without the XNNPACK delegate, so the VAD and the neural voice run
other kernels than by default. CTranslate2 (Whisper) is switched by its own variable,
CT2_FORCE_CPU_ISA. bench/compute_paths.py and .ci/run use both; nothing else does.
"""

import os

if os.environ.get("NEMO_TEST_KERNELS") == "reference":
    try:
        import onnxruntime as _ort
    except ImportError:
        _ort = None
    if _ort is not None:
        _Session = _ort.InferenceSession

        class _BasicSession(_Session):
            def __init__(self, path_or_bytes, sess_options=None, *args, **kwargs):
                options = sess_options or _ort.SessionOptions()
                options.graph_optimization_level = _ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
                super().__init__(path_or_bytes, options, *args, **kwargs)

        _ort.InferenceSession = _BasicSession

    try:
        import ai_edge_litert.interpreter as _litert
    except ImportError:
        _litert = None
    if _litert is not None:
        _Interpreter = _litert.Interpreter

        class _ReferenceInterpreter(_Interpreter):
            def __init__(self, *args, **kwargs):
                kwargs["experimental_op_resolver_type"] = _litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
                super().__init__(*args, **kwargs)

        _litert.Interpreter = _ReferenceInterpreter
