"""Agent transcripts: the normalised events (``events``), one reader per format (``readers``), format
detection and streaming (``reading``), and the analysis every transcript rule shares (``analysis``,
``session_facts``). Nothing here knows about rules, findings or reports."""
