"""Speaker turns scored against a reference (RTTM) on a 10 ms grid (issue 25, item 6).

Shared by bench/speakers_real.py and tests/test_speakers_real.py. Overlapped talk is kept in
the reference (one label can never cover two people: it counts as missed in the DER) and left
out of the change and label scores, which are about single-speaker talk.
"""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np

TOLERANCE = 0.5          # a found change within this of a true one is right (seconds)


def plain_name(name: str) -> str:
    """The sdist names one file trñ00.wav and its RTTM uri trn00: compare without accents."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def rttm(text: str) -> dict[str, list[tuple[float, float, str]]]:
    out: dict[str, list[tuple[float, float, str]]] = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            out.setdefault(plain_name(f[1]), []).append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def grid(truth: list[tuple[float, float, str]], frames: int) -> tuple[np.ndarray, list[str]]:
    """(frames, speakers) booleans: who talks in each 10 ms frame."""
    names = sorted({s for _, _, s in truth})
    active = np.zeros((frames, len(names)), dtype=bool)
    for start, end, who in truth:
        active[int(round(start * 100)):int(round(end * 100)), names.index(who)] = True
    return active, names


def true_changes(active: np.ndarray) -> tuple[list[float], list[tuple[float, float]]]:
    """(changes between single-speaker stretches of two people with only silence between,
    placed mid-gap; the overlapped stretches, (start, end) s, to leave out of scoring)."""
    count = active.sum(axis=1)
    who = active.argmax(axis=1)
    kept: list[float] = []
    last, last_end, overlapped = None, 0, False
    for i in range(len(count)):
        if count[i] > 1:
            overlapped = True
        elif count[i] == 1:
            if last is not None and who[i] != last and not overlapped:
                kept.append(round((last_end + i) / 200, 3))
            last, last_end, overlapped = who[i], i + 1, False
    many = np.flatnonzero(count > 1)
    return kept, _joined([(i / 100, (i + 1) / 100) for i in many])


def _joined(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans in time order, those that touch or overlap joined."""
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1e-9:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def speech_of(truth: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """Where anyone talks in the reference (its turns joined)."""
    return _joined([(a, b) for a, b, _ in truth])


def change_scores(found: list[float], truth: list[float], left_out: list[tuple[float, float]]) -> tuple[int, int, int]:
    """(found changes that count, those within TOLERANCE of a true one, true ones found)."""
    def near_overlap(t: float) -> bool:
        return any(a - TOLERANCE <= t <= b + TOLERANCE for a, b in left_out)

    counted = [f for f in found if any(abs(f - c) <= TOLERANCE for c in truth) or not near_overlap(f)]
    right = sum(any(abs(f - c) <= TOLERANCE for c in truth) for f in counted)
    caught = sum(any(abs(f - c) <= TOLERANCE for f in found) for c in truth)
    return len(counted), right, caught


def best_mapping(weights: np.ndarray) -> float:
    """The most of ``weights[label, speaker]`` a one-to-one mapping of labels to speakers
    collects (every mapping tried up to 7 a side, greedy above)."""
    k = max(weights.shape)
    square = np.zeros((k, k))
    square[:weights.shape[0], :weights.shape[1]] = weights
    if k <= 7:
        return float(max(square[np.arange(k), perm].sum() for perm in itertools.permutations(range(k))))
    best = 0.0
    while square.max() > 0:
        i, p = np.unravel_index(int(np.argmax(square)), square.shape)
        best += square[i, p]
        square[i, :], square[:, p] = 0, 0
    return float(best)


def hyp_grid(turns: list[tuple[float, float, int]], frames: int) -> np.ndarray:
    """Our label per 10 ms frame (0: none)."""
    out = np.zeros(frames, dtype=int)
    for start, end, who in turns:
        if who:
            out[int(round(start * 100)):int(round(end * 100))] = who
    return out


def der(active: np.ndarray, hyp: np.ndarray, scored: np.ndarray) -> tuple[float, float, float, float]:
    """(missed, false alarm, confusion, reference speaker time) in seconds over ``scored`` frames."""
    ref, hyp = active[scored], hyp[scored]
    n_ref, n_hyp = ref.sum(axis=1), (hyp > 0).astype(int)
    labels = sorted(set(hyp[hyp > 0].tolist()))
    weights = np.array([[np.sum((hyp == lab) & ref[:, p]) for p in range(ref.shape[1])] for lab in labels]).reshape(
        len(labels), ref.shape[1])
    correct = best_mapping(weights) if labels else 0.0
    missed = np.maximum(0, n_ref - n_hyp).sum()
    false = np.maximum(0, n_hyp - n_ref).sum()
    confusion = np.minimum(n_ref, n_hyp).sum() - correct
    return missed / 100, false / 100, confusion / 100, n_ref.sum() / 100


def label_time(items: list, active: np.ndarray) -> tuple[float, float]:
    """(cue time in single-speaker talk labelled right after the best mapping, all such time), s."""
    single = active.sum(axis=1) == 1
    hyp = hyp_grid([(c.start, c.end, c.speaker or 0) for c in items], len(active))
    in_cues = hyp_grid([(c.start, c.end, 1) for c in items], len(active)) > 0
    ref = active & (single & in_cues)[:, None]
    labels = sorted(set(hyp[hyp > 0].tolist()))
    weights = np.array([[np.sum((hyp == lab) & ref[:, p]) for p in range(ref.shape[1])] for lab in labels]).reshape(
        len(labels), ref.shape[1])
    return (best_mapping(weights) if labels else 0.0) / 100, ref.sum() / 100


def straddling(items: list, active: np.ndarray) -> int:
    """Cues holding more than 0.15 s of single-speaker talk of two people."""
    single = active & (active.sum(axis=1) == 1)[:, None]
    count = 0
    for c in items:
        inside = single[int(round(c.start * 100)):int(round(c.end * 100))].sum(axis=0)
        count += int((inside > 15).sum() > 1)
    return count


def score_turns(truth: list[tuple[float, float, str]], turns: list, spans: list[tuple[float, float]],
                length: float = 31.0) -> dict:
    """Our ``turns`` (start, end, speaker) against ``truth`` over the speech ``spans``: the
    speaker counts, change precision/recall and the DER beside the one-speaker answer's."""
    frames = int(length * 100)
    active, names = grid(truth, frames)
    true, left_out = true_changes(active)
    found = [round((a.end + b.start) / 2, 3) for a, b in zip(turns, turns[1:], strict=False)]
    counted, right, caught = change_scores(found, true, left_out)
    scored = hyp_grid([(a, b, 1) for a, b in spans], frames) > 0
    hyp = hyp_grid([(t.start, t.end, t.speaker) for t in turns], frames)
    return {"found": len({t.speaker for t in turns}), "true": len(names), "counted": counted, "right": right,
            "caught": caught, "truth": len(true), "der": der(active, hyp, scored),
            "der_one": der(active, scored.astype(int), scored)}


def der_rate(parts: tuple[float, float, float, float]) -> float:
    """(missed + false alarm + confusion) / reference speaker time."""
    return sum(parts[:3]) / max(parts[3], 1e-9)
