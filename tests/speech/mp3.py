"""Just enough of MPEG audio to check a file is a clean run of MP3 frames, and how long it is."""

from __future__ import annotations

from dataclasses import dataclass

# Bit rates (kbit/s) for layer III by MPEG version, and sample rates by version.
_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
_SAMPLE_RATES = {1: [44100, 48000, 32000], 2: [22050, 24000, 16000]}


@dataclass(frozen=True)
class Mp3Info:
    frames: int
    sample_rate: int
    bitrate_kbps: int
    duration_ms: int
    mono: bool


def parse_mp3(data: bytes) -> Mp3Info:
    """Walk every frame header from the start; raise ValueError at the first bad byte."""
    position = _skip_id3(data)
    frames = samples = 0
    rates: set[tuple[int, int, bool]] = set()
    while position < len(data):
        length, frame_samples, rate, kbps, mono = _frame(data, position)
        rates.add((rate, kbps, mono))
        position += length
        frames += 1
        samples += frame_samples
    if frames == 0 or position != len(data) or len(rates) != 1:
        raise ValueError(f"not a clean constant-rate MP3 ({frames} frames, rates {rates})")
    rate, kbps, mono = rates.pop()
    return Mp3Info(frames, rate, kbps, samples * 1000 // rate, mono)


def _skip_id3(data: bytes) -> int:
    if data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size


def _frame(data: bytes, at: int) -> tuple[int, int, int, int, bool]:
    header = int.from_bytes(data[at : at + 4], "big")
    if len(data) - at < 4 or header >> 21 != 0x7FF:
        raise ValueError(f"no MP3 frame sync at byte {at}")
    version = {0b11: 1, 0b10: 2}.get((header >> 19) & 0b11)
    layer = (header >> 17) & 0b11
    bitrate_index = (header >> 12) & 0xF
    rate_index = (header >> 10) & 0b11
    if version is None or layer != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        raise ValueError(f"not an MPEG-1/2 layer III frame at byte {at}")
    kbps = _BITRATES[version][bitrate_index]
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (header >> 9) & 1
    samples = 1152 if version == 1 else 576
    length = samples // 8 * kbps * 1000 // rate + padding
    mono = (header >> 6) & 0b11 == 0b11
    return length, samples, rate, kbps, mono
