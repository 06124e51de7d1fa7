"""The phone channel: the SIP user agent against real SIP software and raw UDP peers."""
