"""Bounds on what a model produced (issue 21).

A figure (a CER, a time error, a pitch) differs a little from one CPU path to the next:
CTranslate2, ONNX Runtime and LiteRT pick kernels by CPU. `at_most` asserts the bound and,
when NEMO_FIGURES_LOG names a file, appends the figure there, so bench/compute_paths.py
can run the model tests on every path this CPU offers and print the spread of each figure
beside its bound. Each bound's comment says the spread it was set from.
"""

from __future__ import annotations

import json
import os


def record(name: str, value: float, bound: float | None = None) -> None:
    log = os.environ.get("NEMO_FIGURES_LOG")
    if not log:
        return
    entry = {"figure": name, "value": round(float(value), 4), "bound": bound,
             "isa": os.environ.get("CT2_FORCE_CPU_ISA", "default"),
             "kernels": os.environ.get("NEMO_TEST_KERNELS", "default")}
    with open(log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def at_most(name: str, value: float, bound: float, context: object = "") -> None:
    """Assert value <= bound, recording the figure first (a failing one is recorded too)."""
    record(name, value, bound)
    assert value <= bound, f"{name} = {value:.3f} > {bound} {context}"


def at_least(name: str, value: float, bound: float, context: object = "") -> None:
    record(name, value, bound)
    assert value >= bound, f"{name} = {value:.3f} < {bound} {context}"
