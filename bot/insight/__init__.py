"""Operations insight: where service fails, how fast we answer, what was promised and delivered."""
