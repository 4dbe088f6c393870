"""Gold: train the trainer. Candidacy, evidence, observed teaching, certification, lineage, directory."""
