"""Citizens who follow a line or a stop: their commands, the alert events they hear of, and the sending."""
