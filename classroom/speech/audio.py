"""PCM to MP3 with lameenc: small files that every iPad plays (Ogg fails on iOS)."""

from __future__ import annotations

import lameenc

# Speech at 22 kHz mono stays clear at 40 kbit/s: about 5 KB per spoken second.
MP3_BITRATE_KBPS = 40
MP3_QUALITY = 5  # LAME's scale: 2 is best and slowest, 7 fastest; 5 is its usual default
ENCODING = f"mp3-{MP3_BITRATE_KBPS}k-mono-q{MP3_QUALITY}"


def encode_mp3(pcm: bytes, sample_rate: int) -> bytes:
    """Encode 16-bit mono PCM as a constant-bitrate MP3."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(MP3_QUALITY)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())
