"""Reading a citizen's message, step by step: language, lines and stops, time, intent, alerts, FAQ, confidence."""
