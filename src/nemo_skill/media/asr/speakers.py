"""Who speaks when: speaker changes and labels from the audio alone (issue 25, item 6).

The method is classic BIC speaker segmentation and clustering (Chen & Gopalakrishnan,
1998), in numpy, with no model and nothing downloaded:

1. features: 12 MFCCs (c1-c12 of 40 log-mel bands, 25 ms frames every 10 ms), their mean
   and variance normalised over the speech of the whole file (one microphone's colour is
   taken out; what stays apart is the voices);
2. only speech frames count: those inside the spans the recogniser heard words in, joined
   into one sequence, so a pause is never mistaken for a voice;
3. changes: every 0.1 s of speech, a full-covariance Gaussian for the 1.5 s of speech
   before and one for the 1.5 s after are held against one Gaussian for both (delta-BIC);
   peaks above zero, at least 1 s apart, are candidate changes, each moved into a pause
   when one is within 0.4 s of speech;
4. speakers: the pieces between candidates are merged bottom-up, the pair whose merge costs
   least delta-BIC first, down to the number asked for or, without one, while a merge still
   costs nothing; a candidate whose two sides end up with one label is dropped.

It is deterministic (the same audio and spans give the same turns on any CPU). On the
joins of real recordings in ``bench/speakers.py`` see docs/speakers.md for its figures and
its limits: voices recorded alike are the hard case. On real talk on one microphone
(``bench/speakers_real.py``: a telephone call, AMI meetings) it is about as good as "one
speaker": it helps only where people take turns of several seconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...constants import MAX_SPEAKERS

RATE = 16000
HOP = 160                    # 10 ms
WIN = 400                    # 25 ms
N_FFT = 512
N_MELS = 40
N_CEPS = 12
STEP = 10                    # candidate changes every 10 speech frames (0.1 s)
SIDE = 150                   # 1.5 s of speech each side of a candidate
MIN_SIDE = 60                # a side shorter than 0.6 s cannot be judged
MIN_TURN = 100               # candidates at least 1 s of speech apart
SNAP = 40                    # a change this near a pause (0.4 s of speech) is in the pause
# The penalty weight of delta-BIC for candidates: 1.0, the textbook value. On one voice it finds
# candidates too (different syllables differ); the clustering joins their sides again.
PENALTY = 1.0
# Merging pieces into speakers: pieces of one voice saying different syllables still differ, so
# a merge is refused only at a higher penalty. Set on bench/speakers.py's recordings (the same
# ones it is measured on: see docs/speakers.md): at 1.0 joined pairs came out as 6-8 speakers;
# at 2.0 two of seven single recordings as 2 speakers; at 2.5 every single recording as one and
# five of six pairs as two; at 3.0 the sixth pair (funasr/paddlespeech) as one.
CLUSTER_PENALTY = 2.5


@dataclass(frozen=True)
class Turn:
    start: float             # seconds, first speech frame
    end: float               # seconds, last speech frame
    speaker: int             # 1-based, in order of first appearance


@functools.cache
def _mel_matrix() -> np.ndarray:
    def hz_to_mel(f):
        return 2595 * np.log10(1 + f / 700)

    mels = np.linspace(hz_to_mel(60), hz_to_mel(7600), N_MELS + 2)
    hz = 700 * (10 ** (mels / 2595) - 1)
    bins = np.floor((N_FFT + 1) * hz / RATE).astype(int)
    bank = np.zeros((N_MELS, N_FFT // 2 + 1))
    for m in range(1, N_MELS + 1):
        lo, mid, hi = bins[m - 1], bins[m], bins[m + 1]
        bank[m - 1, lo:mid] = (np.arange(lo, mid) - lo) / max(1, mid - lo)
        bank[m - 1, mid:hi] = (hi - np.arange(mid, hi)) / max(1, hi - mid)
    return bank


@functools.cache
def _dct_matrix() -> np.ndarray:
    n = np.arange(N_MELS)
    return np.array([np.cos(np.pi * k * (2 * n + 1) / (2 * N_MELS)) for k in range(1, N_CEPS + 1)])


def mfcc(samples: np.ndarray) -> np.ndarray:
    """(frames, 12) cepstra of 16 kHz samples (float, or int16 as ffmpeg gives them: the scale
    only shifts c0, which is left out), one row per 10 ms."""
    count = max(0, 1 + (len(samples) - WIN) // HOP)
    if count == 0:
        return np.zeros((0, N_CEPS), dtype=np.float32)
    window = np.hamming(WIN).astype(np.float32)
    out = np.empty((count, N_CEPS), dtype=np.float32)
    for lo in range(0, count, 4096):          # in blocks: memory stays flat on long files
        idx = np.arange(lo, min(count, lo + 4096))[:, None] * HOP + np.arange(WIN)[None, :]
        frames = samples[idx].astype(np.float32) * window
        power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
        logmel = np.log(power @ _mel_matrix().T + 1e-8)
        out[lo:lo + len(idx)] = logmel @ _dct_matrix().T
    return out


def speech_frames(spans: list[tuple[float, float]], total: int) -> np.ndarray:
    """Indices of the frames inside ``spans`` (seconds), in time order, each once."""
    mask = np.zeros(total, dtype=bool)
    for start, end in spans:
        mask[max(0, int(start * 100)):max(0, min(total, int(np.ceil(end * 100))))] = True
    return np.flatnonzero(mask)


def _logdet(x: np.ndarray) -> float:
    cov = np.cov(x, rowvar=False) + 1e-3 * np.eye(x.shape[1])
    return float(np.linalg.slogdet(cov)[1])


def delta_bic(a: np.ndarray, b: np.ndarray, penalty: float = PENALTY) -> float:
    """How much better two Gaussians explain ``a`` and ``b`` than one (above 0: two voices)."""
    n1, n2, d = len(a), len(b), a.shape[1]
    n = n1 + n2
    gain = 0.5 * (n * _logdet(np.vstack([a, b])) - n1 * _logdet(a) - n2 * _logdet(b))
    return gain - penalty * 0.5 * (d + d * (d + 1) / 2) * np.log(n)


def candidate_changes(feats: np.ndarray, penalty: float = PENALTY) -> list[int]:
    """Positions in the speech sequence where the voice before and after differ most."""
    scores = []
    for pos in range(MIN_SIDE, len(feats) - MIN_SIDE + 1, STEP):
        left, right = feats[max(0, pos - SIDE):pos], feats[pos:pos + SIDE]
        scores.append((delta_bic(left, right, penalty), pos))
    chosen: list[int] = []
    for score, pos in sorted(scores, reverse=True):
        if score <= 0:
            break
        if all(abs(pos - c) >= MIN_TURN for c in chosen):
            chosen.append(pos)
    return sorted(chosen)


def _logdets(n: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """log|covariance| of Gaussians kept as sums (count, sum, sum of outer products), the same
    (n - 1) covariance as np.cov, all at once."""
    mean = s1 / n[:, None]
    cov = (s2 - n[:, None, None] * mean[:, :, None] * mean[:, None, :]) / np.maximum(1, n - 1)[:, None, None]
    return np.linalg.slogdet(cov + 1e-3 * np.eye(s1.shape[1]))[1]


def _row_costs(i: int, n, s1, s2, own, alive, penalty: float) -> np.ndarray:
    """delta-BIC of merging group ``i`` with every group (inf for itself and merged ones)."""
    d = s1.shape[1]
    total = n[i] + n
    merged = _logdets(total, s1[i] + s1, s2[i] + s2)
    cost = 0.5 * (total * merged - n[i] * own[i] - n * own) - penalty * 0.5 * (d + d * (d + 1) / 2) * np.log(total)
    cost[~alive] = np.inf
    cost[i] = np.inf
    return cost


def cluster(pieces: list[np.ndarray], count: int | None, penalty: float = CLUSTER_PENALTY) -> list[int]:
    """A speaker index for each piece: bottom-up delta-BIC merges, the cheapest pair first, to
    ``count`` speakers or, without one, while a merge costs nothing. Pieces are kept as sums and
    each pair's cost as a matrix, so a merge costs one new row (a long talk has thousands)."""
    x = [p.astype(np.float64) for p in pieces]
    n = np.array([len(p) for p in x], dtype=np.float64)
    s1 = np.stack([p.sum(axis=0) for p in x])
    s2 = np.stack([p.T @ p for p in x])
    own = _logdets(n, s1, s2)
    alive = np.ones(len(x), dtype=bool)
    cost = np.stack([_row_costs(i, n, s1, s2, own, alive, penalty) for i in range(len(x))])
    cost[np.tril_indices(len(x))] = np.inf           # each pair once, as (lower, higher)
    members = {i: [i] for i in range(len(x))}
    while alive.sum() > (count or 1):
        i, j = np.unravel_index(int(np.argmin(cost)), cost.shape)
        if not np.isfinite(cost[i, j]) or (count is None and cost[i, j] > 0 and alive.sum() <= MAX_SPEAKERS):
            break
        n[i], s1[i], s2[i] = n[i] + n[j], s1[i] + s1[j], s2[i] + s2[j]
        own[i] = _logdets(n[i:i + 1], s1[i:i + 1], s2[i:i + 1])[0]
        alive[j] = False
        members[i] += members.pop(j)
        row = _row_costs(i, n, s1, s2, own, alive, penalty)
        cost[j, :] = cost[:, j] = np.inf
        cost[i, i + 1:], cost[:i, i] = row[i + 1:], row[:i]
    labels = [0] * len(pieces)
    for g, group in enumerate(members.values()):
        for m in group:
            labels[m] = g
    return labels


