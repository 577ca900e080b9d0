"""Speech: lesson text read aloud by espeak-ng, cached as small MP3s with word timings."""
