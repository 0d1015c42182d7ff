"""Learning: children's language-learning profiles, cards and tutor chat (/learning/)."""
