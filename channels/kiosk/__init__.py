"""The kiosk channel: the ``/kiosk`` page for a touch screen with a microphone and a speaker,
and its WebSocket that carries audio up (16 kHz PCM) and synthesized speech down."""
