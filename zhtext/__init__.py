"""Chinese text for every part of banshi: numbers and amounts to words, spoken digits to digits,
speakable text, and the resident ID number check (GB 11643). Pure functions; imports nothing of
ours."""
