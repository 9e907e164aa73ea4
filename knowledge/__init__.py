"""Knowledge the bot answers from: the FAQ and the text normalisation it matches with."""