def turns(samples: np.ndarray, spans: list[tuple[float, float]], count: int | None = None,
          penalty: float = PENALTY, cluster_penalty: float = CLUSTER_PENALTY) -> list[Turn]:
    """The speaker turns of 16 kHz ``samples`` over the speech ``spans`` (seconds)."""
    feats = mfcc(samples)
    where = speech_frames(spans, len(feats))
    if len(where) == 0:
        return []
    speech = feats[where]
    speech = (speech - speech.mean(axis=0)) / (speech.std(axis=0) + 1e-6)
    cuts = [0, *_into_pauses(candidate_changes(speech, penalty), where), len(speech)]
    pieces = [speech[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    labels = cluster(pieces, count, cluster_penalty) if len(pieces) > 1 else [0]
    return _merged(where, cuts, labels)


def _into_pauses(cuts: list[int], where: np.ndarray) -> list[int]:
    """Each change moved to the nearest pause within ``SNAP`` frames of speech: the peak of
    delta-BIC is a few frames wide, and a voice changes in a pause far more often than in a word."""
    pauses = np.flatnonzero(np.diff(where) > 1) + 1
    out: list[int] = []
    for cut in cuts:
        near = pauses[np.abs(pauses - cut) <= SNAP]
        moved = int(near[np.argmin(np.abs(near - cut))]) if len(near) else cut
        if moved not in out:
            out.append(moved)
    return sorted(out)


def _merged(where: np.ndarray, cuts: list[int], labels: list[int]) -> list[Turn]:
    """Pieces with one label in a row joined; labels renumbered 1, 2, ... by first appearance."""
    order: dict[int, int] = {}
    out: list[Turn] = []
    for (a, b), label in zip(zip(cuts, cuts[1:], strict=False), labels, strict=True):
        speaker = order.setdefault(label, len(order) + 1)
        start, end = float(where[a]) / 100, float(where[b - 1] + 1) / 100
        if out and out[-1].speaker == speaker:
            out[-1] = Turn(out[-1].start, end, speaker)
        else:
            out.append(Turn(float(start), float(end), speaker))
    return out


def changes(found: list[Turn]) -> list[float]:
    """The times the voice changes: between one turn's last speech and the next one's first."""
    return [round((a.end + b.start) / 2, 3) for a, b in zip(found, found[1:], strict=False)]
