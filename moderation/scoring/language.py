"""Language detection with lingua (a real detector), restricted to the configured languages."""
from __future__ import annotations

import threading

# The language of a comment shows in its first sentences; lingua's cost grows with the length,
# so a long text is judged on this many characters.
DETECTION_PREFIX_CHARS = 1000


class LanguageDetector:
    def __init__(self, languages: list[str]) -> None:
        self.languages = languages
        self._detector = None
        self._lock = threading.Lock()

    def _build(self):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, code.upper()) for code in self.languages]
        return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def detect(self, texts: list[str]) -> list[str | None]:
        """ISO 639-1 code of each text, or None when the detector cannot tell."""
        with self._lock:
            if self._detector is None:
                self._detector = self._build()
        detected = self._detector.detect_languages_in_parallel_of([text[:DETECTION_PREFIX_CHARS] for text in texts])
        return [None if language is None else language.iso_code_639_1.name.lower() for language in detected]
