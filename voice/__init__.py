"""The speech engine: the recognizer (Vosk), the synthesizer (pyttsx3 + espeak-ng), audio
utilities, end-of-speech detection and pronunciation. Channels with audio build on it; it knows
no channel and no staff. Text that is to be spoken comes from :mod:`zhtext`.
"""
