"""The phone channel: banshi as a SIP endpoint that a hotline's PBX sends calls to."""
