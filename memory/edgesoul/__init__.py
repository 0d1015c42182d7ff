"""EdgeSoul: companion profiles, their memories, emotions and conversations (/edgesoul/)."""
