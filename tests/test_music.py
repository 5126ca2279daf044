"""The generated music bed is music: chords that move, a melody, a loop without a click (issue 15)."""

from __future__ import annotations

import wave

import numpy as np

from nemo_skill.media.render import music


def _strongest_pitch_class(mono: np.ndarray, lo: float = 60, hi: float = 200) -> int:
    """The pitch class (0 = C) of the loudest partial between ``lo`` and ``hi`` Hz: the chord's root."""
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / music.RATE)
    band = (freqs >= lo) & (freqs <= hi)
    f = freqs[band][np.argmax(spectrum[band])]
    return int(round(12 * np.log2(f / 440) + 69)) % 12


def test_the_chords_follow_the_progression():
    phrase = music.phrase(seed=3).mean(axis=1)
    chord = int(music.CHORD_SECONDS * music.RATE)
    roots = []
    for c in range(len(music.PROGRESSION)):     # the middle second of each chord
        middle = phrase[c * chord + chord // 2 - music.RATE // 2: c * chord + chord // 2 + music.RATE // 2]
        roots.append(_strongest_pitch_class(middle))
    assert roots == [notes[0] % 12 for notes in music.PROGRESSION] == [0, 9, 5, 7]   # C, A, F, G: not a drone


def test_a_plucked_line_plays_over_the_pad():
    phrase = music.phrase(seed=3).mean(axis=1)
    hop = music.RATE // 100
    high = np.abs(np.fft.rfft(phrase.reshape(-1, hop), axis=1))[:, 9:]   # above ~900 Hz: the melody's register
    energy = high.sum(axis=1)
    onsets = np.sum((energy[1:] > 2.0 * energy[:-1]) & (energy[1:] > np.median(energy)))
    assert onsets >= 8, onsets


def test_the_phrase_loops_without_a_click():
    phrase = music.phrase(seed=1)
    seam = np.abs(phrase[0] - phrase[-1]).max()
    steps = np.abs(np.diff(phrase, axis=0))
    assert seam <= np.percentile(steps, 99.9), (seam, np.percentile(steps, 99.9))


def test_the_bed_file_is_the_asked_length_stereo_48k_with_fades(tmp_path):
    out = music.write_bed(20.5, tmp_path / "bed.wav", seed=2)
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 48000)
        assert abs(w.getnframes() / 48000 - 20.5) < 0.01
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    assert np.abs(pcm[:240]).max() < 200 and np.abs(pcm[-240:]).max() < 200          # fades in and out
    assert np.abs(pcm[48000 * 5: 48000 * 6]).max() > 5000                             # and is there between
