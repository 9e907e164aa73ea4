"""The public transparency site: what was promised and delivered, line by line, for anyone to read."""
