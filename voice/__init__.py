"""The speech engine: number wording, speakable text, and (later) recognizer and synthesizer.

``voice.numbers`` and ``voice.speakable`` are pure text helpers that other parts may import.
"""
