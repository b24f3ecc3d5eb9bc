"""Vietnamese language handling shared by every stage: normalisation,
diacritic folding, abbreviations, numbers, sentences, places and years."""
