"""The channel adapters: each turns one way of talking (web chat, kiosk) into turns of the
conversation core (:mod:`conversation`) and its answers back into that channel's form."""
